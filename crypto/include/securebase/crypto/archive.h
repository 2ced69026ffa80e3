// Archives: a stream of opaque records, encrypted with libsodium's
// crypto_secretstream_xchacha20poly1305, for the history a linked device
// receives and for backups. What the caller may rely on: a reader hands out
// exactly the records the writer added, in order, each once; a truncated,
// reordered, spliced, modified or wrongly keyed archive is refused with a
// clear error before any record of the refused chunk is handed out; memory
// stays bounded by one chunk plus one record, whatever the archive's size.
//
// Format v1 (docs/LINKING.md has the byte-level specification):
//   header (30 bytes):  version(1) = 0x01 | kind(1) | chunk size(4, big-endian)
//                       | secretstream header(24)
//   chunk i (chunk size + 17 bytes each, all the same size):
//                       crypto_secretstream_xchacha20poly1305_push of exactly
//                       chunk-size plaintext bytes, tag MESSAGE, except the
//                       last, whose tag is FINAL
//   plaintext:          the records, each  length(4, big-endian) | bytes,
//                       concatenated and cut into chunks wherever the chunk
//                       size falls (a record may span chunks); the last chunk
//                       is padded ISO/IEC 7816-4 (0x80, then zeros) to the
//                       chunk size, so the archive's length reveals its size
//                       only to within a chunk.
//   stream key:         HKDF-SHA256(salt = none, ikm = archive key,
//                         info = "SecureBase/v1/archive" | version | kind |
//                                chunk size)
// The kind and chunk size are bound into the key, so a header edited in
// transit (or a backup presented as a history transfer) fails at chunk 0.
//
// Resuming after a dropped connection. secretstream chains its chunks: the
// state after chunk i depends on every chunk before it, so chunk i can be
// decrypted only by a reader that has read chunks 0..i-1. The chosen design
// keeps that chain (no re-keying per segment, which would need a second
// construction on top of secretstream) and keeps the reader's state at its
// last good chunk instead:
//   - every chunk has the same size on the wire, so chunk i starts at
//     ArchiveChunkOffset(chunk size, i) and a sender (or the server's blob
//     store) serves "from chunk i" as a byte range;
//   - ArchiveReader::next_offset() is always the offset of the next byte it
//     needs; after a dropped connection DiscardIncompleteChunk() rewinds it to
//     the start of the chunk it was in the middle of, and the caller fetches
//     from there. A chunk that fails to authenticate leaves the reader as it
//     was before that chunk, so a retry from next_offset() is also possible.
//   - the reader's state lives in memory: if the receiving process itself
//     dies, the transfer starts again from chunk 0 (the records already
//     imported should be staged, see ArchiveReader).
// A writer's output is not reproducible (the secretstream header is random),
// so a sender that must re-send chunks keeps the ciphertext it has not yet
// delivered (it is ciphertext: safe on disk or at the server).
//
// Thread-safety: none; each object is owned by one caller. Keys and
// secretstream states are wiped when their owner is destroyed.
#ifndef SECUREBASE_CRYPTO_ARCHIVE_H_
#define SECUREBASE_CRYPTO_ARCHIVE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr uint8_t kArchiveVersion = 1;
inline constexpr size_t kArchiveKeySize = 32;
inline constexpr size_t kArchiveHeaderSize = 1 + 1 + 4 + 24;
// Bytes a chunk adds on the wire (secretstream's tag byte and MAC).
inline constexpr size_t kArchiveChunkOverhead = 17;
inline constexpr uint32_t kDefaultArchiveChunkSize = 64 * 1024;

// What the records are for. Bound into the stream key: an archive of one kind
// never reads as the other.
enum class ArchiveKind : uint8_t {
  kHistoryTransfer = 1,  // From an existing device to a newly linked one.
  kBackup = 2,           // Inside a backup file (backup.h).
};

// Byte offset of chunk `index` from the start of an archive (its header
// included) with that chunk size. Chunk sizes within the limits only.
uint64_t ArchiveChunkOffset(uint32_t chunk_size, uint64_t index);

// The symmetric key of one archive. For a history transfer: 32 random bytes,
// made by the sending device and carried to the new one inside the
// provisioning message (provisioning.h). For a backup: derived from the
// recovery key (backup.h). Kept in sodium_malloc memory, read-only.
class ArchiveKey {
 public:
  static ArchiveKey Generate(RandomSource& rng);
  // kInvalidArgument unless `bytes` is kArchiveKeySize long.
  static Result<ArchiveKey> FromBytes(ByteSpan bytes);
  ArchiveKey Clone() const { return ArchiveKey(key_.Clone()); }
  // Secret: for putting the key into its carrier (the provisioning message,
  // or the client's sealed vault while a transfer is in progress).
  ByteSpan bytes() const { return key_.span(); }

 private:
  explicit ArchiveKey(SecureBuffer key) : key_(std::move(key)) { key_.MakeReadOnly(); }
  SecureBuffer key_;
};

