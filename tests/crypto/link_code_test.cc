// Link codes (provisioning.h): the 49-byte form and the typed/scanned text.
// A person mistyping a code must get "typo", "missing character" or "this
// character cannot be in a code", never a cryptographic failure later; a code
// from a newer app says so. The text is checked against an independent
// Crockford base32 encoder and BLAKE2b checksum written from the spec
// (tests/testing/typed_code_model.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "securebase/crypto/provisioning.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/must.h"
#include "tests/testing/typed_code_model.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::Must;

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string IndependentText(const Bytes& bytes) {
  return ::securebase::testing::TypedCodeText("SecureBase/v1/link-code-check", 6, bytes);
}

class LinkCodeTest : public ::testing::Test {
 protected:
  DeterministicRandom rng_{7};
  PendingLink link_ = PendingLink::Generate(1'767'225'600, rng_);
  const LinkCode& code_ = link_.code();
};

TEST_F(LinkCodeTest, SerializesToVersionKeyAndChannel) {
  const Bytes bytes = code_.Serialize();
  ASSERT_EQ(bytes.size(), kLinkCodeSize);
  EXPECT_EQ(bytes[0], kLinkCodeVersion);
  EXPECT_TRUE(std::equal(bytes.begin() + 1, bytes.begin() + 33, code_.public_key.span().begin()));
  EXPECT_TRUE(std::equal(bytes.begin() + 33, bytes.end(), code_.channel_id.span().begin()));
  EXPECT_EQ(Must(LinkCode::Parse(bytes), "Parse"), code_);
}

TEST_F(LinkCodeTest, TextIsGroupedUpperCaseCrockfordWithAChecksum) {
  const std::string text = code_.ToText();
  EXPECT_EQ(text, IndependentText(code_.Serialize()));
  EXPECT_EQ(text.size(), kLinkCodeTextLength + kLinkCodeTextLength / 4 - 1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (i % 5 == 4) {
      EXPECT_EQ(text[i], '-') << i;
    } else {
      EXPECT_NE(std::string(kCrockford).find(text[i]), std::string::npos) << i;
    }
  }
  EXPECT_EQ(Must(LinkCode::ParseText(text), "ParseText"), code_);
}

TEST_F(LinkCodeTest, ParsingForgivesCaseSeparatorsAndLookalikes) {
  const std::string text = code_.ToText();
  std::string compact, spaced, lower, lookalikes;
  for (char c : text) {
    if (c == '-') {
      spaced += "  ";
      continue;
    }
    compact += c;
    spaced += c;
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    lookalikes += c == '0' ? 'O' : c == '1' ? (lookalikes.size() % 2 ? 'l' : 'I') : c;
  }
  for (const std::string& variant :
       {compact, spaced, lower, lookalikes, "\n" + text + "\r\n", "\t" + compact}) {
    auto parsed = LinkCode::ParseText(variant);
    ASSERT_TRUE(parsed.ok()) << variant << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, code_);
  }
}

TEST_F(LinkCodeTest, EverySingleCharacterTypoIsCaughtAsATypo) {
  std::string compact;
  for (char c : code_.ToText()) {
    if (c != '-') compact += c;
  }
  int checked = 0;
  for (size_t i = 0; i < compact.size(); ++i) {
    for (char replacement : {'0', '7', 'K', 'Z'}) {
      if (compact[i] == replacement) continue;
      std::string typo = compact;
      typo[i] = replacement;
      const auto parsed = LinkCode::ParseText(typo);
      ASSERT_EQ(parsed.status().code(), ErrorCode::kInvalidMessage) << i;
      EXPECT_EQ(parsed.status().message(),
                "this link code has a typo: its check characters do not match the rest; compare "
                "it character by character");
      ++checked;
    }
    if (i + 1 < compact.size() && compact[i] != compact[i + 1]) {
      std::string swapped = compact;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_EQ(LinkCode::ParseText(swapped).status().code(), ErrorCode::kInvalidMessage);
    }
  }
  EXPECT_GT(checked, 300);
}

TEST_F(LinkCodeTest, AMissingOrExtraCharacterIsNamedAsSuch) {
  std::string text = code_.ToText();
  std::string missing = text;
  missing.erase(10, 1);
  auto parsed = LinkCode::ParseText(missing);
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(parsed.status().message(), "a link code has 88 characters; this one has 87");
  parsed = LinkCode::ParseText(text + "A");
  EXPECT_EQ(parsed.status().message(), "a link code has 88 characters; this one has 89");
  parsed = LinkCode::ParseText("");
  EXPECT_EQ(parsed.status().message(), "a link code has 88 characters; this one has 0");
  parsed = LinkCode::ParseText(text.substr(0, 40));
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(LinkCodeTest, ACharacterOutsideTheAlphabetIsNamedByPosition) {
  std::string text = code_.ToText();
  for (char bad : {'U', 'u', '!', '_', '\x80', '\0'}) {
    std::string wrong = text;
    wrong[6] = bad;  // The 7th character of the text (dashes count).
    const auto parsed = LinkCode::ParseText(wrong);
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidMessage);
    EXPECT_EQ(parsed.status().message(),
              "character 7 cannot be part of a link code (it uses the digits 0-9 and the letters "
              "A-Z except U)");
  }
}

TEST_F(LinkCodeTest, ACodeFromANewerVersionSaysSo) {
  for (uint8_t version : {uint8_t{2}, uint8_t{0xff}}) {
    Bytes bytes = code_.Serialize();
    bytes[0] = version;
    EXPECT_EQ(LinkCode::Parse(bytes).status().code(), ErrorCode::kUnsupportedVersion);
    const auto parsed = LinkCode::ParseText(IndependentText(bytes));
    EXPECT_EQ(parsed.status().code(), ErrorCode::kUnsupportedVersion);
    EXPECT_NE(parsed.status().message().find("newer SecureBase"), std::string::npos);
    // A newer version may be longer: still told apart from a typo.
    bytes.resize(bytes.size() + 5, 0x42);
    EXPECT_EQ(LinkCode::ParseText(IndependentText(bytes)).status().code(),
              ErrorCode::kUnsupportedVersion);
  }
  Bytes zero = code_.Serialize();
  zero[0] = 0;
  EXPECT_EQ(LinkCode::ParseText(IndependentText(zero)).status().message(),
            "not a SecureBase link code");
  EXPECT_EQ(LinkCode::Parse(zero).status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(LinkCodeTest, MalformedBytesAreRefused) {
  const Bytes bytes = code_.Serialize();
  EXPECT_EQ(LinkCode::Parse(ByteSpan(bytes).first(48)).status().code(), ErrorCode::kInvalidMessage);
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(LinkCode::Parse(longer).status().code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(LinkCode::Parse(ByteSpan()).status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(LinkCodeTest, EachAttemptHasItsOwnKeyAndChannel) {
  const PendingLink other = PendingLink::Generate(1'767'225'600, rng_);
  EXPECT_NE(other.code().public_key, code_.public_key);
  EXPECT_NE(other.code().channel_id, code_.channel_id);
  EXPECT_NE(other.code().ToText(), code_.ToText());
  EXPECT_EQ(link_.created_at_unix_seconds(), 1'767'225'600u);
}

}  // namespace
}  // namespace securebase::crypto
