// Known-answer transcript (tests/vectors/crypto_v3.txt): the library, run
// with the fixed-seed deterministic RNG, must produce exactly the recorded
// identities, signatures, device binding, bundle, X3DH secrets, the first
// three messages each way and the safety numbers. Any change to a format, a
// KDF label or a derivation fails here; the same file is recomputed
// independently by tests/vectors/reference_model.py (PyNaCl).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/vectors/transcript.h"

#ifndef SECUREBASE_VECTORS_FILE
#error "SECUREBASE_VECTORS_FILE must name tests/vectors/crypto_v3.txt"
#endif

namespace securebase::vectors {
namespace {

TEST(KnownAnswerTest, TranscriptMatchesTheRecordedVectors) {
  std::ifstream file(SECUREBASE_VECTORS_FILE);
  ASSERT_TRUE(file) << SECUREBASE_VECTORS_FILE;
  std::stringstream text;
  text << file.rdbuf();
  std::vector<std::pair<std::string, std::string>> recorded;
  ASSERT_TRUE(ParseTranscript(text.str(), recorded));
  const auto built = BuildTranscript();
  ASSERT_GT(recorded.size(), 40u);
  std::map<std::string, std::string> expected(recorded.begin(), recorded.end());
  ASSERT_EQ(expected.size(), recorded.size()) << "duplicate names in the vector file";
  for (const auto& [name, value] : built) {
    auto found = expected.find(name);
    ASSERT_NE(found, expected.end()) << name << " is not in the vector file";
    EXPECT_EQ(value, found->second) << name;
    expected.erase(found);
  }
  EXPECT_TRUE(expected.empty()) << expected.size() << " recorded values not produced, e.g. "
                                << (expected.empty() ? "" : expected.begin()->first);
}

TEST(KnownAnswerTest, FileFormatRoundTrips) {
  const auto built = BuildTranscript();
  std::vector<std::pair<std::string, std::string>> parsed;
  ASSERT_TRUE(ParseTranscript(FormatTranscript(built), parsed));
  EXPECT_EQ(parsed, built);
  EXPECT_FALSE(ParseTranscript("no equals sign\n", parsed));
}

}  // namespace
}  // namespace securebase::vectors