struct ArchiveOptions {
  // Plaintext bytes per chunk, within [kMinArchiveChunkSize,
  // kMaxArchiveChunkSize]. Each end holds one chunk in memory. Larger chunks
  // cost less per byte (17 bytes and one AEAD call per chunk) but pad the
  // archive to a coarser size and make a resumed transfer repeat more.
  uint32_t chunk_size = kDefaultArchiveChunkSize;
};

// Where a writer's output goes: the client's file, upload or server blob.
class ArchiveSink {
 public:
  virtual ~ArchiveSink() = default;
  // Called once, first, with everything before chunk 0 (the archive header,
  // and for a backup the backup header before it). The bytes are valid only
  // during the call. A non-OK status is returned by the writer call that
  // caused it, and the writer is failed from then on.
  virtual Status WriteHeader(ByteSpan header) = 0;
  // Called once per chunk, in index order, each chunk whole (same size
  // every time). The chunk starts at the stream offset ArchiveChunkOffset(
  // chunk size, index) plus, for a backup, kBackupHeaderSize. Errors as
  // for WriteHeader.
  virtual Status WriteChunk(uint64_t index, ByteSpan chunk) = 0;
};

// Writes one archive to a sink: Start, Add each record, Finish. Holds one
// chunk of plaintext (wiped memory) and the sink by reference (it must
// outlive the writer). An archive without Finish has no final chunk and
// every reader refuses it as truncated.
class ArchiveWriter {
 public:
  // Derives the stream key, draws the secretstream header from `rng` and
  // writes the archive header to `sink`. kInvalidArgument if the chunk size
  // is out of bounds or the kind is unknown; the sink's error if it fails.
  static Result<ArchiveWriter> Start(const ArchiveKey& key, ArchiveKind kind, ArchiveSink& sink,
                                     RandomSource& rng, const ArchiveOptions& options = {});
  ArchiveWriter(ArchiveWriter&&) noexcept;
  ArchiveWriter& operator=(ArchiveWriter&&) noexcept;
  ~ArchiveWriter();

  // Appends one record (may be empty). Writes every chunk it fills.
  // kInvalidArgument if the record is longer than kMaxArchiveRecordSize
  // (nothing is written; the writer stays usable); kInvalidState after
  // Finish or after a sink error; the sink's error (the writer is then
  // failed).
  Status Add(ByteSpan record);
  // Pads and writes the final chunk. kInvalidState if already finished or
  // failed; the sink's error.
  Status Finish();

  uint64_t records_written() const;
  // Chunks handed to the sink so far.
  uint64_t chunks_written() const;

 private:
  struct State;
  explicit ArchiveWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Receives the records a reader authenticates.
class ArchiveRecordHandler {
 public:
  virtual ~ArchiveRecordHandler() = default;
  // Called once per record, in the writer's order. `record` points into the
  // reader's wiped buffers and is valid only during the call. A non-OK
  // status stops the reader: Feed returns it, and the reader is failed
  // (kInvalidState from then on), since the records after it in the same
  // chunk were not handed out.
  virtual Status OnRecord(ByteSpan record) = 0;
};

// Reads one archive from its bytes, fed in pieces of any size.
//
// Records are handed out as soon as their chunk authenticates, which is
// before the archive is known to be complete: a reader that must not act on
// part of an archive (a restore, a history import) stages what it gets and
// commits only when Finish() says OK.
class ArchiveReader {
 public:
  // The reader keeps a copy of the key until the header is read.
  ArchiveReader(const ArchiveKey& key, ArchiveKind expected_kind);
  ArchiveReader(ArchiveReader&&) noexcept;
  ArchiveReader& operator=(ArchiveReader&&) noexcept;
  ~ArchiveReader();

  // Consumes `bytes`, the archive's next bytes (starting at next_offset()),
  // and hands each record completed by a chunk that authenticates to
  // `handler`. Errors, after which the reader is exactly as it was before
  // the header or chunk at fault (next_offset() is that unit's start; the
  // bytes from there on were not consumed; records of earlier chunks in
  // this call were handed out):
  //   kUnsupportedVersion  the archive's version byte is newer than this
  //                        library reads;
  //   kInvalidMessage      not an archive (version 0), another kind than
  //                        expected, a chunk size out of bounds, a chunk
  //                        that does not authenticate (wrong key, damaged,
  //                        modified, reordered, from another archive), a
  //                        chunk with an unexpected secretstream tag, bad
  //                        framing or padding, or bytes after the final
  //                        chunk;
  //   the handler's error  (the reader is then failed);
  //   kInvalidState        the reader failed earlier.
  Status Feed(ByteSpan bytes, ArchiveRecordHandler& handler);

  // OK once the final chunk has been read; kInvalidMessage ("truncated")
  // before, kInvalidState if the reader failed.
  Status Finish() const;
  bool finished() const;

  // Offset, from the archive's first byte, of the next byte Feed expects.
  uint64_t next_offset() const;
  // Chunks authenticated so far (the index of the next chunk).
  uint64_t chunks_read() const;
  uint64_t records_read() const;
  // Forgets the bytes of an incomplete chunk (or header) received so far,
  // so that next_offset() is a chunk boundary again: call it when a
  // connection dropped mid-chunk, then continue from next_offset().
  void DiscardIncompleteChunk();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_ARCHIVE_H_
