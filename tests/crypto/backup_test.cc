// Backup files (backup.h): round trips, and the errors a restore must tell
// apart: a wrong recovery key (kWrongKey), a damaged, modified or truncated
// file (kInvalidMessage), a file from a newer SecureBase
// (kUnsupportedVersion). The adversary is whoever holds the file: the
// server keeping an opaque backup blob, or a damaged disk.
#include "securebase/crypto/backup.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"
#include "tests/testing/archive_doubles.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/must.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::FeedInPieces;
using ::securebase::testing::MemoryArchiveSink;
using ::securebase::testing::Must;
using ::securebase::testing::RecordCollector;

constexpr uint64_t kMadeAt = 1'767'225'600;
constexpr uint32_t kChunk = kMinArchiveChunkSize;

ByteSpan Span(const std::string& s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::vector<std::string> Records() {
  std::vector<std::string> records;
  for (int i = 0; i < 40; ++i)
    records.push_back("item " + std::to_string(i) + std::string(i * 9, 'x'));
  return records;
}

struct Backup {
  Bytes bytes;
  BackupInfo info;
  size_t chunks = 0;
};

Backup Write(const RecoveryKey& key, uint64_t seed = 1,
             const std::vector<std::string>& records = Records()) {
  DeterministicRandom rng(seed);
  MemoryArchiveSink sink;
  BackupWriter writer =
      Must(BackupWriter::Start(key, kMadeAt, sink, rng, ArchiveOptions{kChunk}), "Start");
  for (const auto& r : records) EXPECT_TRUE(writer.Add(Span(r)).ok());
  EXPECT_TRUE(writer.Finish().ok());
  return {sink.All(), writer.info(), sink.chunks().size()};
}

// Feeds everything, then Finish: the first error.
Status ReadAll(const RecoveryKey& key, ByteSpan bytes, RecordCollector& records, size_t step = 0) {
  BackupReader reader(key);
  SB_RETURN_IF_ERROR(FeedInPieces(reader, bytes, records, step));
  return reader.Finish();
}

size_t ChunkOffset(const Backup& b, uint64_t index) {
  return b.info.header_size + ArchiveChunkOffset(kChunk, index);
}

class BackupTest : public ::testing::Test {
 protected:
  DeterministicRandom rng_{21};
  RecoveryKey key_ = RecoveryKey::Generate(rng_);
  RecoveryKey other_key_ = RecoveryKey::Generate(rng_);
};

TEST_F(BackupTest, RoundTripsWhateverTheSplit) {
  const Backup b = Write(key_);
  for (size_t step : {size_t{0}, size_t{1}, size_t{40}, size_t{41}, size_t{500}}) {
    RecordCollector records;
    ASSERT_TRUE(ReadAll(key_, b.bytes, records, step).ok()) << step;
    EXPECT_EQ(records.records, Records());
  }
}

TEST_F(BackupTest, TheHeaderIsVersionTimeIdAndKeyCheck) {
  const Backup b = Write(key_);
  ASSERT_GT(b.bytes.size(), kBackupHeaderSize + kArchiveHeaderSize);
  EXPECT_EQ(b.bytes[0], kBackupVersion);
  uint64_t made_at = 0;
  for (int i = 1; i <= 8; ++i) made_at = made_at << 8 | b.bytes[i];
  EXPECT_EQ(made_at, kMadeAt);
  EXPECT_TRUE(std::equal(b.info.backup_id.span().begin(), b.info.backup_id.span().end(),
                         b.bytes.begin() + 9));
  EXPECT_EQ(b.info.format_version, kBackupVersion);
  EXPECT_EQ(b.info.header_size, kBackupHeaderSize);
  // Then the archive, of kind backup, and chunks at their documented offsets.
  EXPECT_EQ(b.bytes[kBackupHeaderSize], kArchiveVersion);
  EXPECT_EQ(b.bytes[kBackupHeaderSize + 1], static_cast<uint8_t>(ArchiveKind::kBackup));
  EXPECT_EQ(b.bytes.size(), ChunkOffset(b, b.chunks));

  const BackupInfo info = Must(ReadBackupInfo(ByteSpan(b.bytes).first(kBackupHeaderSize)), "Info");
  EXPECT_EQ(info.created_at_unix_seconds, kMadeAt);
  EXPECT_EQ(info.backup_id, b.info.backup_id);

  BackupReader reader(key_);
  RecordCollector records;
  EXPECT_FALSE(reader.info().has_value());
  ASSERT_TRUE(reader.Feed(ByteSpan(b.bytes).first(kBackupHeaderSize), records).ok());
  ASSERT_TRUE(reader.info().has_value());
  EXPECT_EQ(reader.info()->created_at_unix_seconds, kMadeAt);
}

TEST_F(BackupTest, TheKeyCheckIsTheDocumentedHkdf) {
  const Backup b = Write(key_);
  const SecretArray<32> prk = HkdfExtract(ByteSpan(), key_.bytes());
  const std::string label = "SecureBase/v1/backup-key-check";
  uint8_t check[16];
  ASSERT_TRUE(HkdfExpand(prk.span(), Span(label), check).ok());
  EXPECT_TRUE(std::equal(check, check + 16, b.bytes.begin() + 25));
}

TEST_F(BackupTest, AWrongRecoveryKeyIsToldApartAndChangesNothing) {
  const Backup b = Write(key_);
  BackupReader reader(other_key_);
  RecordCollector records;
  const Status s = reader.Feed(b.bytes, records);
  EXPECT_EQ(s.code(), ErrorCode::kWrongKey);
  EXPECT_NE(s.message().find("different recovery key"), std::string::npos);
  EXPECT_TRUE(records.records.empty());
  EXPECT_EQ(reader.next_offset(), 0u);
  EXPECT_FALSE(reader.info().has_value());
  EXPECT_EQ(reader.Finish().code(), ErrorCode::kInvalidMessage);
  // Byte by byte too: refused once the header is complete.
  BackupReader slow(other_key_);
  Status last;
  for (size_t i = 0; i < kBackupHeaderSize && last.ok(); ++i) {
    last = slow.Feed(ByteSpan(b.bytes).subspan(i, 1), records);
  }
  EXPECT_EQ(last.code(), ErrorCode::kWrongKey);
}

TEST_F(BackupTest, AnEditedHeaderReadsAsAModifiedFileNotAWrongKey) {
  const Backup b = Write(key_);
  for (size_t i = 1; i < 1 + 8 + kBackupIdSize; ++i) {  // Creation time and id.
    Bytes edited = b.bytes;
    edited[i] ^= 0x04;
    RecordCollector records;
    const Status s = ReadAll(key_, edited, records);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << i;
    EXPECT_NE(s.message().find("chunk 0 does not authenticate"), std::string::npos);
    EXPECT_TRUE(records.records.empty()) << i;
  }
  // The documented limit: an edited key check reads as a wrong key.
  Bytes edited = b.bytes;
  edited[30] ^= 1;
  RecordCollector records;
  EXPECT_EQ(ReadAll(key_, edited, records).code(), ErrorCode::kWrongKey);
}

TEST_F(BackupTest, ATamperedChunkIsRefusedAndNothingAfterIt) {
  const Backup b = Write(key_);
  for (size_t chunk : {size_t{0}, size_t{3}, b.chunks - 1}) {
    Bytes tampered = b.bytes;
    tampered[ChunkOffset(b, chunk) + 10] ^= 0x80;
    BackupReader reader(key_);
    RecordCollector records;
    EXPECT_EQ(reader.Feed(tampered, records).code(), ErrorCode::kInvalidMessage);
    EXPECT_EQ(reader.next_offset(), ChunkOffset(b, chunk));
    EXPECT_EQ(reader.Finish().code(), ErrorCode::kInvalidMessage);
    const auto all = Records();
    for (size_t i = 0; i < records.records.size(); ++i) EXPECT_EQ(records.records[i], all[i]);
    EXPECT_LT(records.records.size(), all.size());
  }
}

TEST_F(BackupTest, ATruncatedBackupIsRefused) {
  const Backup b = Write(key_);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{20}, kBackupHeaderSize, kBackupHeaderSize + 10,
                     ChunkOffset(b, 2), ChunkOffset(b, 2) + 1, ChunkOffset(b, b.chunks - 1),
                     b.bytes.size() - 1}) {
    RecordCollector records;
    const Status s = ReadAll(key_, ByteSpan(b.bytes).first(cut), records);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << cut;
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << cut << ": " << s.message();
  }
}

