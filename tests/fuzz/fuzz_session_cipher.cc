// Two parties talking through SessionCipher over the in-memory reference
// stores (tests/testing/in_memory_stores.h), on a network the input controls:
// each input byte is one step (send, deliver, redeliver, deliver tampered,
// lose), so the fuzzer explores drops, duplicates, reordering, simultaneous
// first contact and tampering in both directions.
//
// The promises checked (session_cipher.h):
//   - a message that decrypts yields exactly the plaintext it was sent with,
//     and never decrypts a second time;
//   - a tampered message never decrypts, and a refused message (tampered or
//     replayed) leaves the receiver's stored session record byte for byte as
//     it was;
//   - the first delivery of an intact message decrypts (inputs are short
//     enough that no skip bound is reached), whatever was lost or reordered
//     before it.
//
// Step byte: low 3 bits the action, bit 3 the direction (0: Alice -> Bob),
// the high 4 bits pick a message among the last 16 sent that way.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/session_cipher.h"
#include "securebase/crypto/x3dh.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/testing/in_memory_stores.h"

namespace {

namespace crypto = ::securebase::crypto;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::testing::InMemoryIdentityStore;
using securebase::testing::InMemoryPreKeyStore;
using securebase::testing::InMemorySessionStore;
using securebase::testing::NamedUser;

// Below kMaxSkipPerChain and the total skipped-key bound: every message sent
// stays decryptable however many before it were lost.
constexpr size_t kMaxSteps = 600;
constexpr uint32_t kOneTimePreKeys = 2;

struct Party {
  Party(const std::string& user_id, uint64_t seed)
      : user(NamedUser(user_id)),
        rng(seed),
        identity(crypto::IdentityKeyPair::Generate(rng)),
        signed_prekey(crypto::SignedPreKey::Generate(identity, 1, rng)),
        identities(crypto::IdentityKeyPair::FromSeed(identity.ExportSeed().span()).value(), user),
        cipher(sessions, prekeys, identities, rng) {
    prekeys.AddSignedPreKey(signed_prekey);
    for (uint32_t id = 1; id <= kOneTimePreKeys; ++id) {
      prekeys.AddOneTimePreKey(crypto::OneTimePreKey::Generate(id, rng));
    }
  }

  // What a server hands out: the next one-time prekey while any is left.
  crypto::PreKeyBundle Bundle() {
    std::optional<crypto::OneTimePreKey> otk;
    while (next_otk <= kOneTimePreKeys && !otk) {
      if (prekeys.HasOneTimePreKey(next_otk)) otk = prekeys.LoadOneTimePreKey(next_otk).value();
      ++next_otk;
    }
    return crypto::MakePreKeyBundle(identity, signed_prekey, otk ? &*otk : nullptr);
  }

  crypto::DeviceAddress address() const { return {user, 1}; }

  crypto::UserId user;
  FuzzRandom rng;
  crypto::IdentityKeyPair identity;
  crypto::SignedPreKey signed_prekey;
  uint32_t next_otk = 1;
  InMemorySessionStore sessions;
  InMemoryPreKeyStore prekeys;
  InMemoryIdentityStore identities;
  crypto::SessionCipher cipher;
};

struct Message {
  crypto::Bytes bytes;
  std::string plaintext;
  bool decrypted = false;
};

std::string AsString(const crypto::SecretBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxSteps) return 0;
  Party alice("alice", 1);
  Party bob("bob", 2);
  std::vector<Message> sent[2];  // [0]: Alice -> Bob, [1]: Bob -> Alice.

  for (size_t step = 0; step < size; ++step) {
    const uint8_t op = data[step];
    const int direction = (op >> 3) & 1;
    Party& from = direction == 0 ? alice : bob;
    Party& to = direction == 0 ? bob : alice;
    std::vector<Message>& queue = sent[direction];
    const unsigned action = op & 7;

    if (action <= 2 || queue.empty()) {  // Send.
      const std::string text = std::string(direction == 0 ? "a" : "b") +
                               std::to_string(queue.size()) + ":" + std::to_string(step);
      crypto::PreKeyBundle bundle = to.Bundle();
      auto ciphertext = from.cipher.Encrypt(to.address(), AsSpan(text), &bundle);
      FUZZ_CHECK(ciphertext.ok());
      FUZZ_CHECK(from.sessions.outstanding_loans() == 0);
      queue.push_back(Message{std::move(ciphertext).value(), text, false});
      continue;
    }
    const size_t window = queue.size() < 16 ? queue.size() : 16;
    Message& message = queue[queue.size() - 1 - (op >> 4) % window];
    if (action == 7) continue;  // Lost for now (maybe delivered later).

    crypto::Bytes bytes = message.bytes;
    const bool tampered = action == 6;
    if (tampered) bytes[(step * 131 + op) % bytes.size()] ^= static_cast<uint8_t>(1 + (op >> 4));
    const std::optional<crypto::Bytes> before = to.sessions.RawRecord(from.address());
    auto decrypted = to.cipher.Decrypt(from.address(), bytes);
    FUZZ_CHECK(to.sessions.outstanding_loans() == 0);
    if (decrypted.ok()) {
      FUZZ_CHECK(!tampered);
      FUZZ_CHECK(!message.decrypted);
      FUZZ_CHECK(AsString(decrypted->plaintext) == message.plaintext);
      message.decrypted = true;
    } else {
      FUZZ_CHECK(tampered || message.decrypted);
      FUZZ_CHECK(to.sessions.RawRecord(from.address()) == before);
    }
  }
  return 0;
}
