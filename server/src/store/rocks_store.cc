// Opening and closing the database, and the helpers every operation uses.
#include "server/src/store/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "server/src/common/log.h"
#include "server/src/common/log_limiter.h"
#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"

namespace securebase::server {
namespace {

constexpr std::string_view kSchemaKey = "schema_version";

// RocksDB's own log lines (warnings and errors) go through ours, escaped and
// rate limited, instead of to DATA_DIR/db/LOG. Besides keeping one log, this
// keeps a file off the data dir's disk: on a full disk RocksDB 7.8 aborts
// when it logs the write error into a LOG file whose previous append failed
// (an assertion in WritableFileWriter, fixed upstream in 2024).
class RocksLogToOurs final : public rocksdb::Logger {
 public:
  RocksLogToOurs() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[512];
    std::vsnprintf(line, sizeof(line), format, ap);
    uint64_t suppressed = 0;
    if (!limiter_.Admit(format, std::chrono::steady_clock::now(), &suppressed)) return;
    Log(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? LogLevel::kError : LogLevel::kWarning,
        "rocksdb", {{"message", line}, {"suppressed_before", std::to_string(suppressed)}});
  }

 private:
  // Keyed by the format string: one line a second per kind of message.
  LogLimiter limiter_{20};
};
// Present once every mailbox has its usage record (mailbox_usage.h).
constexpr std::string_view kMailboxUsageKey = "mailbox_usage";

}  // namespace

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

RangeScan::RangeScan(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string lower,
                     std::string upper)
    : lower_(std::move(lower)), upper_(std::move(upper)), lower_slice_(lower_), upper_slice_(upper_) {
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice_;
  if (!upper_.empty()) options.iterate_upper_bound = &upper_slice_;
  it_.reset(db.NewIterator(options, family));
}

Status StorageError(const rocksdb::Status& status, std::string_view operation) {
  Log(LogLevel::kError, "storage_error",
      {{"op", std::string(operation)}, {"rocksdb", status.ToString()}});
  return Status::Internal("storage failure");
}

RocksStore::RocksStore(const RocksStoreOptions& options, Clock& clock)
    : options_(options), clock_(clock) {}

Result<std::unique_ptr<RocksStore>> RocksStore::Open(const RocksStoreOptions& options, Clock& clock) {
  std::unique_ptr<RocksStore> store(new RocksStore(options, clock));
  std::error_code ec;
  if (!options.create_if_missing && !std::filesystem::exists(options.path + "/CURRENT", ec)) {
    return Status::NotFound("no database at " + options.path);
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.keep_log_file_num = 5;
  db_options.max_background_jobs = 2;
  db_options.max_open_files = options.max_open_files;
  db_options.info_log = std::make_shared<RocksLogToOurs>();
  // One memtable budget for all column families: without it each of the 13
  // may hold up to 2 x 64 MiB before a flush, and the server's memory grew
  // for minutes under steady load (the soak run) before falling back. Most
  // of what a mailbox holds is acknowledged within seconds, so small
  // memtables cost little: the flush drops envelopes deleted meanwhile.
  constexpr size_t kMemtableBudget = 16 << 20;
  db_options.db_write_buffer_size = kMemtableBudget;
  // Almost every write is the group committer's, one batch at a time, so
  // concurrent memtable inserts buy nothing, and turning them off lets the
  // mailboxes use insert hints: a mailbox's envelopes arrive in seq order,
  // so each insert starts where the mailbox's previous one ended instead of
  // searching the skiplist from its top (the profile's largest store cost).
  db_options.allow_concurrent_memtable_write = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kColumnFamilyNames.size(); ++i) {
    rocksdb::ColumnFamilyOptions family_options;
    // No single memtable beyond the shared budget (the default, 64 MiB, only
    // made RocksDB demand 64 MiB free before it would recover from a full
    // disk by itself: its SstFileManager reserves one memtable's worth).
    family_options.write_buffer_size = kMemtableBudget;
    if (static_cast<Cf>(i) == Cf::kMailboxes) {
      family_options.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewFixedPrefixTransform(keys::kMailboxPrefixSize));
    }
    descriptors.emplace_back(kColumnFamilyNames[i], family_options);
  }
  // RocksDB creates it too, but first logs a (harmless) error that it is
  // missing.
  if (options.create_if_missing) std::filesystem::create_directories(options.path, ec);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, descriptors, &store->handles_, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status::Unavailable("the database is in use by another process (a running server?)");
    }
    return Status::Internal("cannot open the database at " + options.path + ": " + s.ToString());
  }
  store->db_.reset(raw);

  std::string version;
  Status got = store->Get(Cf::kMeta, kSchemaKey, &version);
  if (got.IsNotFound()) {
    v1::SchemaRecord schema;
    schema.set_version(kSchemaVersion);
    rocksdb::WriteBatch batch;
    batch.Put(store->cf(Cf::kMeta), ToSlice(kSchemaKey), schema.SerializeAsString());
    batch.Put(store->cf(Cf::kMeta), ToSlice(kMailboxUsageKey), "1");
    SBS_RETURN_IF_ERROR(store->Write(batch, /*sync=*/true));
  } else if (!got.ok()) {
    return got;
  } else {
    v1::SchemaRecord schema;
    if (!schema.ParseFromString(version) || schema.version() != kSchemaVersion) {
      return Status::Internal("unsupported database schema version");
    }
    std::string usage_version;
    Status has_usage = store->Get(Cf::kMeta, kMailboxUsageKey, &usage_version);
    if (has_usage.IsNotFound()) {
      SBS_RETURN_IF_ERROR(store->BuildMailboxUsage());
    } else if (!has_usage.ok()) {
      return has_usage;
    }
  }

  // Audit keys are time || counter; the counter continues across restarts.
  std::unique_ptr<rocksdb::Iterator> it(
      store->db_->NewIterator(rocksdb::ReadOptions(), store->cf(Cf::kAudit)));
  it->SeekToLast();
  if (it->Valid() && it->key().size() == 16) {
    store->audit_counter_.store(keys::ReadBe64(ToView(it->key()), 8) + 1);
  }
  if (!it->status().ok()) return StorageError(it->status(), "open");
  RocksStore* self = store.get();
  store->committer_ = std::make_unique<GroupCommitter>(
      [self](rocksdb::WriteBatch& batch) { return self->Write(batch, /*sync=*/true); });
  return store;
}