TEST_F(BackupTest, ABackupFromANewerVersionIsAClearError) {
  const Backup b = Write(key_);
  for (uint8_t version : {uint8_t{2}, uint8_t{0x7f}, uint8_t{0xff}}) {
    Bytes future = b.bytes;
    future[0] = version;
    RecordCollector records;
    const Status s = ReadAll(key_, future, records);
    EXPECT_EQ(s.code(), ErrorCode::kUnsupportedVersion) << int{version};
    EXPECT_NE(s.message().find("newer than this SecureBase reads"), std::string::npos);
    EXPECT_EQ(ReadBackupInfo(future).status().code(), ErrorCode::kUnsupportedVersion);
  }
  // A newer archive format inside a v1 backup says so too.
  Bytes newer_archive = b.bytes;
  newer_archive[kBackupHeaderSize] = 2;
  RecordCollector records;
  EXPECT_EQ(ReadAll(key_, newer_archive, records).code(), ErrorCode::kUnsupportedVersion);
}

TEST_F(BackupTest, WhatIsNotABackupIsSaidPlainly) {
  RecordCollector records;
  Bytes zero = Write(key_).bytes;
  zero[0] = 0;
  EXPECT_EQ(ReadAll(key_, zero, records).message(), "this file is not a SecureBase backup");
  EXPECT_EQ(ReadBackupInfo(zero).status().code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(ReadBackupInfo(ByteSpan()).status().code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(ReadBackupInfo(ByteSpan(Write(key_).bytes).first(40)).status().code(),
            ErrorCode::kInvalidMessage);
}

TEST_F(BackupTest, TwoBackupsUnderOneKeyShareOnlyTheKeyCheck) {
  const Backup a = Write(key_, 1);
  const Backup b = Write(key_, 2);
  EXPECT_NE(a.info.backup_id, b.info.backup_id);
  EXPECT_TRUE(std::equal(a.bytes.begin() + 25, a.bytes.begin() + 41, b.bytes.begin() + 25));
  EXPECT_FALSE(std::equal(a.bytes.begin() + 25, a.bytes.begin() + 41,
                          Write(other_key_, 1).bytes.begin() + 25));
  // b's archive behind a's header: a's archive key does not open it.
  Bytes spliced(a.bytes.begin(), a.bytes.begin() + kBackupHeaderSize);
  spliced.insert(spliced.end(), b.bytes.begin() + kBackupHeaderSize, b.bytes.end());
  RecordCollector records;
  EXPECT_EQ(ReadAll(key_, spliced, records).code(), ErrorCode::kInvalidMessage);
  EXPECT_TRUE(records.records.empty());
}

TEST_F(BackupTest, ABackupStreamIsNotAHistoryTransfer) {
  const Backup b = Write(key_);
  // The archive inside cannot be passed off as a history transfer, with any
  // key: its kind is checked, and bound into its key.
  ArchiveReader reader(ArchiveKey::Generate(rng_), ArchiveKind::kHistoryTransfer);
  RecordCollector records;
  const Status s = reader.Feed(ByteSpan(b.bytes).subspan(kBackupHeaderSize), records);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(s.message(), "this archive is a backup, not a history transfer");
}

TEST_F(BackupTest, ReadingResumesAfterADroppedConnection) {
  const Backup b = Write(key_);
  BackupReader reader(key_);
  RecordCollector records;
  ASSERT_TRUE(reader.Feed(ByteSpan(b.bytes).first(20), records).ok());
  reader.DiscardIncompleteChunk();
  EXPECT_EQ(reader.next_offset(), 0u);
  ASSERT_TRUE(reader.Feed(ByteSpan(b.bytes).first(ChunkOffset(b, 3) + 7), records).ok());
  reader.DiscardIncompleteChunk();
  EXPECT_EQ(reader.next_offset(), ChunkOffset(b, 3));
  ASSERT_TRUE(reader.Feed(ByteSpan(b.bytes).subspan(reader.next_offset()), records).ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_TRUE(reader.finished());
  EXPECT_EQ(records.records, Records());
  EXPECT_EQ(reader.records_read(), Records().size());
}

TEST_F(BackupTest, WriterErrorsPassThrough) {
  MemoryArchiveSink sink;
  sink.fail_header = true;
  EXPECT_EQ(BackupWriter::Start(key_, kMadeAt, sink, rng_).status().code(),
            ErrorCode::kStorageFailure);
  MemoryArchiveSink ok_sink;
  EXPECT_EQ(BackupWriter::Start(key_, kMadeAt, ok_sink, rng_, ArchiveOptions{1}).status().code(),
            ErrorCode::kInvalidArgument);
  BackupWriter writer = Must(BackupWriter::Start(key_, kMadeAt, ok_sink, rng_), "Start");
  const std::string too_big(kMaxArchiveRecordSize + 1, 'x');
  EXPECT_EQ(writer.Add(Span(too_big)).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.Finish().code(), ErrorCode::kInvalidState);
}

}  // namespace
}  // namespace securebase::crypto
