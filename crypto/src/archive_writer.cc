// Archive format v1, writing side (archive.h).
#include <cstring>

#include "archive_format.h"
#include "byte_io.h"
#include "securebase/crypto/archive.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {

struct ArchiveWriter::State {
  enum class Phase { kOpen, kFinished, kFailed };

  State(ArchiveSink& s, uint32_t size)
      : sink(s), chunk_size(size), plain(size), cipher(size + kArchiveChunkOverhead) {}

  ArchiveSink& sink;
  const uint32_t chunk_size;
  internal::StreamState stream;
  SecretBytes plain;  // The chunk being filled.
  size_t fill = 0;
  Bytes cipher;  // Ciphertext is not secret; reused for every chunk.
  uint64_t chunks = 0;
  uint64_t records = 0;
  Phase phase = Phase::kOpen;

  // Encrypts the full chunk buffer under `tag` and hands it to the sink.
  Status WriteChunk(uint8_t tag) {
    crypto_secretstream_xchacha20poly1305_push(&stream.state, cipher.data(), nullptr, plain.data(),
                                               chunk_size, nullptr, 0, tag);
    fill = 0;
    Status written = sink.WriteChunk(chunks, cipher);
    if (!written.ok()) {
      phase = Phase::kFailed;
      return written;
    }
    ++chunks;
    return Status::Ok();
  }

  // Appends record-stream bytes, writing each chunk as soon as it is full
  // (so Finish always finds room for the padding marker).
  Status Append(ByteSpan bytes) {
    while (!bytes.empty()) {
      const size_t take = std::min(bytes.size(), size_t{chunk_size} - fill);
      std::memcpy(plain.data() + fill, bytes.data(), take);
      fill += take;
      bytes = bytes.subspan(take);
      if (fill == chunk_size)
        SB_RETURN_IF_ERROR(WriteChunk(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
    }
    return Status::Ok();
  }
};

ArchiveWriter::ArchiveWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
ArchiveWriter::ArchiveWriter(ArchiveWriter&&) noexcept = default;
ArchiveWriter& ArchiveWriter::operator=(ArchiveWriter&&) noexcept = default;
ArchiveWriter::~ArchiveWriter() = default;

Result<ArchiveWriter> ArchiveWriter::Start(const ArchiveKey& key, ArchiveKind kind,
                                           ArchiveSink& sink, RandomSource& rng,
                                           const ArchiveOptions& options) {
  if (!internal::IsValidChunkSize(options.chunk_size)) {
    return Status::InvalidArgument("archive chunk size must be between " +
                                   std::to_string(kMinArchiveChunkSize) + " and " +
                                   std::to_string(kMaxArchiveChunkSize) + " bytes");
  }
  if (!internal::IsKnownArchiveKind(static_cast<uint8_t>(kind))) {
    return Status::InvalidArgument("unknown archive kind");
  }
  auto state = std::make_unique<State>(sink, options.chunk_size);
  std::array<uint8_t, kArchiveHeaderSize> header{};
  const auto prefix = internal::ArchiveHeaderPrefix(kind, options.chunk_size);
  std::memcpy(header.data(), prefix.data(), prefix.size());
  rng.Fill(std::span<uint8_t>(header).subspan(prefix.size()));
  internal::InitStream(key, header, state->stream);
  SB_RETURN_IF_ERROR(sink.WriteHeader(header));
  return ArchiveWriter(std::move(state));
}

Status ArchiveWriter::Add(ByteSpan record) {
  State& s = *state_;
  if (s.phase != State::Phase::kOpen) {
    return Status::InvalidState("the archive writer is finished or failed");
  }
  if (record.size() > kMaxArchiveRecordSize) {
    return Status::InvalidArgument("archive record of " + std::to_string(record.size()) +
                                   " bytes is over the limit of " +
                                   std::to_string(kMaxArchiveRecordSize));
  }
  uint8_t length[internal::kRecordLengthSize];
  internal::PutU32(length, static_cast<uint32_t>(record.size()));
  SB_RETURN_IF_ERROR(s.Append(ByteSpan(length, sizeof length)));
  SB_RETURN_IF_ERROR(s.Append(record));
  ++s.records;
  return Status::Ok();
}

Status ArchiveWriter::Finish() {
  State& s = *state_;
  if (s.phase != State::Phase::kOpen) {
    return Status::InvalidState("the archive writer is finished or failed");
  }
  // ISO/IEC 7816-4 padding to the chunk size; Append left room for the marker.
  s.plain.data()[s.fill] = internal::kPaddingMarker;
  std::memset(s.plain.data() + s.fill + 1, 0, s.chunk_size - s.fill - 1);
  SB_RETURN_IF_ERROR(s.WriteChunk(crypto_secretstream_xchacha20poly1305_TAG_FINAL));
  s.phase = State::Phase::kFinished;
  return Status::Ok();
}

uint64_t ArchiveWriter::records_written() const { return state_->records; }
uint64_t ArchiveWriter::chunks_written() const { return state_->chunks; }

}  // namespace securebase::crypto
