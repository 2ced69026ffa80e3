// Known-answer transcripts: the library, run with a fixed-seed deterministic
// RNG, must produce exactly the recorded values. Any change to a format, a
// KDF label or a derivation fails here; the same files are recomputed
// independently by tests/vectors/reference_model.py (PyNaCl).
//   crypto_v3.txt   identities, signatures, device binding, bundle, X3DH
//                   secrets, the first three messages each way, safety numbers
//   linking_v1.txt  link code, provisioning messages, a history archive, a
//                   recovery key and a backup (issue 12). The recorded blobs
//                   must also keep reading with today's readers: a backup
//                   written by this version restores in every later one.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "securebase/crypto/backup.h"
#include "securebase/crypto/provisioning.h"
#include "securebase/crypto/recovery_key.h"
#include "tests/testing/archive_doubles.h"
#include "tests/testing/hex.h"
#include "tests/vectors/transcript.h"

#ifndef SECUREBASE_VECTORS_FILE
#error "SECUREBASE_VECTORS_FILE must name tests/vectors/crypto_v3.txt"
#endif
#ifndef SECUREBASE_LINKING_VECTORS_FILE
#error "SECUREBASE_LINKING_VECTORS_FILE must name tests/vectors/linking_v1.txt"
#endif

namespace securebase::vectors {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries Load(const char* path) {
  std::ifstream file(path);
  EXPECT_TRUE(file) << path;
  std::stringstream text;
  text << file.rdbuf();
  Entries recorded;
  EXPECT_TRUE(ParseTranscript(text.str(), recorded)) << path;
  return recorded;
}

void ExpectRecorded(const Entries& recorded, const Entries& built) {
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

TEST(KnownAnswerTest, TranscriptMatchesTheRecordedVectors) {
  const Entries recorded = Load(SECUREBASE_VECTORS_FILE);
  ASSERT_GT(recorded.size(), 40u);
  ExpectRecorded(recorded, BuildTranscript());
}

TEST(KnownAnswerTest, LinkingTranscriptMatchesTheRecordedVectors) {
  const Entries recorded = Load(SECUREBASE_LINKING_VECTORS_FILE);
  ASSERT_GT(recorded.size(), 20u);
  ExpectRecorded(recorded, BuildLinkingTranscript());
}

TEST(KnownAnswerTest, FileFormatRoundTrips) {
  for (const Entries& built : {BuildTranscript(), BuildLinkingTranscript()}) {
    Entries parsed;
    ASSERT_TRUE(ParseTranscript(FormatTranscript(built), parsed));
    EXPECT_EQ(parsed, built);
  }
  Entries parsed;
  EXPECT_FALSE(ParseTranscript("no equals sign\n", parsed));
}

// The recorded v1 blobs, read with today's parsers and readers.
class RecordedLinkingBlobs : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [name, value] : Load(SECUREBASE_LINKING_VECTORS_FILE)) v_[name] = value;
  }
  crypto::Bytes Hex(const std::string& name) { return testing::FromHex(v_.at(name)); }
  std::string Text(const std::string& name) {
    const std::string& quoted = v_.at(name);
    return quoted.substr(1, quoted.size() - 2);
  }
  std::vector<std::string> Records() {
    std::vector<std::string> out;
    for (int i = 1; i <= std::stoi(v_.at("archive_record_count")); ++i) {
      out.push_back(Text("archive_record_" + std::to_string(i)));
    }
    return out;
  }
  std::map<std::string, std::string> v_;
};

TEST_F(RecordedLinkingBlobs, TheLinkCodeTextParses) {
  const auto code = crypto::LinkCode::ParseText(Text("link_code_text"));
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(code->Serialize(), Hex("link_code"));
}

TEST_F(RecordedLinkingBlobs, TheRecoveryKeyTextParses) {
  const auto key = crypto::RecoveryKey::Parse(Text("recovery_key_text"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const crypto::Bytes bytes = Hex("recovery_key");
  EXPECT_TRUE(crypto::ConstantTimeEquals(key->bytes(), bytes));
}

TEST_F(RecordedLinkingBlobs, TheHistoryArchiveReads) {
  const auto key = crypto::ArchiveKey::FromBytes(Hex("history_key"));
  ASSERT_TRUE(key.ok());
  crypto::ArchiveReader reader(*key, crypto::ArchiveKind::kHistoryTransfer);
  testing::RecordCollector records;
  ASSERT_TRUE(reader.Feed(Hex("archive"), records).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(records.records, Records());
}

TEST_F(RecordedLinkingBlobs, TheBackupRestores) {
  const auto key = crypto::RecoveryKey::Parse(Text("recovery_key_text"));
  ASSERT_TRUE(key.ok());
  crypto::BackupReader reader(*key);
  testing::RecordCollector records;
  const auto status = reader.Feed(Hex("backup"), records);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(records.records, Records());
  EXPECT_EQ(reader.info()->created_at_unix_seconds, std::stoull(v_.at("backup_created_at")));
}

}  // namespace
}  // namespace securebase::vectors
