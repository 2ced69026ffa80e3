// Sealing many vault records under one vault key, cheaply: the record subkey
// is derived once per sealer (SealRecord derives it for every record) and
// nonces come from a counter started at a random 192-bit value (SealRecord
// draws 24 fresh random bytes, often a system call, for every record).
//
// The output is exactly sealed_storage.h's "sealed record v1", so
// OpenRecord() opens what Seal() writes and Open() opens what SealRecord()
// writes; only the nonce's origin differs. Nonces never repeat within a
// sealer (a counter), and two sealers start at independent random points of
// a 2^192 space, so they do not collide either. A sealer is meant to live for
// one batch of writes (one vault transaction): do not keep one across a
// fork().
//
// Thread-safety: none; owned by one caller. The subkey is wiped on
// destruction.
#ifndef SECUREBASE_CRYPTO_RECORD_SEALER_H_
#define SECUREBASE_CRYPTO_RECORD_SEALER_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "securebase/crypto/random.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

class RecordSealer {
 public:
  // Derives the record subkey of `key` and draws the starting nonce from `rng`.
  RecordSealer(const VaultKey& key, RandomSource& rng);
  RecordSealer(const RecordSealer&) = delete;
  RecordSealer& operator=(const RecordSealer&) = delete;

  // As SealRecord: kInvalidArgument if plaintext is larger than
  // kMaxSealedRecordSize - overhead.
  Result<Bytes> Seal(std::string_view name, ByteSpan plaintext);
  // As OpenRecord: kInvalidMessage if the record is malformed, was sealed
  // under another key or another name, or was modified.
  Result<SecretBytes> Open(std::string_view name, ByteSpan sealed) const;

 private:
  SecretArray<32> subkey_;
  std::array<uint8_t, 24> nonce_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_RECORD_SEALER_H_
