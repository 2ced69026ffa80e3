// Backup file format v1 (backup.h): a versioned header, keys derived from
// the recovery key with HKDF-SHA256, and an archive of kind kBackup.
#include "securebase/crypto/backup.h"

#include <array>
#include <string>
#include <string_view>

#include "byte_io.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/hkdf.h"

namespace securebase::crypto {
namespace {

constexpr std::string_view kKeyCheckLabel = "SecureBase/v1/backup-key-check";
constexpr std::string_view kArchiveKeyLabel = "SecureBase/v1/backup-archive";

struct ParsedHeader {
  BackupInfo info;
  std::array<uint8_t, kBackupKeyCheckSize> key_check{};
};

struct BackupKeys {
  std::array<uint8_t, kBackupKeyCheckSize> key_check{};
  ArchiveKey archive_key;
};

// --- Version 1 ---------------------------------------------------------------

constexpr size_t kV1KeyCheckOffset = 1 + 8 + kBackupIdSize;

// Exactly kBackupHeaderSize bytes whose first is 1.
ParsedHeader ParseV1(ByteSpan header) {
  ParsedHeader parsed;
  parsed.info.format_version = 1;
  parsed.info.created_at_unix_seconds = internal::GetU64(header.data() + 1);
  parsed.info.backup_id = BackupId::FromBytes(header.subspan(9, kBackupIdSize)).value();
  parsed.info.header_size = kBackupHeaderSize;
  std::copy(header.begin() + kV1KeyCheckOffset, header.end(), parsed.key_check.begin());
  return parsed;
}

// The header fields before the key check, as they are written and bound.
Bytes V1Fields(const BackupInfo& info) {
  Bytes fields;
  fields.reserve(kBackupHeaderSize);
  internal::BytesSink sink{fields};
  internal::Writer<internal::BytesSink> w(sink);
  w.U8(1);
  w.U64(info.created_at_unix_seconds);
  w.Raw(info.backup_id.span());
  return fields;
}

BackupKeys DeriveV1(const RecoveryKey& key, const BackupInfo& info) {
  const SecretArray<kHkdfHashSize> prk = HkdfExtract(ByteSpan(), key.bytes());
  std::array<uint8_t, kBackupKeyCheckSize> check{};
  Bytes info_bytes(kArchiveKeyLabel.begin(), kArchiveKeyLabel.end());
  const Bytes fields = V1Fields(info);
  info_bytes.insert(info_bytes.end(), fields.begin(), fields.end());
  SecretArray<kArchiveKeySize> archive_key;
  // Cannot fail: a 32-byte PRK and short outputs.
  HkdfExpand(prk.span(), AsBytes(kKeyCheckLabel), check).IgnoreError();
  HkdfExpand(prk.span(), info_bytes, archive_key.mutable_span()).IgnoreError();
  return BackupKeys{check, ArchiveKey::FromBytes(archive_key.span()).value()};
}

Bytes SerializeV1(const BackupInfo& info, const BackupKeys& keys) {
  Bytes header = V1Fields(info);
  header.insert(header.end(), keys.key_check.begin(), keys.key_check.end());
  return header;
}

// --- Dispatch on the version byte ----------------------------------------------

// One entry per backup format ever written; a new version adds one.
struct HeaderFormat {
  uint8_t version;
  size_t size;
  ParsedHeader (*parse)(ByteSpan header);
  BackupKeys (*derive)(const RecoveryKey& key, const BackupInfo& info);
};
constexpr HeaderFormat kFormats[] = {
    {1, kBackupHeaderSize, ParseV1, DeriveV1},
};

// The format of a file starting with `version`, or why there is none.
Result<const HeaderFormat*> FindFormat(uint8_t version) {
  for (const HeaderFormat& format : kFormats) {
    if (format.version == version) return &format;
  }
  if (version == 0) return Status::InvalidMessage("this file is not a SecureBase backup");
  return Status::UnsupportedVersion(
      "this backup's format (version " + std::to_string(version) +
      ") is newer than this SecureBase reads (up to version " + std::to_string(kBackupVersion) +
      "): update the app, or check that the file is a SecureBase backup");
}

// Puts the backup header before the archive header.
class HeaderPrefixSink final : public ArchiveSink {
 public:
  HeaderPrefixSink(ArchiveSink& outer, Bytes prefix) : outer_(outer), prefix_(std::move(prefix)) {}
  Status WriteHeader(ByteSpan header) override {
    Bytes all = prefix_;
    all.insert(all.end(), header.begin(), header.end());
    return outer_.WriteHeader(all);
  }
  Status WriteChunk(uint64_t index, ByteSpan chunk) override {
    return outer_.WriteChunk(index, chunk);
  }

