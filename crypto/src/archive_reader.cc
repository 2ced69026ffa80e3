// Archive format v1, reading side (archive.h).
//
// Every header or chunk is a unit: it is checked completely (authentication
// on a copy of the secretstream state, tag, padding, record framing) before
// anything changes, so a refused unit leaves the reader as it was and the
// caller can resume from next_offset().
#include <algorithm>
#include <cstring>
#include <optional>

#include "archive_format.h"
#include "byte_io.h"
#include "securebase/crypto/archive.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {
namespace {

// Where the record stream stands between chunks: inside a length prefix, or
// inside a record of known length. The bytes of a record that spans chunks
// are kept in `spill` (wiped memory).
struct Framing {
  uint8_t length_bytes[internal::kRecordLengthSize] = {};
  size_t length_have = 0;
  bool in_record = false;
  uint32_t record_length = 0;
  size_t record_have = 0;

  bool AtRecordBoundary() const { return !in_record && length_have == 0; }
};

// Walks `data` from `framing`. With a handler, hands out each completed
// record (from `data` directly when it lies in one chunk, else assembled in
// `spill`) and counts it in `records`; without, only checks the framing.
// kInvalidMessage for a record over the limit; the handler's error.
Status Walk(ByteSpan data, Framing& framing, SecretBytes* spill, ArchiveRecordHandler* handler,
            uint64_t* records) {
  size_t pos = 0;
  auto complete = [&](ByteSpan record) -> Status {
    framing.in_record = false;
    framing.record_have = 0;
    if (handler == nullptr) return Status::Ok();
    ++*records;
    return handler->OnRecord(record);
  };
  while (pos < data.size()) {
    if (!framing.in_record) {
      const size_t take =
          std::min(internal::kRecordLengthSize - framing.length_have, data.size() - pos);
      std::memcpy(framing.length_bytes + framing.length_have, data.data() + pos, take);
      framing.length_have += take;
      pos += take;
      if (framing.length_have < internal::kRecordLengthSize) break;
      framing.length_have = 0;
      framing.record_length = internal::GetU32(framing.length_bytes);
      if (framing.record_length > kMaxArchiveRecordSize) {
        return Status::InvalidMessage("archive record length " +
                                      std::to_string(framing.record_length) + " is over the limit");
      }
      framing.in_record = true;
      framing.record_have = 0;
      if (framing.record_length == 0) SB_RETURN_IF_ERROR(complete(ByteSpan()));
      continue;
    }
    const size_t need = framing.record_length - framing.record_have;
    const size_t take = std::min(need, data.size() - pos);
    const ByteSpan piece = data.subspan(pos, take);
    // A record that lies whole in this chunk is handed out in place; one
    // that spans chunks is assembled in `spill`.
    const bool whole_here = framing.record_have == 0 && take == framing.record_length;
    pos += take;
    framing.record_have += take;
    if (handler != nullptr && !whole_here) spill->Append(piece);
    if (framing.record_have < framing.record_length) continue;
    if (handler != nullptr && !whole_here) {
      Status handled = complete(spill->span());
      spill->Resize(0);  // Wipes.
      SB_RETURN_IF_ERROR(handled);
    } else {
      SB_RETURN_IF_ERROR(complete(piece));
    }
  }
  return Status::Ok();
}

std::string KindName(uint8_t kind) {
  return kind == static_cast<uint8_t>(ArchiveKind::kBackup) ? "a backup" : "a history transfer";
}

}  // namespace

struct ArchiveReader::State {
  enum class Phase { kHeader, kChunks, kFinished, kFailed };

  State(const ArchiveKey& k, ArchiveKind kind) : key(k.Clone()), expected_kind(kind) {}
  ~State() { SecureWipe(&framing, sizeof framing); }

  ArchiveKey key;
  const ArchiveKind expected_kind;
  Phase phase = Phase::kHeader;
  uint32_t chunk_size = 0;
  size_t wire_size = 0;  // Of the unit being read: the header, then each chunk.
  internal::StreamState stream;
  Bytes pending;  // Bytes of an incomplete unit (ciphertext).
  SecretBytes plain;
  Framing framing;
  SecretBytes spill;
  uint64_t unit_offset = 0;  // Where the unit being read starts.
  uint64_t chunks = 0;
  uint64_t records = 0;

