// SessionRecord (session_record.h): the current and previous sessions of one
// device, their order under Promote/PromotePrevious, the bound on previous
// sessions, and the versioned format (every malformed blob refused).
#include "securebase/crypto/session_record.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/x3dh.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

class SessionRecordTest : public ::testing::Test {
 protected:
  SessionRecordTest()
      : rng_(0x5EC0ED),
        alice_(IdentityKeyPair::Generate(rng_)),
        bob_(IdentityKeyPair::Generate(rng_)),
        bob_spk_(SignedPreKey::Generate(bob_, 1, rng_)) {}

  // A fresh initiator session (a new base key each time).
  Session NewSession() {
    return Session::Initiate(alice_, MakePreKeyBundle(bob_, bob_spk_, nullptr), rng_).value();
  }

  static Bytes Blob(const SessionRecord& record) {
    SecretBytes s = record.Serialize();
    return Bytes(s.span().begin(), s.span().end());
  }

  DeterministicRandom rng_;
  IdentityKeyPair alice_;
  IdentityKeyPair bob_;
  SignedPreKey bob_spk_;
};

TEST_F(SessionRecordTest, EmptyRecordHasNoCurrent) {
  SessionRecord record;
  EXPECT_FALSE(record.has_current());
  EXPECT_EQ(record.previous_count(), 0u);
}

TEST_F(SessionRecordTest, PromoteKeepsTheReplacedSessionsNewestFirstUpToTheBound) {
  std::vector<DhPublicKey> bases;
  SessionRecord record;
  for (size_t i = 0; i < kMaxPreviousSessions + 2; ++i) {
    Session s = NewSession();
    bases.push_back(s.base_key());
    record.Promote(std::move(s));
  }
  ASSERT_TRUE(record.has_current());
  EXPECT_EQ(record.current().base_key(), bases.back());
  ASSERT_EQ(record.previous_count(), kMaxPreviousSessions);
  for (size_t i = 0; i < kMaxPreviousSessions; ++i) {
    EXPECT_EQ(record.previous(i).base_key(), bases[bases.size() - 2 - i]) << i;
  }
}

TEST_F(SessionRecordTest, PromotePreviousSwapsWithoutDroppingAnything) {
  Session first = NewSession();
  Session second = NewSession();
  const DhPublicKey a = first.base_key(), b = second.base_key();
  SessionRecord record(std::move(first));
  record.Promote(std::move(second));
  record.PromotePrevious(0);
  EXPECT_EQ(record.current().base_key(), a);
  ASSERT_EQ(record.previous_count(), 1u);
  EXPECT_EQ(record.previous(0).base_key(), b);
}

TEST_F(SessionRecordTest, SerializeRoundTripsByteForByte) {
  SessionRecord record(NewSession());
  record.Promote(NewSession());
  const Bytes blob = Blob(record);
  ASSERT_GE(blob.size(), 2u);
  EXPECT_EQ(blob[0], kSessionRecordVersion);
  EXPECT_EQ(blob[1], 2);
  auto restored = SessionRecord::Deserialize(blob);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->current().base_key(), record.current().base_key());
  ASSERT_EQ(restored->previous_count(), 1u);
  EXPECT_EQ(restored->previous(0).base_key(), record.previous(0).base_key());
  EXPECT_EQ(Blob(*restored), blob);
}

TEST_F(SessionRecordTest, DeserializeRefusesMalformedBlobs) {
  SessionRecord record(NewSession());
  record.Promote(NewSession());
  const Bytes good = Blob(record);
  auto refused = [](const Bytes& blob) {
    auto r = SessionRecord::Deserialize(blob);
    return !r.ok() && r.status().code() == ErrorCode::kInvalidMessage;
  };
  EXPECT_TRUE(refused({}));
  EXPECT_TRUE(refused({kSessionRecordVersion}));
  EXPECT_TRUE(refused({kSessionRecordVersion, 0}));  // No session.
  for (size_t cut = 0; cut < good.size(); cut += 97) {
    EXPECT_TRUE(refused(Bytes(good.begin(), good.begin() + cut))) << "cut at " << cut;
  }
  EXPECT_TRUE(refused(Bytes(good.begin(), good.end() - 1)));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_TRUE(refused(trailing));
  Bytes version = good;
  version[0] = kSessionRecordVersion + 1;
  EXPECT_TRUE(refused(version));
  Bytes too_many = good;
  too_many[1] = static_cast<uint8_t>(kMaxPreviousSessions + 2);
  EXPECT_TRUE(refused(too_many));
  Bytes bad_length = good;
  bad_length[2] = 0xff;  // First session's length far beyond the blob.
  EXPECT_TRUE(refused(bad_length));
  Bytes bad_state = good;
  bad_state[6] ^= 0xff;  // The first session's own version byte.
  EXPECT_TRUE(refused(bad_state));
}

}  // namespace
}  // namespace securebase::crypto
