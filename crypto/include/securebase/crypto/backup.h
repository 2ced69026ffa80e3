// Backup files: an archive of records (archive.h, kind kBackup) under a key
// derived from the user's recovery key (recovery_key.h), behind a small
// versioned header. What the caller may rely on: a backup reads back only
// with its recovery key, record for record; a wrong recovery key
// (kWrongKey), a damaged, modified or truncated file (kInvalidMessage) and a
// file from a newer SecureBase (kUnsupportedVersion) are told apart; every
// backup version this library ever wrote stays readable.
//
// Format v1 (integers big-endian; docs/LINKING.md has the details):
//   version(1) = 0x01 | created at(8, seconds since the Unix epoch) |
//   backup id(16, random) | key check(16) | archive (kind kBackup)
// Keys, with HKDF-SHA256 (RFC 5869):
//   PRK         = HKDF-Extract(salt = none, ikm = recovery key)
//   key check   = HKDF-Expand(PRK, "SecureBase/v1/backup-key-check", 16)
//   archive key = HKDF-Expand(PRK, "SecureBase/v1/backup-archive" |
//                             version | created at | backup id, 32)
// The key check identifies the recovery key (the same in every backup under
// it; a one-way value of a 256-bit key), so a wrong recovery key is told
// apart before any chunk is read. The header fields are bound into the
// archive key, so an edited creation time or id fails as a modified file.
// (An edited key check reads as a wrong key: either way nothing is
// restored.) Each backup has its own random id, so two backups under one
// recovery key never share an archive key.
//
// Versions: the reader dispatches on the version byte to that version's
// header layout and key derivation (backup.cc). A v2 adds its parser and
// derivation beside v1's and may add fields to BackupInfo; v1 files keep
// reading as they do now.
//
// Thread-safety: none; each object is owned by one caller.
#ifndef SECUREBASE_CRYPTO_BACKUP_H_
#define SECUREBASE_CRYPTO_BACKUP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/recovery_key.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr uint8_t kBackupVersion = 1;
inline constexpr size_t kBackupIdSize = 16;
inline constexpr size_t kBackupKeyCheckSize = 16;
// The v1 header: everything before the archive.
inline constexpr size_t kBackupHeaderSize = 1 + 8 + kBackupIdSize + kBackupKeyCheckSize;

struct BackupIdTag {};
using BackupId = FixedBytes<BackupIdTag, kBackupIdSize>;

// What a backup's header says.
struct BackupInfo {
  uint8_t format_version = 0;
  // The writer's clock when the backup was made.
  uint64_t created_at_unix_seconds = 0;
  BackupId backup_id;
  // Bytes before the archive (kBackupHeaderSize for v1): add it to
  // ArchiveChunkOffset for a chunk's offset in the file.
  size_t header_size = 0;
};

// The header alone, from the file's first bytes, without the key: to show
// "backup of <date>" before asking for the recovery key. Not authenticated
// until a BackupReader has read the whole file. kInvalidMessage if the bytes
// are too few or not a backup; kUnsupportedVersion for a newer format.
Result<BackupInfo> ReadBackupInfo(ByteSpan file_start);

// Writes one backup: Start, Add each record, Finish. The sink receives the
// backup header and the archive header in its one WriteHeader call.
class BackupWriter {
 public:
  // Draws the backup id and the archive's secretstream header from `rng`
  // and writes the header. kInvalidArgument for an out-of-bounds chunk size;
  // the sink's error.
  static Result<BackupWriter> Start(const RecoveryKey& key, uint64_t created_at_unix_seconds,
                                    ArchiveSink& sink, RandomSource& rng,
                                    const ArchiveOptions& options = {});
  BackupWriter(BackupWriter&&) noexcept;
  BackupWriter& operator=(BackupWriter&&) noexcept;
  ~BackupWriter();

  // As ArchiveWriter::Add and ArchiveWriter::Finish.
  Status Add(ByteSpan record);
  Status Finish();
  const BackupInfo& info() const;

 private:
  struct State;
  explicit BackupWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads one backup file from its bytes, fed in pieces of any size.
// Records are handed out as their chunks authenticate, before the file is
// known to be complete: a restore stages them and writes nothing until
// Finish() says OK.
class BackupReader {
 public:
  explicit BackupReader(const RecoveryKey& key);
  BackupReader(BackupReader&&) noexcept;
  BackupReader& operator=(BackupReader&&) noexcept;
  ~BackupReader();

  // Consumes the file's next bytes (from next_offset()). Errors, after which
  // the reader is as it was before the header or chunk at fault (see
  // ArchiveReader::Feed):
  //   kUnsupportedVersion  written by a newer SecureBase (backup format or
  //                        archive format);
  //   kWrongKey            the key check does not match: this backup was made
  //                        with a different recovery key;
  //   kInvalidMessage      not a backup, or damaged, modified (header or any
  //                        chunk) or with bytes after its end;
  //   the handler's error, kInvalidState: as for ArchiveReader.
  Status Feed(ByteSpan bytes, ArchiveRecordHandler& handler);
  // The header, once it has been read and the key checked.
  const std::optional<BackupInfo>& info() const;

  // As ArchiveReader's; next_offset() counts from the start of the file.
  Status Finish() const;
  bool finished() const;
  uint64_t next_offset() const;
  uint64_t chunks_read() const;
  uint64_t records_read() const;
  void DiscardIncompleteChunk();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_BACKUP_H_