RocksStore::~RocksStore() {
  committer_.reset();
  if (!db_) return;
  // Not after a failed write that was not recovered from: RocksDB 7.8 aborts
  // (an assertion) when a WAL writer that failed is used again.
  if (writable_ && write_failures_.load() == checked_write_failures_) {
    rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
    if (!s.ok()) StorageError(s, "flush_wal").IgnoreError();  // Logged; closing anyway.
  }
  rocksdb::Status s;
  for (auto* handle : handles_) {
    s = db_->DestroyColumnFamilyHandle(handle);
    if (!s.ok()) StorageError(s, "close").IgnoreError();
  }
  handles_.clear();
  s = db_->Close();
  if (!s.ok()) StorageError(s, "close").IgnoreError();
  db_.reset();
}

// A database from before usage records: count what each mailbox holds,
// once, before anything else writes.
Status RocksStore::BuildMailboxUsage() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kMailboxes)));
  rocksdb::WriteBatch batch;
  std::string current;  // Mailbox prefix being counted.
  MailboxUsage usage;
  uint64_t mailboxes = 0;
  // Absolute values (Put): redoing this after a crash gives the same result.
  auto put_current = [&]() -> Status {
    if (current.empty()) return Status::Ok();
    std::string_view ids = std::string_view(current).substr(1);  // user_id || device_id
    batch.Put(cf(Cf::kMailboxUsage), keys::MailboxUsage(ids.substr(0, 16), keys::ReadBe32(ids, 16)),
              EncodeUsage(usage));
    ++mailboxes;
    if (batch.Count() < 10000) return Status::Ok();
    Status written = Write(batch, /*sync=*/false);
    batch.Clear();
    return written;
  };
  const std::string envelope_tag(1, keys::kEnvelopeTag);
  for (it->Seek(ToSlice(envelope_tag)); it->Valid() && StartsWith(it->key(), envelope_tag);
       it->Next()) {
    if (it->key().size() != keys::kEnvelopeKeySize) return Status::Internal("corrupt mailbox key");
    std::string_view prefix = ToView(it->key()).substr(0, keys::kMailboxPrefixSize);
    if (prefix != current) {
      SBS_RETURN_IF_ERROR(put_current());
      current = std::string(prefix);
      usage = MailboxUsage{};
    }
    usage += MailboxUsage{1, static_cast<int64_t>(it->value().size())};
  }
  if (!it->status().ok()) return StorageError(it->status(), "build_usage");
  SBS_RETURN_IF_ERROR(put_current());
  // The marker last: only a complete count counts.
  batch.Put(cf(Cf::kMeta), ToSlice(kMailboxUsageKey), "1");
  SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
  Log(LogLevel::kInfo, "mailbox_usage_built", {{"mailboxes", std::to_string(mailboxes)}});
  return Status::Ok();
}

Status RocksStore::Get(Cf family, std::string_view key, std::string* value) {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(family), ToSlice(key), value);
  if (s.IsNotFound()) return Status::NotFound("not found");
  if (!s.ok()) return StorageError(s, "get");
  return Status::Ok();
}

Status RocksStore::Write(rocksdb::WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions write_options;
  write_options.sync = sync && options_.sync_writes;
  rocksdb::Status s = db_->Write(write_options, &batch);
  if (!s.ok()) {
    write_failures_.fetch_add(1);
    return StorageError(s, "write");
  }
  return Status::Ok();
}