  Status ReadHeader(ByteSpan header) {
    const uint8_t version = header[0];
    if (version == 0) return Status::InvalidMessage("this is not a SecureBase archive");
    if (version > kArchiveVersion) {
      return Status::UnsupportedVersion(
          "this archive was written by a newer SecureBase (archive format " +
          std::to_string(version) + "; this version reads format " +
          std::to_string(kArchiveVersion) + "): update the app");
    }
    const uint8_t kind = header[1];
    if (!internal::IsKnownArchiveKind(kind)) {
      return Status::InvalidMessage("unknown archive kind " + std::to_string(kind));
    }
    if (kind != static_cast<uint8_t>(expected_kind)) {
      return Status::InvalidMessage("this archive is " + KindName(kind) + ", not " +
                                    KindName(static_cast<uint8_t>(expected_kind)));
    }
    const uint32_t size = internal::GetU32(header.data() + 2);
    if (!internal::IsValidChunkSize(size)) {
      return Status::InvalidMessage("archive chunk size " + std::to_string(size) +
                                    " is out of bounds");
    }
    internal::InitStream(key, header, stream);
    chunk_size = size;
    wire_size = size_t{size} + kArchiveChunkOverhead;
    phase = Phase::kChunks;
    unit_offset += kArchiveHeaderSize;
    return Status::Ok();
  }

  Status ReadChunk(ByteSpan chunk, ArchiveRecordHandler& handler) {
    const std::string which = "archive chunk " + std::to_string(chunks);
    // Allocated once a whole chunk has arrived: a header alone (unauthenticated
    // until chunk 0) costs no chunk-sized buffer.
    if (plain.size() != chunk_size) plain = SecretBytes(chunk_size);
    internal::StreamState trial = stream;  // State not committed yet.
    unsigned long long length = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&trial.state, plain.data(), &length, &tag,
                                                   chunk.data(), chunk.size(), nullptr, 0) != 0) {
      return Status::InvalidMessage(which +
                                    " does not authenticate: wrong key, or the archive was "
                                    "damaged, modified, truncated inside a chunk or reordered");
    }
    const bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (!final && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      return Status::InvalidMessage(which + " has an unexpected secretstream tag");
    }
    ByteSpan records_part = plain.span();
    if (final) {
      const ptrdiff_t used = internal::PaddedLength(records_part);
      if (used < 0) return Status::InvalidMessage(which + " (the last) is not padded correctly");
      records_part = records_part.first(static_cast<size_t>(used));
    }
    Framing check = framing;
    SB_RETURN_IF_ERROR(Walk(records_part, check, nullptr, nullptr, nullptr));
    if (final && !check.AtRecordBoundary()) {
      return Status::InvalidMessage("the archive ends inside a record");
    }
    // Every check passed: commit, then hand the records out.
    stream = trial;
    ++chunks;
    unit_offset += wire_size;
    if (final) phase = Phase::kFinished;
    Status handled = Walk(records_part, framing, &spill, &handler, &records);
    if (!handled.ok()) phase = Phase::kFailed;
    return handled;
  }
};

ArchiveReader::ArchiveReader(const ArchiveKey& key, ArchiveKind expected_kind)
    : state_(std::make_unique<State>(key, expected_kind)) {}
ArchiveReader::ArchiveReader(ArchiveReader&&) noexcept = default;
ArchiveReader& ArchiveReader::operator=(ArchiveReader&&) noexcept = default;
ArchiveReader::~ArchiveReader() = default;

Status ArchiveReader::Feed(ByteSpan bytes, ArchiveRecordHandler& handler) {
  State& s = *state_;
  if (s.phase == State::Phase::kFailed) {
    return Status::InvalidState("the archive reader failed earlier");
  }
  while (!bytes.empty()) {
    if (s.phase == State::Phase::kFinished) {
      return Status::InvalidMessage("data after the end of the archive");
    }
    const size_t unit_size = s.phase == State::Phase::kHeader ? kArchiveHeaderSize : s.wire_size;
    ByteSpan unit;
    if (s.pending.empty() && bytes.size() >= unit_size) {
      unit = bytes.first(unit_size);  // Whole in this call: no copy.
      bytes = bytes.subspan(unit_size);
    } else {
      const size_t take = std::min(unit_size - s.pending.size(), bytes.size());
      s.pending.insert(s.pending.end(), bytes.begin(), bytes.begin() + take);
      bytes = bytes.subspan(take);
      if (s.pending.size() < unit_size) break;
      unit = s.pending;
    }
    Status status =
        s.phase == State::Phase::kHeader ? s.ReadHeader(unit) : s.ReadChunk(unit, handler);
    s.pending.clear();
    SB_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

Status ArchiveReader::Finish() const {
  switch (state_->phase) {
    case State::Phase::kFinished:
      return Status::Ok();
    case State::Phase::kFailed:
      return Status::InvalidState("the archive reader failed earlier");
    default:
      return Status::InvalidMessage("the archive is truncated: it ends before its final chunk");
  }
}

bool ArchiveReader::finished() const { return state_->phase == State::Phase::kFinished; }
uint64_t ArchiveReader::next_offset() const { return state_->unit_offset + state_->pending.size(); }
uint64_t ArchiveReader::chunks_read() const { return state_->chunks; }
uint64_t ArchiveReader::records_read() const { return state_->records; }
void ArchiveReader::DiscardIncompleteChunk() { state_->pending.clear(); }

}  // namespace securebase::crypto
