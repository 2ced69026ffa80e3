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
// Argon2id cost bounds (limits.h): never below libsodium's INTERACTIVE cost
// (2 passes, 64 MiB), never above 4 passes over 256 MiB, on wrap and on
// unwrap, checked before any Argon2id work. The cheap test cost
// (MinimumForTesting) is accepted only by a library compiled with the
// definition SECUREBASE_TEST_PASSPHRASE_COST, which the CMake option of the
// same name sets; it defaults to ON only when SECUREBASE_BUILD_TESTS is ON, and
// configuring it ON without tests is an error. A production or packaged build
// (SECUREBASE_BUILD_TESTS=OFF) therefore refuses it: see
// TestPassphraseCostCompiledIn().
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

  // libsodium's INTERACTIVE (2 passes, 64 MiB): the lowest cost accepted.
  static PassphraseHashParams Interactive() { return {2, size_t{64} << 20}; }
  // libsodium's absolute minimum (1 pass, 8 KiB): no protection at all. Only a
  // test build accepts it (TestPassphraseCostCompiledIn()); elsewhere
  // WrapVaultKey refuses it with kInvalidArgument and UnwrapVaultKey refuses a
  // key wrapped with it with kInvalidMessage.
  static PassphraseHashParams MinimumForTesting() { return {1, size_t{8} << 10}; }
};

// True only in a library compiled with SECUREBASE_TEST_PASSPHRASE_COST (test
// builds): then costs below Interactive(), down to MinimumForTesting(), are
// accepted. Lets a caller refuse a test-only cost setting with a clear error
// before it reaches WrapVaultKey.
bool TestPassphraseCostCompiledIn();

class VaultKey {
 public:
  static VaultKey Generate(RandomSource& rng);
  VaultKey Clone() const { return VaultKey(key_.Clone()); }
  // Secret; exposed for tests only.
  ByteSpan BytesForTesting() const { return key_.span(); }

 private:
  friend class VaultKeyAccess;
  friend class RecordSealer;
  explicit VaultKey(SecureBuffer key) : key_(std::move(key)) { key_.MakeReadOnly(); }
  SecureBuffer key_;
};

// kInvalidArgument if the parameters are below Interactive() (below
// libsodium's minimum in a test build) or above kMaxPassphraseOpsLimit /
// kMaxPassphraseMemLimit, or the passphrase is empty.
Result<Bytes> WrapVaultKey(const VaultKey& key, ByteSpan passphrase,
                           const PassphraseHashParams& params, RandomSource& rng);

// kWrongPassphrase if the passphrase does not unwrap the key; kInvalidMessage
// if the blob is malformed or its parameters are out of the bounds above (an
// edited file), found before any Argon2id work or memory is spent. Never
// returns a wrong key.
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
