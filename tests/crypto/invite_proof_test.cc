// Invite keys and proofs (invite_proof.h): the subkeys are deterministic and
// distinct, a proof verifies only for exactly its statement and key, and a
// proof of the wrong length or under another invite is refused. The
// known-answer values are in tests/vectors/crypto_v3.txt (vectors_test.cc),
// recomputed independently by reference_model.py.
#include "securebase/crypto/invite_proof.h"

#include <gtest/gtest.h>

#include <string_view>

#include "securebase/crypto/keys.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

UserId User(uint8_t first) {
  std::array<uint8_t, kUserIdSize> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(first + i);
  return UserId(bytes);
}

class InviteProofTest : public ::testing::Test {
 protected:
  InviteProofTest()
      : rng_(0x1417E),
        key_(InviteKey::Generate(rng_)),
        keys_(DeriveInviteKeys(key_)),
        therapist_(IdentityKeyPair::Generate(rng_)),
        client_(IdentityKeyPair::Generate(rng_)) {}

  InviteProofStatement Statement() const {
    return InviteProofStatement{User(0xA0), therapist_.public_key(), User(0xB0),
                                client_.public_key()};
  }

  DeterministicRandom rng_;
  InviteKey key_;
  InviteKeys keys_;
  IdentityKeyPair therapist_;
  IdentityKeyPair client_;
};

TEST_F(InviteProofTest, SubkeysAreDeterministicAndDistinct) {
  const InviteKeys again = DeriveInviteKeys(InviteKey::FromBytes(key_.bytes()).value());
  EXPECT_TRUE(ConstantTimeEquals(again.profile_key.bytes(), keys_.profile_key.bytes()));
  EXPECT_TRUE(ConstantTimeEquals(again.proof_key.bytes(), keys_.proof_key.bytes()));
  EXPECT_EQ(again.invite_id, keys_.invite_id);
  EXPECT_FALSE(ConstantTimeEquals(keys_.profile_key.bytes(), keys_.proof_key.bytes()));
  EXPECT_FALSE(ConstantTimeEquals(keys_.profile_key.bytes(), key_.bytes()));
  EXPECT_FALSE(ConstantTimeEquals(keys_.proof_key.bytes(), key_.bytes()));
  const InviteKeys other = DeriveInviteKeys(InviteKey::Generate(rng_));
  EXPECT_NE(other.invite_id, keys_.invite_id);
  EXPECT_FALSE(ConstantTimeEquals(other.proof_key.bytes(), keys_.proof_key.bytes()));
}

TEST_F(InviteProofTest, ProofVerifiesForItsStatement) {
  const InviteProof proof = MakeInviteProof(keys_.proof_key, Statement());
  EXPECT_TRUE(VerifyInviteProof(keys_.proof_key, Statement(), proof).ok());
  // The therapist keeps the proof key in its vault and reads it back.
  const InviteProofKey stored = InviteProofKey::FromBytes(keys_.proof_key.bytes()).value();
  EXPECT_TRUE(VerifyInviteProof(stored, Statement(), proof).ok());
}

// Every field of the statement is bound: a server that links another account
// (another user id or key) or another therapist cannot reuse a genuine proof.
TEST_F(InviteProofTest, ProofFailsForAnyOtherStatementOrKey) {
  const InviteProof proof = MakeInviteProof(keys_.proof_key, Statement());
  const IdentityKeyPair mallory = IdentityKeyPair::Generate(rng_);
  InviteProofStatement changed[4] = {Statement(), Statement(), Statement(), Statement()};
  changed[0].therapist_user_id = User(0xC0);
  changed[1].therapist_identity = mallory.public_key();
  changed[2].client_user_id = User(0xC0);
  changed[3].client_identity = mallory.public_key();
  for (const InviteProofStatement& statement : changed) {
    const Status status = VerifyInviteProof(keys_.proof_key, statement, proof);
    EXPECT_EQ(status.code(), ErrorCode::kBadSignature);
  }
  const InviteKeys other = DeriveInviteKeys(InviteKey::Generate(rng_));
  EXPECT_EQ(VerifyInviteProof(other.proof_key, Statement(), proof).code(),
            ErrorCode::kBadSignature);
  // The swapped roles are another statement too.
  const InviteProofStatement swapped{User(0xB0), client_.public_key(), User(0xA0),
                                     therapist_.public_key()};
  EXPECT_EQ(VerifyInviteProof(keys_.proof_key, swapped, proof).code(), ErrorCode::kBadSignature);
}

TEST_F(InviteProofTest, TamperedOrMisSizedProofIsRefused) {
  InviteProof proof = MakeInviteProof(keys_.proof_key, Statement());
  for (size_t i = 0; i < proof.size(); i += 7) {
    InviteProof bad = proof;
    bad[i] ^= 0x01;
    EXPECT_EQ(VerifyInviteProof(keys_.proof_key, Statement(), bad).code(),
              ErrorCode::kBadSignature);
  }
  EXPECT_EQ(VerifyInviteProof(keys_.proof_key, Statement(), ByteSpan(proof.data(), 31)).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyInviteProof(keys_.proof_key, Statement(), ByteSpan()).code(),
            ErrorCode::kBadSignature);
}

TEST_F(InviteProofTest, KeysOfTheWrongSizeAreRefused) {
  const uint8_t short_key[31] = {};
  EXPECT_EQ(InviteKey::FromBytes(ByteSpan(short_key, sizeof(short_key))).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(InviteProofKey::FromBytes(ByteSpan(short_key, sizeof(short_key))).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace securebase::crypto
