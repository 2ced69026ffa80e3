// Recovery keys (recovery_key.h): 64 characters a person copies by hand. A
// mistyped key must read "that recovery key has a typo", never "wrong key";
// the text never repeats a character of the key in an error; a key from a
// newer app says so.
#include "securebase/crypto/recovery_key.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/provisioning.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/must.h"
#include "tests/testing/typed_code_model.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::Must;

std::string IndependentText(uint8_t version, ByteSpan key) {
  Bytes bytes(1 + key.size());
  bytes[0] = version;
  std::copy(key.begin(), key.end(), bytes.begin() + 1);
  return ::securebase::testing::TypedCodeText("SecureBase/v1/recovery-key-check", 7, bytes);
}

std::string Text(const RecoveryKey& key) { return std::string(AsStringView(key.ToText().span())); }

std::string Compact(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != '-') out += c;
  }
  return out;
}

class RecoveryKeyTest : public ::testing::Test {
 protected:
  DeterministicRandom rng_{3};
  RecoveryKey key_ = RecoveryKey::Generate(rng_);
};

TEST_F(RecoveryKeyTest, IsSixtyFourCharactersInSixteenGroups) {
  const std::string text = Text(key_);
  EXPECT_EQ(text.size(), 64u + 15u);
  EXPECT_EQ(Compact(text).size(), kRecoveryKeyTextLength);
  EXPECT_EQ(text[0], '0');  // The version byte's high bits.
  for (size_t i = 4; i < text.size(); i += 5) EXPECT_EQ(text[i], '-') << i;
  EXPECT_EQ(text, IndependentText(kRecoveryKeyVersion, key_.bytes()));
  EXPECT_EQ(key_.bytes().size(), kRecoveryKeySize);
}

TEST_F(RecoveryKeyTest, ParsesBackToTheSameKeyHoweverItIsTyped) {
  const std::string text = Text(key_);
  std::string lower, spaced, lookalikes;
  for (char c : Compact(text)) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    spaced += c;
    if (spaced.size() % 5 == 4) spaced += ' ';
    lookalikes += c == '0' ? 'o' : c == '1' ? 'L' : c;
  }
  for (const std::string& variant :
       {text, Compact(text), lower, spaced, lookalikes, "  " + text + "\n",
        text.substr(0, 40) + "\n" + text.substr(40)}) {
    auto parsed = RecoveryKey::Parse(variant);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_TRUE(parsed->Equals(key_));
  }
}

TEST_F(RecoveryKeyTest, ATypoIsATypoNeverAWrongKey) {
  const std::string compact = Compact(Text(key_));
  for (size_t i = 0; i < compact.size(); ++i) {
    for (char replacement : {'0', '9', 'A', 'X'}) {
      if (compact[i] == replacement) continue;
      std::string typo = compact;
      typo[i] = replacement;
      const auto parsed = RecoveryKey::Parse(typo);
      ASSERT_EQ(parsed.status().code(), ErrorCode::kInvalidMessage) << i;
      EXPECT_EQ(parsed.status().message(),
                "this recovery key has a typo: its check characters do not match the rest; "
                "compare it character by character");
    }
    if (i + 1 < compact.size() && compact[i] != compact[i + 1]) {
      std::string swapped = compact;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_EQ(RecoveryKey::Parse(swapped).status().code(), ErrorCode::kInvalidMessage) << i;
    }
  }
}

TEST_F(RecoveryKeyTest, MissingExtraAndForeignCharactersAreNamed) {
  const std::string text = Text(key_);
  EXPECT_EQ(RecoveryKey::Parse(text.substr(1)).status().message(),
            "a recovery key has 64 characters; this one has 63");
  EXPECT_EQ(RecoveryKey::Parse(text + "7").status().message(),
            "a recovery key has 64 characters; this one has 65");
  std::string foreign = text;
  foreign[20] = 'U';
  const auto parsed = RecoveryKey::Parse(foreign);
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(parsed.status().message(),
            "character 21 cannot be part of a recovery key (it uses the digits 0-9 and the "
            "letters A-Z except U)");
  // A link code is not a recovery key.
  DeterministicRandom rng(1);
  const PendingLink link = PendingLink::Generate(0, rng);
  EXPECT_EQ(RecoveryKey::Parse(link.code().ToText()).status().message(),
            "a recovery key has 64 characters; this one has 88");
}

TEST_F(RecoveryKeyTest, ErrorsNeverRepeatTheKeysCharacters) {
  const std::string compact = Compact(Text(key_));
  std::string typo = compact;
  typo[5] = typo[5] == 'Q' ? 'R' : 'Q';
  for (const std::string& bad : {typo, compact.substr(3), compact + "U"}) {
    const std::string message = RecoveryKey::Parse(bad).status().message();
    for (size_t i = 0; i + 4 <= compact.size(); ++i) {
      EXPECT_EQ(message.find(compact.substr(i, 4)), std::string::npos) << message;
    }
  }
}

TEST_F(RecoveryKeyTest, AKeyFromANewerVersionSaysSo) {
  const auto parsed = RecoveryKey::Parse(IndependentText(2, key_.bytes()));
  EXPECT_EQ(parsed.status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_NE(parsed.status().message().find("newer SecureBase"), std::string::npos);
  EXPECT_EQ(RecoveryKey::Parse(IndependentText(0, key_.bytes())).status().message(),
            "this is not a SecureBase recovery key");
}

TEST_F(RecoveryKeyTest, KeysAreRandomAndCompareInConstantTime) {
  const RecoveryKey other = RecoveryKey::Generate(rng_);
  EXPECT_FALSE(other.Equals(key_));
  EXPECT_TRUE(key_.Clone().Equals(key_));
  EXPECT_NE(Text(other), Text(key_));
}

}  // namespace
}  // namespace securebase::crypto
