// Sealed storage for the client's local vault.
//
// A random 256-bit vault key encrypts every record. The vault key itself is
// stored wrapped: encrypted under a key derived from the user's passphrase
// with Argon2id, the Argon2id parameters and salt stored beside it (and bound
// as associated data, so they cannot be lowered by editing the file).
//
// Records are sealed with XChaCha20-Poly1305 under a subkey of the vault key,
// random nonce, and the record's name as associated data: a record copied to
// another name does not open. Record names themselves can be hidden with
// RecordNameTag (a keyed BLAKE2b under another subkey).
//
// Formats (versioned):
//   wrapped key v1: 0x01 | ops(8 BE) | mem(8 BE) | salt(16) | nonce(24) | enc key(48)
//   sealed record v1: 0x01 | nonce(24) | ciphertext(len + 16)
#ifndef SECUREBASE_CRYPTO_SEALED_STORAGE_H_
#define SECUREBASE_CRYPTO_SEALED_STORAGE_H_

#include <cstdint>
#include <string_view>

#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr size_t kVaultKeySize = 32;
inline constexpr size_t kRecordNameTagSize = 32;

// Argon2id cost. Changing the defaults changes only newly wrapped keys.
struct PassphraseHashParams {
  // Passes over memory. 3 = libsodium's MODERATE.
  uint64_t ops_limit = 3;
  // Memory in bytes. 256 MiB = libsodium's MODERATE: about half a second on a
  // laptop core, which is paid once per app start.
  size_t mem_limit = size_t{256} << 20;

  // libsodium's INTERACTIVE (2 passes, 64 MiB).
  static PassphraseHashParams Interactive() { return {2, size_t{64} << 20}; }
  // Minimal cost, only for tests.
  static PassphraseHashParams MinimumForTesting() { return {1, size_t{8} << 10}; }
};

class VaultKey {
 public:
  static VaultKey Generate(RandomSource& rng);
  VaultKey Clone() const { return VaultKey(key_.Clone()); }
  // Secret; exposed for tests only.
  ByteSpan BytesForTesting() const { return key_.span(); }

 private:
  friend class VaultKeyAccess;
  friend class RecordSealer;
  explicit VaultKey(SecureBuffer key) : key_(std::move(key)) {}
  SecureBuffer key_;
};

// kInvalidArgument if the parameters are below libsodium's minimum or above
// kMaxPassphraseOpsLimit / kMaxPassphraseMemLimit, or the passphrase is empty.
Result<Bytes> WrapVaultKey(const VaultKey& key, ByteSpan passphrase,
                           const PassphraseHashParams& params, RandomSource& rng);

// kWrongPassphrase if the passphrase does not unwrap the key; kInvalidMessage
// if the blob is malformed or its parameters are out of bounds. Never returns
// a wrong key.
Result<VaultKey> UnwrapVaultKey(ByteSpan wrapped, ByteSpan passphrase);

// kInvalidArgument if plaintext is larger than kMaxSealedRecordSize - overhead.
Result<Bytes> SealRecord(const VaultKey& key, std::string_view name, ByteSpan plaintext,
                         RandomSource& rng);

// kInvalidMessage if the record is malformed, was sealed under another key or
// another name, or was modified.
Result<SecretBytes> OpenRecord(const VaultKey& key, std::string_view name, ByteSpan sealed);

// A stable keyed hash of a record name, so file or key names reveal nothing.
std::array<uint8_t, kRecordNameTagSize> RecordNameTag(const VaultKey& key, std::string_view name);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SEALED_STORAGE_H_
