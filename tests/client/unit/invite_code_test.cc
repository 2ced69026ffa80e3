// Invite codes (client/src/invite_code.h): the "sb1-" base32 format, its
// tolerant parsing (case, dashes, spaces), every way a code is refused, and the
// key pin that verifies the therapist's identity key on first contact.
#include "client/src/invite_code.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/safety_number.h"
#include "securebase/crypto/secret_box.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::client {
namespace {

constexpr size_t kProfileKeySize = crypto::kSecretBoxKeySize;  // 32.
// 1 version byte + 16 + 32 + 16 = 65 bytes = 520 bits = exactly 104 base32
// characters, printed as 13 groups of 8.
constexpr size_t kPayloadSize = 1 + kInviteSecretSize + kProfileKeySize + kInviteKeyPinSize;
constexpr size_t kEncodedChars = 104;

std::string RandomString(crypto::RandomSource& rng, size_t size) {
  std::string out(size, '\0');
  rng.Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  return out;
}

InviteCode MakeCode(uint64_t seed) {
  testing::DeterministicRandom rng(seed);
  InviteCode code;
  code.invite_secret = RandomString(rng, kInviteSecretSize);
  const std::string key = RandomString(rng, kProfileKeySize);
  code.profile_key = crypto::SecretBytes::CopyOf(
      crypto::ByteSpan(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  code.key_pin = RandomString(rng, kInviteKeyPinSize);
  return code;
}

void ExpectSameCode(const InviteCode& expected, const InviteCode& actual) {
  EXPECT_EQ(actual.invite_secret, expected.invite_secret);
  EXPECT_TRUE(actual.profile_key.Equals(expected.profile_key));
  EXPECT_EQ(actual.key_pin, expected.key_pin);
}

// An independent RFC 4648 base32 encoder (lowercase, no '=' padding), to build
// codes the formatter would never produce.
std::string Base32(const std::vector<uint8_t>& bytes) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::vector<uint8_t> Payload(uint8_t version, const InviteCode& code) {
  std::vector<uint8_t> out{version};
  out.insert(out.end(), code.invite_secret.begin(), code.invite_secret.end());
  out.insert(out.end(), code.profile_key.data(), code.profile_key.data() + code.profile_key.size());
  out.insert(out.end(), code.key_pin.begin(), code.key_pin.end());
  return out;
}

// The formatted code without its "sb1-" prefix and dashes.
std::string Compact(const std::string& formatted) {
  std::string out;
  for (char c : formatted.substr(4)) {
    if (c != '-') out += c;
  }
  return out;
}

TEST(InviteCode, RoundTrip) {
  for (uint64_t seed : {1, 2, 3}) {
    const InviteCode code = MakeCode(seed);
    const std::string text = FormatInviteCode(code);
    auto parsed = ParseInviteCode(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    ExpectSameCode(code, *parsed);
  }
}

TEST(InviteCode, FormatIsPrefixAndGroupsOfEight) {
  const std::string text = FormatInviteCode(MakeCode(7));
  ASSERT_EQ(text.size(), 4 + kEncodedChars + 12) << text;
  EXPECT_EQ(text.substr(0, 4), "sb1-");
  const std::string body = text.substr(4);
  for (size_t i = 0; i < body.size(); ++i) {
    if (i % 9 == 8) {
      EXPECT_EQ(body[i], '-') << "at " << i << " in " << text;
    } else {
      const char c = body[i];
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << "at " << i << " in " << text;
    }
  }
}

TEST(InviteCode, KnownAnswerAllZeroFields) {
  InviteCode code;
  code.invite_secret.assign(kInviteSecretSize, '\0');
  code.profile_key = crypto::SecretBytes(kProfileKeySize);
  code.key_pin.assign(kInviteKeyPinSize, '\0');
  // 0x01 then 64 zero bytes: 00000 00100 00000 ... = "ae" then 102 'a'.
  std::string expected = "sb1-ae" + std::string(6, 'a');
  for (int group = 1; group < 13; ++group) expected += "-" + std::string(8, 'a');
  EXPECT_EQ(FormatInviteCode(code), expected);
}

TEST(InviteCode, MatchesAnIndependentBase32Encoder) {
  const InviteCode code = MakeCode(11);
  EXPECT_EQ(Compact(FormatInviteCode(code)), Base32(Payload(1, code)));
}

TEST(InviteCode, ParsingIgnoresCase) {
  const InviteCode code = MakeCode(21);
  const std::string text = FormatInviteCode(code);

  std::string upper = text;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto parsed = ParseInviteCode(upper);
  ASSERT_TRUE(parsed.has_value()) << upper;
  ExpectSameCode(code, *parsed);

  // Alternate case in the body only.
  std::string mixed = text;
  for (size_t i = 4; i < mixed.size(); i += 2) {
    mixed[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[i])));
  }
  parsed = ParseInviteCode(mixed);
  ASSERT_TRUE(parsed.has_value()) << mixed;
  ExpectSameCode(code, *parsed);
}

// The header promises that case is ignored; a phone keyboard capitalises the
// first letter of what is typed, giving "Sb1-...".
TEST(InviteCode, ParsingIgnoresCaseOfThePrefixToo) {
  const InviteCode code = MakeCode(22);
  const std::string text = FormatInviteCode(code);
  for (const std::string prefix : {"Sb1", "sB1"}) {
    const std::string typed = prefix + text.substr(3);
    auto parsed = ParseInviteCode(typed);
    ASSERT_TRUE(parsed.has_value()) << typed;
    ExpectSameCode(code, *parsed);
  }
}

TEST(InviteCode, ParsingIgnoresDashesAndSpaces) {
  const InviteCode code = MakeCode(31);
  const std::string text = FormatInviteCode(code);
  const std::string compact = Compact(text);

  std::vector<std::string> variants;
  variants.push_back("sb1" + compact);   // No dashes at all.
  variants.push_back("sb1-" + compact);  // Only the prefix dash.
  std::string spaced = text;
  for (char& c : spaced) {
    if (c == '-') c = ' ';
  }
  variants.push_back(spaced);               // Spaces instead of dashes.
  variants.push_back("  " + text + " \n");  // Surrounding whitespace.
  std::string scattered = "s-b-1";
  for (size_t i = 0; i < compact.size(); ++i) {
    scattered += compact[i];
    if (i % 3 == 0) scattered += "- ";
    if (i % 13 == 0) scattered += "\t";
  }
  variants.push_back(scattered);  // Separators anywhere.
  for (const std::string& v : variants) {
    auto parsed = ParseInviteCode(v);
    ASSERT_TRUE(parsed.has_value()) << v;
    ExpectSameCode(code, *parsed);
  }
}

TEST(InviteCode, RejectsAWrongPrefix) {
  const std::string compact = Compact(FormatInviteCode(MakeCode(41)));
  for (const std::string prefix : {"", "sb2-", "sb0-", "sc1-", "xsb1-", "s1-", "sb-", "sbi-"}) {
    EXPECT_FALSE(ParseInviteCode(prefix + compact).has_value()) << prefix;
  }
}

TEST(InviteCode, RejectsAWrongLength) {
  const std::string compact = Compact(FormatInviteCode(MakeCode(51)));
  ASSERT_EQ(compact.size(), kEncodedChars);
  EXPECT_FALSE(ParseInviteCode("").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact.substr(0, kEncodedChars - 1)).has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact.substr(0, kEncodedChars - 8)).has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact + "a").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact + "aaaaaaaa").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact + compact).has_value());
}

