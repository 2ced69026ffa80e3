// Pieces of archive format v1 shared by the writer and the reader (archive.h
// specifies the format). Private to crypto/.
#ifndef SECUREBASE_CRYPTO_SRC_ARCHIVE_FORMAT_H_
#define SECUREBASE_CRYPTO_SRC_ARCHIVE_FORMAT_H_

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/secret.h"

namespace securebase::crypto::internal {

inline constexpr std::string_view kArchiveKeyLabel = "SecureBase/v1/archive";
// version | kind | chunk size: the header bytes before the secretstream
// header, bound into the stream key.
inline constexpr size_t kArchiveHeaderPrefixSize = 1 + 1 + 4;
inline constexpr size_t kRecordLengthSize = 4;
inline constexpr uint8_t kPaddingMarker = 0x80;
static_assert(kArchiveHeaderSize ==
              kArchiveHeaderPrefixSize + crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(kArchiveChunkOverhead == crypto_secretstream_xchacha20poly1305_ABYTES);

// A secretstream state, which holds a key: wiped on destruction. Copyable on
// purpose: the reader decrypts each chunk on a copy and keeps it only when
// the chunk passes every check.
struct StreamState {
  StreamState() = default;
  StreamState(const StreamState&) = default;
  StreamState& operator=(const StreamState&) = default;
  ~StreamState() { SecureWipe(&state, sizeof state); }
  crypto_secretstream_xchacha20poly1305_state state{};
};

bool IsKnownArchiveKind(uint8_t kind);
bool IsValidChunkSize(uint32_t chunk_size);

std::array<uint8_t, kArchiveHeaderPrefixSize> ArchiveHeaderPrefix(ArchiveKind kind,
                                                                  uint32_t chunk_size);

// The secretstream state for the archive whose header (prefix and
// secretstream header, kArchiveHeaderSize bytes) is `header`: the stream key
// HKDF-SHA256(ikm = archive key, info = label | prefix), then libsodium's
// init_pull. The writer uses it too, after drawing the secretstream header
// from the injected RandomSource: init_push is randombytes_buf(header) and
// then exactly init_pull's steps (libsodium 1.0.18,
// crypto_secretstream/xchacha20poly1305/secretstream_xchacha20poly1305.c), and
// taking the header from RandomSource is what makes archives reproducible in
// known-answer tests. archive_test.cc checks the equivalence against
// libsodium's own init_push.
void InitStream(const ArchiveKey& key, ByteSpan header, StreamState& stream);

// Position of the padding marker in the final chunk's plaintext: the number
// of record-stream bytes before it, or -1 if the chunk is not padded
// ISO/IEC 7816-4 (0x80 then only zeros). Not constant time: the plaintext has
// authenticated, and the padding length is no secret from its reader.
ptrdiff_t PaddedLength(ByteSpan plaintext);

}  // namespace securebase::crypto::internal

#endif  // SECUREBASE_CRYPTO_SRC_ARCHIVE_FORMAT_H_
