// Shared pieces of the libFuzzer targets: a deterministic RandomSource, a
// fatal check for broken contract promises, and one fixed, deterministically
// built "world" (two users, prekeys, an established session and messages in
// it) that every target and the seed-corpus generator build identically.
//
// The world is a pure function of kWorldSeed and the library's code, so the
// seeds in tests/fuzz/corpus/ stay valid inputs for the targets' fixtures
// until the wire or state format changes; then regenerate them with
// make_fuzz_corpus (see tests/fuzz/README.md).
#ifndef SECUREBASE_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define SECUREBASE_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/status.h"
#include "securebase/crypto/x3dh.h"

namespace securebase::fuzz {

// Reproducible randomness for fuzzing only: a ChaCha20 stream
// (randombytes_buf_deterministic) keyed by a seed and a call counter. A local
// copy because tests/testing is only built with SECUREBASE_BUILD_TESTS=ON.
class FuzzRandom final : public crypto::RandomSource {
 public:
  explicit FuzzRandom(uint64_t seed) : seed_(seed) {}
  void Fill(std::span<uint8_t> out) override;

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

// Prints `what` and aborts, so libFuzzer records the input as a crash.
[[noreturn]] void Fail(const char* file, int line, const char* what);

}  // namespace securebase::fuzz

// A promise of the public contract. Peer input must never make it false.
#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) ::securebase::fuzz::Fail(__FILE__, __LINE__, #cond); \
  } while (false)

namespace securebase::fuzz {

inline constexpr uint64_t kWorldSeed = 0x5ec0'ba5e'f022'0001;
inline constexpr std::string_view kRecordName = "fuzz/record";
inline constexpr std::string_view kPassphrase = "correct horse battery staple";
inline constexpr uint32_t kSignedPreKeyId = 7;
inline constexpr uint32_t kOneTimePreKeyId = 42;

// The fixed world. Messages are named by sender and order:
//   a0, a0b  Alice's two initial messages (sent before any reply)
//   b0       Bob's first reply (Alice decrypts it: one DH step)
//   a1..a4   Alice's next chain; Bob decrypts a1 and a3 (a2 stays skipped)
//   b1       Bob's second reply, sent after bob_mid_state was taken
//   a5       Alice's first message after decrypting b1 (a DH step for Bob;
//            PN = 4, so Bob also skips a4 when he takes it)
//   c0       Carol's initial message to Bob, through the bundle without a
//            one-time prekey
// State snapshots are Session::Serialize() outputs.
struct World {
  crypto::IdentityKeyPair alice_identity;
  crypto::IdentityKeyPair bob_identity;
  crypto::IdentityKeyPair carol_identity;
  crypto::SignedPreKey bob_signed_prekey;
  crypto::OneTimePreKey bob_one_time_prekey;
  crypto::PreKeyBundle bob_bundle;           // With the one-time prekey.
  crypto::PreKeyBundle bob_bundle_no_otk;    // Without.
  crypto::PreKeyBundle alice_bundle;         // Alice's own (signed prekey id 1).
  // Bob's device 3 (user id 16 x 0xB0), its device-bound signed prekey in a v2
  // bundle, and the identity-signed binding of his device-auth key.
  crypto::DeviceAddress bob_device;
  crypto::SignedPreKey bob_device_signed_prekey;
  crypto::PreKeyBundle bob_device_bundle;
  crypto::DeviceAuthKeyPair bob_device_auth;
  crypto::Bytes bob_device_binding;  // SerializeDeviceBinding output.
  crypto::DeviceAddress carol_device;

  crypto::Bytes a0, a0b, b0, a1, a2, a3, a4, b1, a5, c0;

  crypto::SecretBytes alice_awaiting_state;  // After a0 and a0b, before b0.
  crypto::SecretBytes bob_fresh_state;       // Right after Accept(a0).
  crypto::SecretBytes bob_mid_state;         // After a1 and a3: a0b and a2 skipped.
  crypto::SecretBytes alice_mid_state;       // After sending a4, before b1.
  crypto::SecretBytes alice_after_state;     // After decrypting b1 and sending a5.

  std::unique_ptr<crypto::VaultKey> vault_key;
};

// Built on first use from kWorldSeed; aborts if the library cannot build it
// (a broken implementation, not a fuzzing finding).
const World& GetWorld();

inline crypto::ByteSpan AsSpan(const uint8_t* data, size_t size) {
  return crypto::ByteSpan(data, size);
}
inline crypto::ByteSpan AsSpan(std::string_view s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace securebase::fuzz

#endif  // SECUREBASE_TESTS_FUZZ_FUZZ_SUPPORT_H_
