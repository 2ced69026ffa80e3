// Store key encodings: byte order must be numeric order within a prefix.
#include "server/src/store/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace securebase::server::keys {
namespace {

const std::string kUser(16, '\x07');

TEST(KeysTest, BigEndianRoundTrip) {
  std::string out;
  AppendBe32(out, 0x01020304u);
  AppendBe64(out, 0x0a0b0c0d0e0f1011ull);
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x01);
  EXPECT_EQ(ReadBe32(out, 0), 0x01020304u);
  EXPECT_EQ(ReadBe64(out, 4), 0x0a0b0c0d0e0f1011ull);
}

TEST(KeysTest, EnvelopeKeysSortBySeq) {
  std::vector<uint64_t> seqs = {1, 2, 255, 256, 65535, 65536, 1ull << 32, (1ull << 63) + 5, UINT64_MAX};
  std::vector<std::string> encoded;
  for (uint64_t seq : seqs) encoded.push_back(Envelope(kUser, 3, seq));
  std::mt19937 rng(42);
  std::shuffle(encoded.begin(), encoded.end(), rng);
  std::sort(encoded.begin(), encoded.end());
  for (size_t i = 0; i < seqs.size(); ++i) {
    EXPECT_EQ(EnvelopeSeqOf(encoded[i]), seqs[i]);
    EXPECT_EQ(encoded[i].size(), kEnvelopeKeySize);
  }
}

TEST(KeysTest, MailboxesDoNotInterleave) {
  // Every key of device 1 sorts before every key of device 2, and the
  // high-water keys sort after all envelopes.
  std::string last_of_1 = Envelope(kUser, 1, UINT64_MAX);
  std::string first_of_2 = Envelope(kUser, 2, 0);
  EXPECT_LT(last_of_1, first_of_2);
  EXPECT_LT(Envelope(std::string(16, '\xff'), 0xffffffffu, UINT64_MAX), HighWater(std::string(16, '\0'), 0));
  EXPECT_EQ(Envelope(kUser, 2, 9).substr(0, kMailboxPrefixSize), MailboxPrefix(kUser, 2));
}

TEST(KeysTest, PreKeysSortById) {
  EXPECT_LT(PreKey(kUser, 1, 9), PreKey(kUser, 1, 10));
  EXPECT_LT(PreKey(kUser, 1, 0xffffffffu), PreKey(kUser, 2, 0));
  EXPECT_EQ(PreKeyIdOf(PreKey(kUser, 1, 4242)), 4242u);
  EXPECT_EQ(PreKey(kUser, 5, 1).substr(0, 20), PreKeyDevicePrefix(kUser, 5));
}

TEST(KeysTest, AuditKeysSortByTimeThenCounter) {
  EXPECT_LT(Audit(1000, 99), Audit(1001, 0));
  EXPECT_LT(Audit(1000, 1), Audit(1000, 2));
}

TEST(KeysTest, InviteKeysAreTagged) {
  std::string hash(32, 'h');
  EXPECT_EQ(Invite(hash)[0], kInviteRecordTag);
  EXPECT_EQ(InviteIndex(kUser, hash).substr(0, 17), InviteIndexPrefix(kUser));
  EXPECT_LT(Invite(std::string(32, '\xff')), InviteIndexPrefix(std::string(16, '\0')));
}

TEST(KeysTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor(std::string("ab")), std::optional<std::string>("ac"));
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), std::optional<std::string>("b"));
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), std::nullopt);
}

}  // namespace
}  // namespace securebase::server::keys
