// The oracle the archive and backup reader targets share: a reader fed one
// arbitrary input, whole and in pieces, must
//   - end in the same state either way (records, status, offset, finished):
//     splitting never changes the result;
//   - refuse only with an allowed code, and refuse the same way again when
//     the caller retries from next_offset(): a refusal changes nothing;
//   - hand out only records of chunks that are byte for byte a prefix of a
//     known stream of the fixed world, and exactly that stream's records
//     when it finishes: no input forges, splices or reorders a record in.
#ifndef SECUREBASE_TESTS_FUZZ_STREAM_ORACLE_H_
#define SECUREBASE_TESTS_FUZZ_STREAM_ORACLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "securebase/crypto/archive.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/linking_world.h"
#include "tests/testing/archive_doubles.h"

namespace securebase::fuzz {

// `make()` builds a fresh reader (ArchiveReader or BackupReader); the known
// streams use kFuzzChunkSize. `header_size(reader)` is the number of bytes
// before the archive header (0 for an archive, the backup header's for a
// backup). Returns the whole-input reader's status.
template <typename MakeReader, typename HeaderSize>
crypto::Status CheckStreamReader(crypto::ByteSpan input, MakeReader make, HeaderSize header_size,
                                 const std::vector<KnownStream>& known,
                                 std::initializer_list<crypto::ErrorCode> allowed) {
  auto whole = make();
  testing::RecordCollector whole_records;
  const crypto::Status status = whole.Feed(input, whole_records);

  auto pieces = make();
  testing::RecordCollector piece_records;
  const crypto::Status piece_status =
      testing::FeedInPieces(pieces, input, piece_records, 1 + input.size() % 61);
  FUZZ_CHECK(piece_status.code() == status.code());
  FUZZ_CHECK(piece_records.records == whole_records.records);
  FUZZ_CHECK(pieces.next_offset() == whole.next_offset());
  FUZZ_CHECK(pieces.finished() == whole.finished());

  if (!status.ok()) {
    FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), status.code()) != allowed.end());
    const uint64_t at = whole.next_offset();
    FUZZ_CHECK(at <= input.size());
    testing::RecordCollector retry_records;
    const crypto::Status retry = whole.Feed(input.subspan(at), retry_records);
    FUZZ_CHECK(retry.code() == status.code());
    FUZZ_CHECK(whole.next_offset() == at);
    FUZZ_CHECK(retry_records.records.empty());
  }
  if (!whole.finished()) {
    FUZZ_CHECK(whole.Finish().code() == crypto::ErrorCode::kInvalidMessage);
  }

  // Whatever authenticated is a prefix of a known stream.
  if (whole.chunks_read() > 0) {
    const uint64_t end =
        header_size(whole) + crypto::ArchiveChunkOffset(kFuzzChunkSize, whole.chunks_read());
    FUZZ_CHECK(end <= input.size());
    const auto match = std::find_if(known.begin(), known.end(), [&](const KnownStream& k) {
      return k.bytes.size() >= end &&
             std::equal(k.bytes.begin(), k.bytes.begin() + end, input.begin());
    });
    FUZZ_CHECK(match != known.end());
    FUZZ_CHECK(whole_records.records.size() <= match->records.size());
    FUZZ_CHECK(std::equal(whole_records.records.begin(), whole_records.records.end(),
                          match->records.begin()));
    if (whole.finished()) {
      FUZZ_CHECK(whole.Finish().ok());
      FUZZ_CHECK(end == match->bytes.size());
      FUZZ_CHECK(whole_records.records == match->records);
    }
  } else {
    FUZZ_CHECK(whole_records.records.empty() && !whole.finished());
  }
  return status;
}

}  // namespace securebase::fuzz

#endif  // SECUREBASE_TESTS_FUZZ_STREAM_ORACLE_H_