 private:
  ArchiveSink& outer_;
  Bytes prefix_;
};

}  // namespace

Result<BackupInfo> ReadBackupInfo(ByteSpan file_start) {
  if (file_start.empty()) return Status::InvalidMessage("this file is empty, not a backup");
  SB_ASSIGN_OR_RETURN(const HeaderFormat* format, FindFormat(file_start[0]));
  if (file_start.size() < format->size) {
    return Status::InvalidMessage("this file is too short to be a SecureBase backup");
  }
  return format->parse(file_start.first(format->size)).info;
}

// --- Writer --------------------------------------------------------------------

struct BackupWriter::State {
  State(ArchiveSink& outer, Bytes header, const BackupInfo& i)
      : sink(outer, std::move(header)), info(i) {}
  HeaderPrefixSink sink;
  BackupInfo info;
  std::optional<ArchiveWriter> archive;
};

BackupWriter::BackupWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
BackupWriter::BackupWriter(BackupWriter&&) noexcept = default;
BackupWriter& BackupWriter::operator=(BackupWriter&&) noexcept = default;
BackupWriter::~BackupWriter() = default;

Result<BackupWriter> BackupWriter::Start(const RecoveryKey& key, uint64_t created_at_unix_seconds,
                                         ArchiveSink& sink, RandomSource& rng,
                                         const ArchiveOptions& options) {
  BackupInfo info;
  info.format_version = kBackupVersion;
  info.created_at_unix_seconds = created_at_unix_seconds;
  std::array<uint8_t, kBackupIdSize> id;
  rng.Fill(id);
  info.backup_id = BackupId(id);
  info.header_size = kBackupHeaderSize;
  const BackupKeys keys = DeriveV1(key, info);
  auto state = std::make_unique<State>(sink, SerializeV1(info, keys), info);
  SB_ASSIGN_OR_RETURN(
      ArchiveWriter archive,
      ArchiveWriter::Start(keys.archive_key, ArchiveKind::kBackup, state->sink, rng, options));
  state->archive.emplace(std::move(archive));
  return BackupWriter(std::move(state));
}

Status BackupWriter::Add(ByteSpan record) { return state_->archive->Add(record); }
Status BackupWriter::Finish() { return state_->archive->Finish(); }
const BackupInfo& BackupWriter::info() const { return state_->info; }

// --- Reader --------------------------------------------------------------------

struct BackupReader::State {
  explicit State(const RecoveryKey& k) : key(k.Clone()) {}
  RecoveryKey key;
  Bytes pending;  // Header bytes received so far.
  std::optional<BackupInfo> info;
  std::optional<ArchiveReader> archive;

  // Reads the header from `bytes` (consuming what it uses). OK with no
  // archive yet while the header is incomplete.
  Status ReadHeader(ByteSpan& bytes) {
    if (pending.empty() && bytes.empty()) return Status::Ok();
    const uint8_t version = pending.empty() ? bytes[0] : pending[0];
    auto format = FindFormat(version);
    if (!format.ok()) {
      pending.clear();
      return format.status();
    }
    const size_t take = std::min((*format)->size - pending.size(), bytes.size());
    pending.insert(pending.end(), bytes.begin(), bytes.begin() + take);
    bytes = bytes.subspan(take);
    if (pending.size() < (*format)->size) return Status::Ok();
    const ParsedHeader parsed = (*format)->parse(pending);
    pending.clear();
    const BackupKeys keys = (*format)->derive(key, parsed.info);
    if (!ConstantTimeEquals(keys.key_check, parsed.key_check)) {
      return Status::WrongKey(
          "this backup was made with a different recovery key: check that the key belongs to "
          "this backup");
    }
    info = parsed.info;
    archive.emplace(keys.archive_key, ArchiveKind::kBackup);
    return Status::Ok();
  }
};

BackupReader::BackupReader(const RecoveryKey& key) : state_(std::make_unique<State>(key)) {}
BackupReader::BackupReader(BackupReader&&) noexcept = default;
BackupReader& BackupReader::operator=(BackupReader&&) noexcept = default;
BackupReader::~BackupReader() = default;

Status BackupReader::Feed(ByteSpan bytes, ArchiveRecordHandler& handler) {
  State& s = *state_;
  if (!s.archive) {
    SB_RETURN_IF_ERROR(s.ReadHeader(bytes));
    if (!s.archive) return Status::Ok();
  }
  return s.archive->Feed(bytes, handler);
}

Status BackupReader::Finish() const {
  if (!state_->archive) {
    return Status::InvalidMessage("the backup is truncated: it ends inside its header");
  }
  return state_->archive->Finish();
}

bool BackupReader::finished() const { return state_->archive && state_->archive->finished(); }
const std::optional<BackupInfo>& BackupReader::info() const { return state_->info; }

uint64_t BackupReader::next_offset() const {
  if (!state_->archive) return state_->pending.size();
  return state_->info->header_size + state_->archive->next_offset();
}

uint64_t BackupReader::chunks_read() const {
  return state_->archive ? state_->archive->chunks_read() : 0;
}

uint64_t BackupReader::records_read() const {
  return state_->archive ? state_->archive->records_read() : 0;
}

void BackupReader::DiscardIncompleteChunk() {
  if (state_->archive) {
    state_->archive->DiscardIncompleteChunk();
  } else {
    state_->pending.clear();
  }
}

}  // namespace securebase::crypto
