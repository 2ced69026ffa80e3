// Messages and session states of the legacy formats (commit e8ce7d0, before
// every format had its own version byte) still decrypt and load after the
// upgrade: envelopes queued in server mailboxes and sessions sealed in vaults
// at upgrade time must not be lost. The vectors were produced by that
// commit's code (tests/vectors/legacy_e8ce7d0.h).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/status.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/hex.h"
#include "tests/vectors/legacy_e8ce7d0.h"

namespace securebase::crypto {
namespace {

namespace legacy = ::securebase::vectors::legacy;
using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::FromHex;

std::string Text(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class LegacyFormatTest : public ::testing::Test {
 protected:
  std::string Decrypt(Session& session, std::string_view hex) {
    auto plaintext = session.Decrypt(FromHex(hex), rng_);
    if (!plaintext.ok()) return "error: " + plaintext.status().ToString();
    return Text(*plaintext);
  }
  ErrorCode Refusal(Session& session, std::string_view hex) {
    const SecretBytes before = session.Serialize();
    auto plaintext = session.Decrypt(FromHex(hex), rng_);
    EXPECT_TRUE(session.Serialize().Equals(before)) << "a refusal changed the state";
    return plaintext.ok() ? ErrorCode::kOk : plaintext.status().code();
  }
  static Session Load(std::string_view hex) {
    auto session = Session::Deserialize(FromHex(hex));
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    return std::move(session).value();
  }

  DeterministicRandom rng_{0x1e6ac8};
};

TEST_F(LegacyFormatTest, VectorsAreInTheLegacyFormats) {
  EXPECT_EQ(FromHex(legacy::kA0)[0], kLegacyInitialMessageVersion);
  EXPECT_EQ(FromHex(legacy::kA1)[0], kLegacyRatchetMessageVersion);
  EXPECT_EQ(FromHex(legacy::kBobStateV1)[0], kLegacySessionStateVersion);
  auto parsed = ParseInitialMessage(FromHex(legacy::kA0b));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->format_version, kLegacyInitialMessageVersion);
  EXPECT_EQ(parsed->header.signed_prekey_id, legacy::kBobSignedPreKeyId);
  EXPECT_EQ(parsed->header.one_time_prekey_id, legacy::kBobOneTimePreKeyId);
}

// A legacy first message still in the mailbox starts a session after the
// upgrade, and the conversation goes on in the current format.
TEST_F(LegacyFormatTest, LegacyInitialMessageIsAcceptedAndTheSessionContinues) {
  auto bob = IdentityKeyPair::FromSeed(FromHex(legacy::kBobIdentitySeed));
  auto spk_key = DhKeyPair::FromPrivateKey(FromHex(legacy::kBobSignedPreKeyPrivate));
  auto otk_key = DhKeyPair::FromPrivateKey(FromHex(legacy::kBobOneTimePreKeyPrivate));
  ASSERT_TRUE(bob.ok() && spk_key.ok() && otk_key.ok());
  const SignedPreKey spk{legacy::kBobSignedPreKeyId, std::move(spk_key).value(), Signature()};
  const OneTimePreKey otk{legacy::kBobOneTimePreKeyId, std::move(otk_key).value()};
  auto accepted = Session::Accept(*bob, spk, &otk, FromHex(legacy::kA0), rng_);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(Text(accepted->plaintext), "legacy a0");
  Session& session = accepted->session;
  EXPECT_EQ(Decrypt(session, legacy::kA0b), "legacy a0b");
  // Bob never sent b0 in this run, so Alice's chain after b0 is not his: the
  // legacy ratchet messages a1..a4 belong to the session whose reply she got.
  EXPECT_EQ(Refusal(session, legacy::kA0), ErrorCode::kDuplicateMessage);
  const Bytes reply = *session.Encrypt(ByteSpan(), rng_);
  EXPECT_EQ(reply[0], kMessageVersion);
}

// A legacy state blob loads, its skipped keys (two chains) still work, legacy
// messages still decrypt, and both sides continue in the current format.
TEST_F(LegacyFormatTest, LegacyStatesLoadAndTheConversationContinues) {
  Session bob = Load(legacy::kBobStateV1);
  Session alice = Load(legacy::kAliceStateV1);
  EXPECT_EQ(bob.skipped_key_count(), 2u);  // a0b (first chain) and a2 (second).
  EXPECT_EQ(Decrypt(bob, legacy::kA4), "legacy a4");
  EXPECT_EQ(Decrypt(bob, legacy::kA2), "legacy a2");
  EXPECT_EQ(Decrypt(bob, legacy::kA0b), "legacy a0b");
  EXPECT_EQ(bob.skipped_key_count(), 0u);
  EXPECT_EQ(Decrypt(alice, legacy::kB1), "legacy b1");
  // Replays. a1, a3 and a4 were decrypted, in the chain that is not the
  // oldest in the blob, which v1's oldest-first eviction cannot have touched:
  // duplicates. a0 lies below the oldest key v1 kept in the oldest chain;
  // v1 did not record evictions, so it loads as evicted: refused as
  // undecryptable, never claimed as a duplicate (ratchet_state.cc).
  EXPECT_EQ(Refusal(bob, legacy::kA1), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(Refusal(bob, legacy::kA3), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(Refusal(bob, legacy::kA4), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(Refusal(bob, legacy::kA0), ErrorCode::kUndecryptableMessage);
  EXPECT_EQ(Refusal(alice, legacy::kB1), ErrorCode::kDuplicateMessage);
  // Alice's v1 blob held no skipped key at all, so v1 may have evicted all of
  // her current chain's: b0 (decrypted before the upgrade) reads as evicted.
  EXPECT_EQ(Refusal(alice, legacy::kB0), ErrorCode::kUndecryptableMessage);

  for (int i = 0; i < 3; ++i) {
    auto to_bob = alice.Encrypt(ByteSpan(), rng_);
    ASSERT_TRUE(to_bob.ok());
    EXPECT_EQ((*to_bob)[0], kMessageVersion);
    EXPECT_EQ(bob.Decrypt(*to_bob, rng_).status().code(), ErrorCode::kOk);
    auto to_alice = bob.Encrypt(ByteSpan(), rng_);
    ASSERT_TRUE(to_alice.ok());
    EXPECT_EQ(alice.Decrypt(*to_alice, rng_).status().code(), ErrorCode::kOk);
  }
  // Saved again, the states are v2 and load back to the same bytes.
  for (const Session* session : {&alice, &bob}) {
    const SecretBytes state = session->Serialize();
    ASSERT_EQ(state.data()[0], kSessionStateVersion);
    auto reloaded = Session::Deserialize(state.span());
    ASSERT_TRUE(reloaded.ok());
    EXPECT_TRUE(reloaded->Serialize().Equals(state));
  }
}

TEST_F(LegacyFormatTest, TamperedLegacyMessagesAreRefused) {
  Session bob = Load(legacy::kBobStateV1);
  const Bytes a2 = FromHex(legacy::kA2);
  for (size_t i = 0; i < a2.size(); i += 7) {
    Bytes tampered = a2;
    tampered[i] ^= 0x01;
    const SecretBytes before = bob.Serialize();
    auto result = bob.Decrypt(tampered, rng_);
    ASSERT_FALSE(result.ok()) << i;
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidMessage) << i;
    EXPECT_TRUE(bob.Serialize().Equals(before));
  }
  EXPECT_EQ(Decrypt(bob, legacy::kA2), "legacy a2");
}

}  // namespace
}  // namespace securebase::crypto
