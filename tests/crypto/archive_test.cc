// Archives (archive.h): round trips in any split, and every refusal a
// malicious server or a damaged disk can cause: wrong key, tampered,
// truncated, reordered, duplicated or spliced chunks, an edited header, an
// unknown version, data after the end. Malformed plaintext that only a key
// holder could produce (bad tags, padding, framing) is built here with bare
// libsodium from the documented key derivation, which also checks the format
// against libsodium independently of the reader.
#include "securebase/crypto/archive.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"
#include "tests/testing/archive_doubles.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/must.h"

// Heap bytes requested through operator new in this test binary, so a test
// can check what a hostile header makes a reader allocate. (The standard way
// to replace them: malloc and free. GCC 12 flags the pair when it inlines
// them, wrongly: both sides are replaced together.)
std::atomic<size_t> g_heap_requested{0};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t size) {
  g_heap_requested += size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::FeedInPieces;
using ::securebase::testing::MemoryArchiveSink;
using ::securebase::testing::Must;
using ::securebase::testing::RecordCollector;

constexpr uint32_t kSmallChunk = kMinArchiveChunkSize;  // 256: many chunks from little data.

ByteSpan Span(const std::string& s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Record(size_t size, uint8_t seed) {
  std::string r(size, '\0');
  for (size_t i = 0; i < size; ++i) r[i] = static_cast<char>(seed + i * 7);
  return r;
}

struct Written {
  Bytes bytes;
  std::vector<Bytes> chunks;
  Bytes header;
};

Written Write(const ArchiveKey& key, const std::vector<std::string>& records,
              ArchiveKind kind = ArchiveKind::kHistoryTransfer, uint32_t chunk_size = kSmallChunk,
              uint64_t seed = 1) {
  DeterministicRandom rng(seed);
  MemoryArchiveSink sink;
  ArchiveWriter writer =
      Must(ArchiveWriter::Start(key, kind, sink, rng, ArchiveOptions{chunk_size}), "Start");
  for (const auto& r : records) EXPECT_TRUE(writer.Add(Span(r)).ok());
  EXPECT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.records_written(), records.size());
  EXPECT_EQ(writer.chunks_written(), sink.chunks().size());
  return {sink.All(), sink.chunks(), sink.header()};
}

std::vector<std::string> MixedRecords() {
  // Empty records, records ending exactly at a chunk boundary, length
  // prefixes split across chunks, and records several chunks long.
  std::vector<std::string> records;
  const size_t sizes[] = {0, 1, 5, 252, 0, 250, 3, 256, 257, 1000, 2, 0, 4096, 17, 511, 513};
  for (size_t i = 0; i < std::size(sizes); ++i) {
    records.push_back(Record(sizes[i], static_cast<uint8_t>(i)));
  }
  return records;
}

class ArchiveTest : public ::testing::Test {
 protected:
  DeterministicRandom rng_{42};
  ArchiveKey key_ = ArchiveKey::Generate(rng_);
  ArchiveKey other_key_ = ArchiveKey::Generate(rng_);
};

TEST_F(ArchiveTest, RoundTripsRecordsInOrderWhateverTheSplit) {
  const auto records = MixedRecords();
  const Written w = Write(key_, records);
  for (size_t step : {size_t{0}, size_t{1}, size_t{7}, size_t{255}, size_t{273}, size_t{1000}}) {
    ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
    RecordCollector handler;
    ASSERT_TRUE(FeedInPieces(reader, w.bytes, handler, step).ok()) << step;
    EXPECT_TRUE(reader.Finish().ok());
    EXPECT_TRUE(reader.finished());
    EXPECT_EQ(handler.records, records) << step;
    EXPECT_EQ(reader.records_read(), records.size());
    EXPECT_EQ(reader.chunks_read(), w.chunks.size());
    EXPECT_EQ(reader.next_offset(), w.bytes.size());
  }
}

TEST_F(ArchiveTest, EveryChunkHasTheSameSizeAndAKnownOffset) {
  const Written w = Write(key_, MixedRecords());
  ASSERT_EQ(w.header.size(), kArchiveHeaderSize);
  EXPECT_EQ(w.header[0], kArchiveVersion);
  EXPECT_EQ(w.header[1], static_cast<uint8_t>(ArchiveKind::kHistoryTransfer));
  size_t offset = w.header.size();
  for (size_t i = 0; i < w.chunks.size(); ++i) {
    EXPECT_EQ(w.chunks[i].size(), kSmallChunk + kArchiveChunkOverhead);
    EXPECT_EQ(ArchiveChunkOffset(kSmallChunk, i), offset);
    offset += w.chunks[i].size();
  }
  // Length prefixes, records and the padding marker, rounded up to chunks.
  size_t stream = 1;
  for (const auto& r : MixedRecords()) stream += 4 + r.size();
  EXPECT_EQ(w.chunks.size(), (stream + kSmallChunk - 1) / kSmallChunk);
  EXPECT_EQ(w.chunks.size(), 29u);
}

TEST_F(ArchiveTest, AnEmptyArchiveIsOnePaddedChunk) {
  const Written w = Write(key_, {});
  ASSERT_EQ(w.chunks.size(), 1u);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  ASSERT_TRUE(reader.Feed(w.bytes, handler).ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_TRUE(handler.records.empty());
}

TEST_F(ArchiveTest, ARecordThatFillsTheChunkExactlyIsFollowedByAPaddingChunk) {
  const Written w = Write(key_, {Record(kSmallChunk - 4, 9)});
  ASSERT_EQ(w.chunks.size(), 2u);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  ASSERT_TRUE(reader.Feed(w.bytes, handler).ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(handler.records, std::vector<std::string>{Record(kSmallChunk - 4, 9)});
}

TEST_F(ArchiveTest, TheDefaultChunkSizeRoundTripsLargeRecords) {
  const std::vector<std::string> records = {Record(200'000, 1), Record(10, 2),
                                            Record(kMaxArchiveRecordSize, 3)};
  DeterministicRandom rng(5);
  MemoryArchiveSink sink;
  ArchiveWriter writer = Must(ArchiveWriter::Start(key_, ArchiveKind::kBackup, sink, rng), "Start");
  for (const auto& r : records) ASSERT_TRUE(writer.Add(Span(r)).ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(sink.chunks()[0].size(), kDefaultArchiveChunkSize + kArchiveChunkOverhead);
  ArchiveReader reader(key_, ArchiveKind::kBackup);
  RecordCollector handler;
  ASSERT_TRUE(reader.Feed(sink.All(), handler).ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(handler.records, records);
}

TEST_F(ArchiveTest, TheSameRandomnessWritesTheSameBytes) {
  EXPECT_EQ(Write(key_, MixedRecords(), ArchiveKind::kHistoryTransfer, kSmallChunk, 3).bytes,
            Write(key_, MixedRecords(), ArchiveKind::kHistoryTransfer, kSmallChunk, 3).bytes);
  EXPECT_NE(Write(key_, MixedRecords(), ArchiveKind::kHistoryTransfer, kSmallChunk, 3).bytes,
            Write(key_, MixedRecords(), ArchiveKind::kHistoryTransfer, kSmallChunk, 4).bytes);
}

// --- Refusals --------------------------------------------------------------

TEST_F(ArchiveTest, AWrongKeyIsRefusedAtTheFirstChunk) {
  const Written w = Write(key_, MixedRecords());
  ArchiveReader reader(other_key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  const Status s = reader.Feed(w.bytes, handler);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage);
  EXPECT_NE(s.message().find("chunk 0 does not authenticate"), std::string::npos) << s.message();
  EXPECT_TRUE(handler.records.empty());
  EXPECT_EQ(reader.chunks_read(), 0u);
  EXPECT_EQ(reader.next_offset(), kArchiveHeaderSize);
  EXPECT_EQ(reader.Finish().code(), ErrorCode::kInvalidMessage);
}

TEST_F(ArchiveTest, ABackupIsNotReadAsAHistoryTransferNorTheReverse) {
  const Written backup = Write(key_, MixedRecords(), ArchiveKind::kBackup);
  ArchiveReader as_transfer(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  const Status s = as_transfer.Feed(backup.bytes, handler);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(s.message(), "this archive is a backup, not a history transfer");
  EXPECT_EQ(as_transfer.next_offset(), 0u);

  // Relabelled in the header: the kind is bound into the key.
  Bytes relabelled = backup.bytes;
  relabelled[1] = static_cast<uint8_t>(ArchiveKind::kHistoryTransfer);
  ArchiveReader relabelled_reader(key_, ArchiveKind::kHistoryTransfer);
  const Status r = relabelled_reader.Feed(relabelled, handler);
  EXPECT_EQ(r.code(), ErrorCode::kInvalidMessage);
  EXPECT_NE(r.message().find("chunk 0 does not authenticate"), std::string::npos);
  EXPECT_TRUE(handler.records.empty());
}

TEST_F(ArchiveTest, AnEditedHeaderFailsAtTheFirstChunk) {
  const Written w = Write(key_, MixedRecords());
  // The chunk size and secretstream header bytes are all bound. (A larger
  // chunk size makes the reader wait for a chunk that never comes.)
  for (size_t i = 2; i < kArchiveHeaderSize; ++i) {
    Bytes edited = w.bytes;
    edited[i] ^= 0x01;
    ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
    RecordCollector handler;
    Status s = reader.Feed(edited, handler);
    if (s.ok()) s = reader.Finish();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << i;
    EXPECT_TRUE(handler.records.empty()) << i;
  }
}

TEST_F(ArchiveTest, AnUnknownVersionIsAClearErrorAndVersionZeroIsNotAnArchive) {
  const Written w = Write(key_, MixedRecords());
  for (uint8_t version : {uint8_t{2}, uint8_t{0xff}}) {
    Bytes future = w.bytes;
    future[0] = version;
    ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
    RecordCollector handler;
    const Status s = reader.Feed(future, handler);
    EXPECT_EQ(s.code(), ErrorCode::kUnsupportedVersion);
    EXPECT_NE(s.message().find("newer SecureBase"), std::string::npos) << s.message();
  }
  Bytes zero = w.bytes;
  zero[0] = 0;
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  EXPECT_EQ(reader.Feed(zero, handler).code(), ErrorCode::kInvalidMessage);
}

TEST_F(ArchiveTest, ChunkSizesOutOfBoundsAreRefusedByWriterAndReader) {
  DeterministicRandom rng(1);
  MemoryArchiveSink sink;
  for (uint32_t size : {kMinArchiveChunkSize - 1, kMaxArchiveChunkSize + 1, 0u}) {
    auto started =
        ArchiveWriter::Start(key_, ArchiveKind::kBackup, sink, rng, ArchiveOptions{size});
    EXPECT_EQ(started.status().code(), ErrorCode::kInvalidArgument) << size;
  }
  const Written w = Write(key_, MixedRecords());
  for (uint32_t size : {kMinArchiveChunkSize - 1, kMaxArchiveChunkSize + 1, 0xffffffffu}) {
    Bytes edited = w.bytes;
    edited[2] = static_cast<uint8_t>(size >> 24);
    edited[3] = static_cast<uint8_t>(size >> 16);
    edited[4] = static_cast<uint8_t>(size >> 8);
    edited[5] = static_cast<uint8_t>(size);
    ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
    RecordCollector handler;
    const Status s = reader.Feed(edited, handler);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << size;
    EXPECT_NE(s.message().find("out of bounds"), std::string::npos) << s.message();
  }
}

TEST_F(ArchiveTest, ATamperedChunkIsRefusedAfterTheRecordsBeforeIt) {
  const auto records = MixedRecords();
  const Written w = Write(key_, records);
  for (size_t chunk : {size_t{0}, size_t{5}, w.chunks.size() - 1}) {
    for (size_t byte : {size_t{0}, size_t{100}, w.chunks[chunk].size() - 1}) {
      Bytes tampered = w.bytes;
      tampered[ArchiveChunkOffset(kSmallChunk, chunk) + byte] ^= 0x20;
      ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
      RecordCollector handler;
      const Status s = reader.Feed(tampered, handler);
      EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage);
      EXPECT_EQ(reader.chunks_read(), chunk);
      EXPECT_EQ(reader.next_offset(), ArchiveChunkOffset(kSmallChunk, chunk));
      EXPECT_EQ(reader.Finish().code(), ErrorCode::kInvalidMessage);
      // What was handed out is a prefix of the records, each intact.
      ASSERT_LE(handler.records.size(), records.size());
      for (size_t i = 0; i < handler.records.size(); ++i) EXPECT_EQ(handler.records[i], records[i]);
    }
  }
}

TEST_F(ArchiveTest, ATruncatedArchiveIsRefusedAtFinish) {
  const Written w = Write(key_, MixedRecords());
  const size_t cuts[] = {0,
                         10,
                         kArchiveHeaderSize,
                         ArchiveChunkOffset(kSmallChunk, 3),
                         ArchiveChunkOffset(kSmallChunk, 3) + 100,
                         w.bytes.size() - w.chunks.back().size(),
                         w.bytes.size() - 1};
  for (size_t cut : cuts) {
    ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
    RecordCollector handler;
    ASSERT_TRUE(reader.Feed(ByteSpan(w.bytes).first(cut), handler).ok()) << cut;
    const Status s = reader.Finish();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << cut;
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
    EXPECT_FALSE(reader.finished());
  }
}

TEST_F(ArchiveTest, ReorderedDuplicatedOrDroppedChunksAreRefused) {
  const Written w = Write(key_, MixedRecords());
  auto assemble = [&](const std::vector<size_t>& order) {
    Bytes out = w.header;
    for (size_t i : order) out.insert(out.end(), w.chunks[i].begin(), w.chunks[i].end());
    return out;
  };
  std::vector<size_t> in_order(w.chunks.size());
  for (size_t i = 0; i < in_order.size(); ++i) in_order[i] = i;
  struct Case {
    const char* what;
    std::vector<size_t> order;
    size_t refused_at;
  };
  std::vector<Case> cases;
  {
    auto swapped = in_order;
    std::swap(swapped[1], swapped[2]);
    cases.push_back({"swapped", swapped, 1});
    auto duplicated = in_order;
    duplicated.insert(duplicated.begin() + 4, 3);
    cases.push_back({"duplicated", duplicated, 4});
    auto dropped = in_order;
    dropped.erase(dropped.begin() + 2);
    cases.push_back({"dropped", dropped, 2});
    auto final_early = in_order;
    final_early.erase(final_early.begin() + 1, final_early.end() - 1);
    cases.push_back({"final chunk moved up", final_early, 1});
  }
  for (const auto& c : cases) {
    ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
    RecordCollector handler;
    const Status s = reader.Feed(assemble(c.order), handler);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << c.what;
    EXPECT_EQ(reader.chunks_read(), c.refused_at) << c.what;
    EXPECT_FALSE(reader.finished()) << c.what;
  }
}

TEST_F(ArchiveTest, AChunkOfAnotherArchiveUnderTheSameKeyIsRefused) {
  const Written a = Write(key_, MixedRecords(), ArchiveKind::kHistoryTransfer, kSmallChunk, 1);
  const Written b = Write(key_, MixedRecords(), ArchiveKind::kHistoryTransfer, kSmallChunk, 2);
  Bytes spliced = a.bytes;
  const size_t at = ArchiveChunkOffset(kSmallChunk, 4);
  std::copy(b.chunks[4].begin(), b.chunks[4].end(), spliced.begin() + at);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  EXPECT_EQ(reader.Feed(spliced, handler).code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(reader.chunks_read(), 4u);
  // And b's header with a's chunks.
  Bytes mixed = a.bytes;
  std::copy(b.header.begin(), b.header.end(), mixed.begin());
  ArchiveReader mixed_reader(key_, ArchiveKind::kHistoryTransfer);
  EXPECT_EQ(mixed_reader.Feed(mixed, handler).code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(mixed_reader.chunks_read(), 0u);
}

TEST_F(ArchiveTest, BytesAfterTheFinalChunkAreRefusedAndChangeNothing) {
  const auto records = MixedRecords();
  const Written w = Write(key_, records);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  Bytes longer = w.bytes;
  longer.push_back(0);
  const Status s = reader.Feed(longer, handler);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(s.message(), "data after the end of the archive");
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(handler.records, records);
  EXPECT_EQ(reader.next_offset(), w.bytes.size());
}

TEST_F(ArchiveTest, AHeaderAloneCostsNoChunkBuffer) {
  // A header naming the largest chunk size, and nothing after it: what an
  // anonymous sender can make a receiver read for the price of 30 bytes.
  Bytes header = {kArchiveVersion, static_cast<uint8_t>(ArchiveKind::kHistoryTransfer)};
  for (int shift = 24; shift >= 0; shift -= 8) {
    header.push_back(static_cast<uint8_t>(kMaxArchiveChunkSize >> shift));
  }
  header.resize(kArchiveHeaderSize, 0x5a);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  const size_t before = g_heap_requested;
  ASSERT_TRUE(reader.Feed(header, handler).ok());
  ASSERT_TRUE(reader.Feed(Bytes(100, 0), handler).ok());  // Part of a chunk.
  EXPECT_LT(g_heap_requested - before, size_t{16} * 1024);
  EXPECT_EQ(reader.next_offset(), kArchiveHeaderSize + 100);
}

// --- Resuming --------------------------------------------------------------

TEST_F(ArchiveTest, ADroppedConnectionResumesFromTheLastGoodChunk) {
  const auto records = MixedRecords();
  const Written w = Write(key_, records);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  // The connection drops in the middle of chunk 7, twice, then in the header
  // of a fresh reader.
  const size_t drop = ArchiveChunkOffset(kSmallChunk, 7) + 100;
  ASSERT_TRUE(reader.Feed(ByteSpan(w.bytes).first(drop), handler).ok());
  EXPECT_EQ(reader.next_offset(), drop);
  EXPECT_EQ(reader.chunks_read(), 7u);
  reader.DiscardIncompleteChunk();
  EXPECT_EQ(reader.next_offset(), ArchiveChunkOffset(kSmallChunk, 7));
  const size_t drop2 = ArchiveChunkOffset(kSmallChunk, 9) + 3;
  ASSERT_TRUE(
      reader
          .Feed(ByteSpan(w.bytes).subspan(reader.next_offset(), drop2 - reader.next_offset()),
                handler)
          .ok());
  reader.DiscardIncompleteChunk();
  EXPECT_EQ(reader.next_offset(), ArchiveChunkOffset(kSmallChunk, 9));
  ASSERT_TRUE(reader.Feed(ByteSpan(w.bytes).subspan(reader.next_offset()), handler).ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(handler.records, records);  // Each record exactly once.

  ArchiveReader fresh(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector fresh_handler;
  ASSERT_TRUE(fresh.Feed(ByteSpan(w.bytes).first(12), fresh_handler).ok());
  fresh.DiscardIncompleteChunk();
  EXPECT_EQ(fresh.next_offset(), 0u);
  ASSERT_TRUE(fresh.Feed(w.bytes, fresh_handler).ok());
  EXPECT_TRUE(fresh.Finish().ok());
  EXPECT_EQ(fresh_handler.records, records);
}

TEST_F(ArchiveTest, AChunkDamagedInTransitCanBeFetchedAgain) {
  const auto records = MixedRecords();
  const Written w = Write(key_, records);
  Bytes damaged = w.bytes;
  damaged[ArchiveChunkOffset(kSmallChunk, 6) + 40] ^= 1;
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  ASSERT_EQ(reader.Feed(damaged, handler).code(), ErrorCode::kInvalidMessage);
  ASSERT_EQ(reader.next_offset(), ArchiveChunkOffset(kSmallChunk, 6));
  ASSERT_TRUE(reader.Feed(ByteSpan(w.bytes).subspan(reader.next_offset()), handler).ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(handler.records, records);
}

// --- Callers' errors ---------------------------------------------------------

TEST_F(ArchiveTest, AHandlerErrorStopsTheReaderForGood) {
  const Written w = Write(key_, MixedRecords());
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  handler.fail_after = 5;
  EXPECT_EQ(reader.Feed(w.bytes, handler).code(), ErrorCode::kStorageFailure);
  EXPECT_EQ(handler.records.size(), 5u);
  handler.fail_after.reset();
  EXPECT_EQ(reader.Feed(w.bytes, handler).code(), ErrorCode::kInvalidState);
  EXPECT_EQ(reader.Feed(ByteSpan(), handler).code(), ErrorCode::kInvalidState);
  EXPECT_EQ(reader.Finish().code(), ErrorCode::kInvalidState);
}

TEST_F(ArchiveTest, ASinkErrorStopsTheWriterForGood) {
  DeterministicRandom rng(1);
  MemoryArchiveSink failing_header;
  failing_header.fail_header = true;
  EXPECT_EQ(ArchiveWriter::Start(key_, ArchiveKind::kBackup, failing_header, rng,
                                 ArchiveOptions{kSmallChunk})
                .status()
                .code(),
            ErrorCode::kStorageFailure);

  MemoryArchiveSink sink;
  sink.fail_at_chunk = 2;
  ArchiveWriter writer =
      Must(ArchiveWriter::Start(key_, ArchiveKind::kBackup, sink, rng, ArchiveOptions{kSmallChunk}),
           "Start");
  const std::string big = Record(1000, 1);
  EXPECT_EQ(writer.Add(Span(big)).code(), ErrorCode::kStorageFailure);
  EXPECT_EQ(writer.chunks_written(), 2u);
  EXPECT_EQ(writer.Add(Span(big)).code(), ErrorCode::kInvalidState);
  EXPECT_EQ(writer.Finish().code(), ErrorCode::kInvalidState);
}

TEST_F(ArchiveTest, AnOversizedRecordIsRefusedAndTheWriterGoesOn) {
  DeterministicRandom rng(1);
  MemoryArchiveSink sink;
  ArchiveWriter writer = Must(ArchiveWriter::Start(key_, ArchiveKind::kHistoryTransfer, sink, rng,
                                                   ArchiveOptions{kSmallChunk}),
                              "Start");
  const std::string too_big(kMaxArchiveRecordSize + 1, 'x');
  EXPECT_EQ(writer.Add(Span(too_big)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(writer.chunks_written(), 0u);
  ASSERT_TRUE(writer.Add(Span(std::string("after"))).ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.Finish().code(), ErrorCode::kInvalidState);
  EXPECT_EQ(writer.Add(Span(std::string("late"))).code(), ErrorCode::kInvalidState);
  ArchiveReader reader(key_, ArchiveKind::kHistoryTransfer);
  RecordCollector handler;
  ASSERT_TRUE(reader.Feed(sink.All(), handler).ok());
  EXPECT_EQ(handler.records, std::vector<std::string>{"after"});
}

TEST_F(ArchiveTest, KeysAreThirtyTwoBytes) {
  EXPECT_EQ(ArchiveKey::FromBytes(Bytes(31)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ArchiveKey::FromBytes(Bytes(33)).status().code(), ErrorCode::kInvalidArgument);
  const ArchiveKey copy = Must(ArchiveKey::FromBytes(key_.bytes()), "FromBytes");
  EXPECT_TRUE(ConstantTimeEquals(copy.bytes(), key_.bytes()));
  EXPECT_TRUE(ConstantTimeEquals(key_.Clone().bytes(), key_.bytes()));
}

// --- The format, against bare libsodium -------------------------------------

// The stream key as archive.h documents it.
SecretArray<32> StreamKey(const ArchiveKey& key, ByteSpan header) {
  const std::string label = "SecureBase/v1/archive";
  Bytes info(label.begin(), label.end());
  info.insert(info.end(), header.begin(), header.begin() + 6);
  SecretArray<32> out;
  EXPECT_TRUE(Hkdf(ByteSpan(), key.bytes(), info, out.mutable_span()).ok());
  return out;
}

TEST_F(ArchiveTest, BareLibsodiumReadsTheDocumentedFormat) {
  const auto records = MixedRecords();
  const Written w = Write(key_, records);
  const SecretArray<32> stream_key = StreamKey(key_, w.header);
  crypto_secretstream_xchacha20poly1305_state state;
  ASSERT_EQ(crypto_secretstream_xchacha20poly1305_init_pull(&state, w.header.data() + 6,
                                                            stream_key.data()),
            0);
  Bytes plaintext;
  for (size_t i = 0; i < w.chunks.size(); ++i) {
    Bytes chunk(kSmallChunk);
    unsigned char tag = 0;
    ASSERT_EQ(crypto_secretstream_xchacha20poly1305_pull(&state, chunk.data(), nullptr, &tag,
                                                         w.chunks[i].data(), w.chunks[i].size(),
                                                         nullptr, 0),
              0);
    EXPECT_EQ(tag, i + 1 == w.chunks.size() ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                            : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    plaintext.insert(plaintext.end(), chunk.begin(), chunk.end());
  }
  Bytes expected;
  for (const auto& r : records) {
    const uint32_t n = static_cast<uint32_t>(r.size());
    const uint8_t len[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                            static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
    expected.insert(expected.end(), len, len + 4);
    expected.insert(expected.end(), r.begin(), r.end());
  }
  expected.push_back(0x80);
  expected.resize(plaintext.size(), 0);
  EXPECT_EQ(plaintext, expected);
}

TEST(ArchiveStreamInit, InitPullWithAHeaderIsInitPushWithThatHeader) {
  // The writer draws the secretstream header from the injected RandomSource
  // and initialises with init_pull (archive_format.h): this pins that
  // libsodium's init_push does exactly that with a random header.
  ASSERT_GE(sodium_init(), 0);
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  for (int i = 0; i < 8; ++i) {
    crypto_secretstream_xchacha20poly1305_state pushed, pulled;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&pushed, header, key);
    crypto_secretstream_xchacha20poly1305_init_pull(&pulled, header, key);
    EXPECT_EQ(std::memcmp(&pushed, &pulled, sizeof pushed), 0);
  }
}

// Builds archives whose plaintext only a key holder could write, to reach the
// checks behind authentication.
class RawArchive {
 public:
  RawArchive(const ArchiveKey& key, uint32_t chunk_size) : chunk_size_(chunk_size) {
    bytes_ = {kArchiveVersion,
              static_cast<uint8_t>(ArchiveKind::kHistoryTransfer),
              static_cast<uint8_t>(chunk_size >> 24),
              static_cast<uint8_t>(chunk_size >> 16),
              static_cast<uint8_t>(chunk_size >> 8),
              static_cast<uint8_t>(chunk_size)};
    bytes_.resize(kArchiveHeaderSize, 0x33);
    const SecretArray<32> stream_key = StreamKey(key, bytes_);
    crypto_secretstream_xchacha20poly1305_init_pull(&state_, bytes_.data() + 6, stream_key.data());
  }
  void Push(Bytes plaintext, unsigned char tag) {
    plaintext.resize(chunk_size_, 0);
    Bytes chunk(chunk_size_ + kArchiveChunkOverhead);
    crypto_secretstream_xchacha20poly1305_push(&state_, chunk.data(), nullptr, plaintext.data(),
                                               plaintext.size(), nullptr, 0, tag);
    bytes_.insert(bytes_.end(), chunk.begin(), chunk.end());
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  uint32_t chunk_size_;
  crypto_secretstream_xchacha20poly1305_state state_;
  Bytes bytes_;
};

Status ReadRaw(const ArchiveKey& key, const RawArchive& raw, RecordCollector& handler) {
  ArchiveReader reader(key, ArchiveKind::kHistoryTransfer);
  SB_RETURN_IF_ERROR(reader.Feed(raw.bytes(), handler));
  return reader.Finish();
}

TEST_F(ArchiveTest, AKeyHolderCannotSlipMalformedPlaintextPastTheReader) {
  const unsigned char kMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  const unsigned char kFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  const Bytes hello = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0x80};
  {
    RawArchive ok(key_, kSmallChunk);  // The well-formed control.
    ok.Push(hello, kFinal);
    RecordCollector handler;
    EXPECT_TRUE(ReadRaw(key_, ok, handler).ok());
    EXPECT_EQ(handler.records, std::vector<std::string>{"hello"});
  }
  struct Case {
    const char* what;
    std::vector<std::pair<Bytes, unsigned char>> chunks;
    const char* message_part;
  };
  const Case cases[] = {
      {"push tag", {{hello, crypto_secretstream_xchacha20poly1305_TAG_PUSH}}, "unexpected"},
      {"rekey tag", {{hello, crypto_secretstream_xchacha20poly1305_TAG_REKEY}}, "unexpected"},
      {"no padding marker", {{{0, 0, 0, 1, 'x'}, kFinal}}, "not padded"},
      {"marker not last", {{{0, 0, 0, 1, 'x', 0x80, 0x01}, kFinal}}, "not padded"},
      {"ends inside a record", {{{0, 0, 0, 9, 'x', 0x80}, kFinal}}, "inside a record"},
      {"ends inside a length", {{{0, 0, 0x80}, kFinal}}, "inside a record"},
      {"record over the limit", {{{0x7f, 0xff, 0xff, 0xff}, kMessage}}, "over the limit"},
      {"final, then more", {{hello, kFinal}, {hello, kFinal}}, "after the end"},
  };
  for (const auto& c : cases) {
    RawArchive raw(key_, kSmallChunk);
    for (const auto& [plaintext, tag] : c.chunks) raw.Push(plaintext, tag);
    RecordCollector handler;
    const Status s = ReadRaw(key_, raw, handler);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << c.what;
    EXPECT_NE(s.message().find(c.message_part), std::string::npos) << c.what << ": " << s.message();
    if (std::string(c.what) != "final, then more") {
      EXPECT_TRUE(handler.records.empty()) << c.what;
    }
  }
}

}  // namespace
}  // namespace securebase::crypto