Status RocksStore::CheckWritable() {
  const uint64_t failures = write_failures_.load();
  uint64_t background_errors = 0;
  db_->GetIntProperty("rocksdb.background-errors", &background_errors);
  if (writable_ && failures == checked_write_failures_ &&
      background_errors == checked_background_errors_) {
    return Status::Ok();
  }
  // A background error (a failed WAL write, flush or compaction) makes
  // RocksDB refuse every write until it is resumed; Resume() does nothing
  // when there is none.
  rocksdb::Status resumed = db_->Resume();
  Status probed = resumed.ok() ? Status::Ok() : StorageError(resumed, "resume");
  if (probed.ok()) {
    rocksdb::WriteBatch probe;
    probe.Put(cf(Cf::kMeta), "writable_probe", keys::EncodeBe64(clock_.NowUnixMs()));
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    rocksdb::Status s = db_->Write(write_options, &probe);
    if (!s.ok()) probed = StorageError(s, "probe");
  }
  writable_ = probed.ok();
  if (writable_) {
    checked_write_failures_ = write_failures_.load();
    db_->GetIntProperty("rocksdb.background-errors", &checked_background_errors_);
  }
  return probed;
}

void RocksStore::AddAudit(rocksdb::WriteBatch& batch, v1::AuditRecord record) {
  if (record.time_unix_ms() == 0) record.set_time_unix_ms(clock_.NowUnixMs());
  uint64_t counter = audit_counter_.fetch_add(1);
  batch.Put(cf(Cf::kAudit),
            keys::Audit(static_cast<uint64_t>(record.time_unix_ms()), counter),
            record.SerializeAsString());
}

Result<uint32_t> RocksStore::CountPrefix(Cf family, std::string_view prefix) {
  auto scan = RangeScan::OfPrefix(*db_, cf(family), prefix);
  uint32_t count = 0;
  rocksdb::Iterator* it = scan->get();
  for (scan->SeekToLower(); it->Valid(); it->Next()) ++count;
  if (!it->status().ok()) return StorageError(it->status(), "scan");
  return count;
}

Status RocksStore::AppendAudit(v1::AuditRecord record) {
  rocksdb::WriteBatch batch;
  AddAudit(batch, std::move(record));
  return Write(batch, /*sync=*/false);
}

Result<AuditPage> RocksStore::ReadAudit(const std::string& after_key, uint32_t limit) {
  if (limit == 0) limit = 1000;
  AuditPage page;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kAudit)));
  if (after_key.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(ToSlice(after_key));
    if (it->Valid() && ToView(it->key()) == after_key) it->Next();
  }
  std::string last_key;
  for (; it->Valid() && page.records.size() < limit; it->Next()) {
    v1::AuditRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt audit record");
    }
    page.records.push_back(std::move(record));
    last_key = it->key().ToString();
  }
  if (!it->status().ok()) return StorageError(it->status(), "read_audit");
  if (it->Valid()) page.next_key = last_key;  // More after this page.
  return page;
}

Result<StoreStats> RocksStore::Stats() {
  StoreStats stats;
  for (size_t i = 1; i < static_cast<size_t>(Cf::kCount); ++i) {
    auto family = static_cast<Cf>(i);
    // invites and mailboxes hold tagged keys: 0x01 records, 0x02 index /
    // high-water keys (see keys.h).
    uint64_t records = 0;
    uint64_t secondary = 0;
    bool tagged = family == Cf::kInvites || family == Cf::kMailboxes;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (tagged && !it->key().empty() && it->key()[0] != 0x01) {
        ++secondary;
      } else {
        ++records;
      }
    }
    if (!it->status().ok()) return StorageError(it->status(), "stats");
    if (family == Cf::kMailboxes) {
      stats.counts.emplace_back("envelopes", records);
      stats.counts.emplace_back("mailboxes", secondary);
    } else {
      stats.counts.emplace_back(kColumnFamilyNames[i], records);
    }
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(options_.path, ec)) {
    if (entry.is_regular_file(ec)) stats.disk_bytes += entry.file_size(ec);
  }
  std::vector<rocksdb::LiveFileMetaData> live_files;
  db_->GetLiveFilesMetaData(&live_files);
  for (const auto& file : live_files) stats.sst_bytes += file.size;
  return stats;
}

Status RocksStore::Compact() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (size_t i = 0; i < static_cast<size_t>(Cf::kCount); ++i) {
    rocksdb::Status s =
        db_->CompactRange(options, cf(static_cast<Cf>(i)), /*begin=*/nullptr, /*end=*/nullptr);
    if (!s.ok()) return StorageError(s, "compact");
  }
  return Status::Ok();
}

Status RocksStore::Backup(const std::string& to_dir) {
  std::error_code ec;
  if (std::filesystem::exists(to_dir, ec)) {
    if (!std::filesystem::is_directory(to_dir, ec) || !std::filesystem::is_empty(to_dir, ec)) {
      return Status::FailedPrecondition("backup target " + to_dir + " exists and is not empty");
    }
    std::filesystem::remove(to_dir, ec);  // Checkpoint wants to create it.
  }
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return StorageError(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  s = checkpoint->CreateCheckpoint(to_dir);
  if (!s.ok()) return Status::Internal("checkpoint failed: " + s.ToString());
  return Status::Ok();
}

}  // namespace securebase::server