TEST(InviteCode, RejectsANonBase32Character) {
  const std::string text = FormatInviteCode(MakeCode(61));
  for (char bad : {'0', '1', '8', '9', '=', '!', '_', '.', '\xC3', '\0'}) {
    for (size_t pos : {size_t{4}, size_t{40}, text.size() - 1}) {
      std::string broken = text;
      ASSERT_NE(broken[pos], '-');
      broken[pos] = bad;
      EXPECT_FALSE(ParseInviteCode(broken).has_value())
          << "char " << static_cast<int>(static_cast<unsigned char>(bad)) << " at " << pos;
    }
  }
}

// 65 bytes fill 104 characters exactly, so a canonical code has no padding
// bits. Any trailing bits the parser would have to drop make it non-canonical.
TEST(InviteCode, RejectsNonCanonicalTrailingBits) {
  const InviteCode code = MakeCode(71);
  const std::string compact = Compact(FormatInviteCode(code));
  // 105 characters: 65 bytes and 5 leftover bits, zero or not.
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact + "a").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact + "b").has_value());
  EXPECT_FALSE(ParseInviteCode("sb1-" + compact + "7").has_value());
  // A 66-byte payload ending in non-zero padding bits: 106 characters hold
  // 66 bytes and 2 padding bits.
  std::vector<uint8_t> longer = Payload(1, code);
  longer.push_back(0);
  std::string encoded = Base32(longer);
  ASSERT_EQ(encoded.size(), 106u);
  EXPECT_FALSE(ParseInviteCode("sb1-" + encoded).has_value());
  encoded.back() = 'b';  // Sets a padding bit.
  EXPECT_FALSE(ParseInviteCode("sb1-" + encoded).has_value());
}

