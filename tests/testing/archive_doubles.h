// Test doubles at the archive seams (crypto/include/securebase/crypto/
// archive.h): a sink that keeps what a writer writes and a handler that keeps
// the records a reader hands out, each able to fail on demand. Header-only, so
// fuzz targets and benchmarks use them without securebase_testing.
#ifndef SECUREBASE_TESTS_TESTING_ARCHIVE_DOUBLES_H_
#define SECUREBASE_TESTS_TESTING_ARCHIVE_DOUBLES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "securebase/crypto/archive.h"

namespace securebase::testing {

class MemoryArchiveSink final : public crypto::ArchiveSink {
 public:
  crypto::Status WriteHeader(crypto::ByteSpan header) override {
    if (fail_header) return crypto::Status::StorageFailure("disk full");
    header_.assign(header.begin(), header.end());
    return crypto::Status::Ok();
  }
  crypto::Status WriteChunk(uint64_t index, crypto::ByteSpan chunk) override {
    if (fail_at_chunk && index == *fail_at_chunk) {
      return crypto::Status::StorageFailure("disk full");
    }
    if (index != chunks_.size()) return crypto::Status::InvalidState("chunk index out of order");
    chunks_.emplace_back(chunk.begin(), chunk.end());
    return crypto::Status::Ok();
  }

  // Header and chunks, as one stream.
  crypto::Bytes All() const {
    crypto::Bytes out = header_;
    for (const auto& c : chunks_) out.insert(out.end(), c.begin(), c.end());
    return out;
  }
  const crypto::Bytes& header() const { return header_; }
  const std::vector<crypto::Bytes>& chunks() const { return chunks_; }

  bool fail_header = false;
  std::optional<uint64_t> fail_at_chunk;

 private:
  crypto::Bytes header_;
  std::vector<crypto::Bytes> chunks_;
};

// Keeps records as strings (test data only: a std::string is never wiped).
class RecordCollector final : public crypto::ArchiveRecordHandler {
 public:
  crypto::Status OnRecord(crypto::ByteSpan record) override {
    if (fail_after && records.size() == *fail_after) {
      return crypto::Status::StorageFailure("vault full");
    }
    records.emplace_back(record.begin(), record.end());
    return crypto::Status::Ok();
  }

  std::vector<std::string> records;
  std::optional<size_t> fail_after;
};

// Feeds `bytes` to an ArchiveReader or BackupReader in pieces of `step` bytes
// (0: all at once), as a network would deliver them; the first error.
template <typename Reader>
crypto::Status FeedInPieces(Reader& reader, crypto::ByteSpan bytes,
                            crypto::ArchiveRecordHandler& handler, size_t step) {
  if (step == 0) return reader.Feed(bytes, handler);
  for (size_t i = 0; i < bytes.size(); i += step) {
    crypto::Status fed = reader.Feed(bytes.subspan(i, std::min(step, bytes.size() - i)), handler);
    if (!fed.ok()) return fed;
  }
  return crypto::Status::Ok();
}

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_ARCHIVE_DOUBLES_H_
