// Archive format v1: keys, the header, the stream key (archive.h).
#include "archive_format.h"

#include <cstdlib>

#include "byte_io.h"
#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {

ArchiveKey ArchiveKey::Generate(RandomSource& rng) {
  SecureBuffer key(kArchiveKeySize);
  rng.Fill(key.mutable_span());
  return ArchiveKey(std::move(key));
}

Result<ArchiveKey> ArchiveKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kArchiveKeySize)
    return Status::InvalidArgument("archive key must be 32 bytes");
  return ArchiveKey(SecureBuffer::CopyOf(bytes));
}

uint64_t ArchiveChunkOffset(uint32_t chunk_size, uint64_t index) {
  return kArchiveHeaderSize + index * (uint64_t{chunk_size} + kArchiveChunkOverhead);
}

namespace internal {

bool IsKnownArchiveKind(uint8_t kind) {
  return kind == static_cast<uint8_t>(ArchiveKind::kHistoryTransfer) ||
         kind == static_cast<uint8_t>(ArchiveKind::kBackup);
}

bool IsValidChunkSize(uint32_t chunk_size) {
  return chunk_size >= kMinArchiveChunkSize && chunk_size <= kMaxArchiveChunkSize;
}

std::array<uint8_t, kArchiveHeaderPrefixSize> ArchiveHeaderPrefix(ArchiveKind kind,
                                                                  uint32_t chunk_size) {
  std::array<uint8_t, kArchiveHeaderPrefixSize> prefix{};
  prefix[0] = kArchiveVersion;
  prefix[1] = static_cast<uint8_t>(kind);
  PutU32(prefix.data() + 2, chunk_size);
  return prefix;
}

void InitStream(const ArchiveKey& key, ByteSpan header, StreamState& stream) {
  EnsureSodiumInitialized();
  if (header.size() != kArchiveHeaderSize) std::abort();  // Callers pass whole headers.
  Bytes info(kArchiveKeyLabel.begin(), kArchiveKeyLabel.end());
  info.insert(info.end(), header.begin(), header.begin() + kArchiveHeaderPrefixSize);
  SecretArray<crypto_secretstream_xchacha20poly1305_KEYBYTES> stream_key;
  // Cannot fail: 32 bytes of output from a 32-byte key.
  Hkdf(ByteSpan(), key.bytes(), info, stream_key.mutable_span()).IgnoreError();
  crypto_secretstream_xchacha20poly1305_init_pull(
      &stream.state, header.data() + kArchiveHeaderPrefixSize, stream_key.data());
}

ptrdiff_t PaddedLength(ByteSpan plaintext) {
  size_t end = plaintext.size();
  while (end > 0 && plaintext[end - 1] == 0) --end;
  if (end == 0 || plaintext[end - 1] != kPaddingMarker) return -1;
  return static_cast<ptrdiff_t>(end - 1);
}

}  // namespace internal
}  // namespace securebase::crypto