TEST(InviteCode, RejectsAWrongVersionByte) {
  const InviteCode code = MakeCode(81);
  ASSERT_TRUE(ParseInviteCode("sb1-" + Base32(Payload(1, code))).has_value());
  for (int version : {0, 2, 0x81, 0xff}) {
    const std::string text = "sb1-" + Base32(Payload(static_cast<uint8_t>(version), code));
    EXPECT_FALSE(ParseInviteCode(text).has_value()) << "version " << version;
  }
}

TEST(InviteCode, ParsedFieldsHaveTheirSizes) {
  auto parsed = ParseInviteCode(FormatInviteCode(MakeCode(91)));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->invite_secret.size(), kInviteSecretSize);
  EXPECT_EQ(parsed->profile_key.size(), kProfileKeySize);
  EXPECT_EQ(parsed->key_pin.size(), kInviteKeyPinSize);
  EXPECT_EQ(Payload(1, *parsed).size(), kPayloadSize);
}

TEST(KeyPin, IsTheFingerprintPrefix) {
  const auto identity = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  const std::string pin = KeyPin(identity.public_key());
  ASSERT_EQ(pin.size(), kInviteKeyPinSize);
  const crypto::IdentityFingerprint fingerprint =
      crypto::FingerprintIdentity(identity.public_key());
  EXPECT_EQ(pin, std::string(reinterpret_cast<const char*>(fingerprint.data()), kInviteKeyPinSize));
  EXPECT_EQ(KeyPin(identity.public_key()), pin);  // Stable.
}

TEST(KeyPin, MatchesOnlyItsKey) {
  const auto therapist = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  const auto impostor = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  const std::string pin = KeyPin(therapist.public_key());
  EXPECT_TRUE(KeyPinMatches(pin, therapist.public_key()));
  EXPECT_FALSE(KeyPinMatches(pin, impostor.public_key()));
  EXPECT_FALSE(KeyPinMatches(KeyPin(impostor.public_key()), therapist.public_key()));

  for (size_t i : {size_t{0}, size_t{7}, kInviteKeyPinSize - 1}) {
    std::string flipped = pin;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_FALSE(KeyPinMatches(flipped, therapist.public_key())) << "byte " << i;
  }
  EXPECT_FALSE(KeyPinMatches("", therapist.public_key()));
  EXPECT_FALSE(KeyPinMatches(pin.substr(0, kInviteKeyPinSize - 1), therapist.public_key()));
  EXPECT_FALSE(KeyPinMatches(pin + '\0', therapist.public_key()));
}

TEST(KeyPin, SurvivesAnInviteCodeRoundTrip) {
  const auto therapist = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  InviteCode code = MakeCode(101);
  code.key_pin = KeyPin(therapist.public_key());
  auto parsed = ParseInviteCode(FormatInviteCode(code));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(KeyPinMatches(parsed->key_pin, therapist.public_key()));
}

}  // namespace
}  // namespace securebase::client
