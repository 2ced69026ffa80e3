#include "vault.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/random.h"

namespace securebase::client {
namespace {

namespace fs = std::filesystem;
using crypto::AsBytes;

crypto::PassphraseHashParams ParamsFor(PassphraseCost cost) {
  switch (cost) {
    case PassphraseCost::kModerate:
      return crypto::PassphraseHashParams{};
    case PassphraseCost::kInteractive:
      return crypto::PassphraseHashParams::Interactive();
    case PassphraseCost::kMinimumForTests:
      return crypto::PassphraseHashParams::MinimumForTesting();
  }
  return crypto::PassphraseHashParams{};
}

std::string KeyFile(const std::string& home) { return home + "/vault.key"; }
std::string LockFile(const std::string& home) { return home + "/vault.lock"; }
std::string DbDir(const std::string& home) { return home + "/db"; }

// Writes a file atomically and durably: temp file, fsync, rename, fsync dir.
Status WriteFileAtomically(const std::string& path, crypto::ByteSpan bytes) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status(ErrorCode::kInternal, "cannot write " + path + ": " + strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status(ErrorCode::kInternal, "cannot write " + path + ": " + strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status(ErrorCode::kInternal, "cannot write " + path + ": " + strerror(errno));
  }
  int dir = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

// An flock held for the lifetime of the object.
class FileLock {
 public:
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path,
                                                   std::chrono::milliseconds timeout) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status(ErrorCode::kInternal,
                    "cannot open the vault lock: " + std::string(strerror(errno)));
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(2);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        ::close(fd);
        return Status(ErrorCode::kInternal,
                      "cannot lock the vault: " + std::string(strerror(errno)));
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        ::close(fd);
        return Status(ErrorCode::kVaultBusy,
                      "another securebase process kept the vault busy; try again");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
    return std::unique_ptr<FileLock>(new FileLock(fd));
  }
  ~FileLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

rocksdb::Options DbOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.keep_log_file_num = 2;
  options.max_manifest_file_size = 1 << 20;
  options.info_log_level = rocksdb::InfoLogLevel::HEADER_LEVEL;
  options.max_open_files = 64;
  // Values are sealed records and keys are keyed hashes: nothing compresses,
  // so trying only costs time on every flush and compaction.
  options.compression = rocksdb::kNoCompression;
  // The log is written out only when a write is synced (Durability): a
  // deferred write stays in this process's buffer until SyncDeferred, so the
  // disk work of a pipelined sync happens on the thread that syncs, and a
  // crash loses a deferred write exactly as a power cut would. The buffer
  // holds a whole page (the server sends at most 3 MiB of envelopes).
  options.manual_wal_flush = true;
  options.writable_file_max_buffer_size = 4 << 20;
  return options;
}

// The process that first used RocksDB here. Its background threads (which
// run every flush) exist only in that process: in a child forked after the
// vault was used they are gone, and a flush would wait for them forever.
pid_t RocksDbProcess() {
  static const pid_t pid = ::getpid();
  return pid;
}

Result<std::unique_ptr<rocksdb::DB>> OpenDb(const std::string& dir) {
  RocksDbProcess();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(DbOptions(), dir, &raw);
  if (!opened.ok()) {
    return Status(ErrorCode::kVaultCorrupted,
                  "cannot open the vault database: " + opened.ToString());
  }
  return std::unique_ptr<rocksdb::DB>(raw);
}

// Closes the database. When this open wrote something, its memtable is
// flushed first: otherwise the next open (every transaction or hold opens the
// database) replays the write-ahead log into a memtable and flushes it then,
// which costs several times more. The writes are durable either way (each
// batch was synced), so a skipped or failed flush only leaves that replay to
// the next open; a forked child (see RocksDbProcess) always skips it.
void CloseDb(std::unique_ptr<rocksdb::DB> db, bool wrote) {
  if (db != nullptr && wrote && ::getpid() == RocksDbProcess()) {
    db->Flush(rocksdb::FlushOptions()).PermitUncheckedError();
  }
}

}  // namespace

// The database is closed before the lock goes.
struct Vault::Held {
  std::unique_ptr<FileLock> lock;
  std::unique_ptr<rocksdb::DB> db;
  bool wrote = false;
  int depth = 0;
  // kDeferred writes not yet synced: set by the writer, cleared by
  // SyncDeferred (any thread).
  std::atomic<bool> unsynced{false};
  // Reused by every synced commit of the hold: its buffer keeps its
  // capacity, so a batch does not grow (and fault in) fresh memory each time.
  rocksdb::WriteBatch batch;
  // Started by the first kDeferred commit.
  std::unique_ptr<VaultWriter> writer;
  std::vector<PendingBatch> InFlight() const {
    return writer != nullptr ? writer->InFlight() : std::vector<PendingBatch>();
  }
  Status Drain() { return writer != nullptr ? writer->Drain() : Status::Ok(); }
  ~Held() {
    writer.reset();  // Writes what is posted.
    if (unsynced.load() && db != nullptr) db->FlushWAL(/*sync=*/true).PermitUncheckedError();
    CloseDb(std::move(db), wrote);
  }
};

Vault::Vault(std::string home, crypto::VaultKey key, std::chrono::milliseconds lock_timeout,
             crypto::RandomSource& rng)
    : home_(std::move(home)), key_(std::move(key)), lock_timeout_(lock_timeout), rng_(rng) {}

Vault::~Vault() = default;

VaultHold::~VaultHold() {
  if (vault_ != nullptr && --vault_->held_->depth == 0) vault_->held_.reset();
}

Result<VaultHold> Vault::Hold() {
  if (held_ == nullptr) {
    auto held = std::make_unique<Held>();
    SB_ASSIGN_OR_RETURN(held->lock, FileLock::Acquire(LockFile(home_), lock_timeout_));
    SB_ASSIGN_OR_RETURN(held->db, OpenDb(DbDir(home_)));
    held_ = std::move(held);
  }
  ++held_->depth;
  return VaultHold(this);
}

Result<std::unique_ptr<Vault>> Vault::Create(const std::string& home, std::string_view passphrase,
                                             PassphraseCost cost,
                                             std::chrono::milliseconds lock_timeout,
                                             crypto::RandomSource& rng) {
  if (passphrase.empty()) return Status(ErrorCode::kInvalidArgument, "the passphrase is empty");
  std::error_code ec;
  if (fs::exists(KeyFile(home), ec)) {
    return Status(ErrorCode::kAlreadyExists, "a vault already exists in " + home);
  }
  fs::create_directories(home, ec);
  if (ec) return Status(ErrorCode::kInternal, "cannot create " + home + ": " + ec.message());
  ::chmod(home.c_str(), 0700);
  crypto::VaultKey key = crypto::VaultKey::Generate(rng);
  auto wrapped = crypto::WrapVaultKey(key, AsBytes(passphrase), ParamsFor(cost), rng);
  if (!wrapped.ok()) return Status(ErrorCode::kInternal, wrapped.status().message());
  // The database first, the key file last: a vault without a key file is
  // "not created" and may be created again.
  auto vault = std::unique_ptr<Vault>(new Vault(home, std::move(key), lock_timeout, rng));
  SB_RETURN_IF_ERROR(vault->Transact([](VaultTransaction&) { return Status::Ok(); }));
  SB_RETURN_IF_ERROR(WriteFileAtomically(KeyFile(home), *wrapped));
  return vault;
}

Result<std::unique_ptr<Vault>> Vault::Open(const std::string& home, std::string_view passphrase,
                                           std::chrono::milliseconds lock_timeout,
                                           crypto::RandomSource& rng) {
  std::ifstream in(KeyFile(home), std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kNotFound, "no vault in " + home + " (run `securebase init` first)");
  }
  crypto::Bytes wrapped((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = crypto::UnwrapVaultKey(wrapped, AsBytes(passphrase));
  if (!key.ok()) {
    if (key.status().code() == crypto::ErrorCode::kWrongPassphrase) {
      return Status(ErrorCode::kWrongPassphrase, "wrong passphrase for the vault in " + home);
    }
    return Status(ErrorCode::kVaultCorrupted, "the vault key file in " + home + " is damaged");
  }
  return std::unique_ptr<Vault>(new Vault(home, std::move(key).value(), lock_timeout, rng));
}

std::unique_ptr<Vault> Vault::Another(std::chrono::milliseconds lock_timeout,
                                      crypto::RandomSource& rng) const {
  return std::unique_ptr<Vault>(new Vault(home_, key_.Clone(), lock_timeout, rng));
}

bool Vault::Exists(const std::string& home) {
  std::error_code ec;
  return fs::is_regular_file(KeyFile(home), ec);
}

void Vault::RemoveIncomplete(const std::string& home) {
  std::error_code ec;
  fs::remove(KeyFile(home), ec);
  fs::remove_all(DbDir(home), ec);
  fs::remove(LockFile(home), ec);
}

Status Vault::Transact(const std::function<Status(VaultTransaction&)>& body,
                       Durability durability) {
  if (held_ != nullptr) {
    if (durability == Durability::kDeferred) return CommitDeferred(body);
    // In order: the deferred transactions before this one are written first,
    // and this synced write syncs the log up to it, theirs included.
    SB_RETURN_IF_ERROR(held_->Drain());
    bool wrote = false;
    Status committed = Commit(held_->db.get(), {}, held_->batch, body, &wrote);
    if (wrote) {
      held_->wrote = true;
      held_->unsynced.store(false);
    }
    return committed;
  }
  SB_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock,
                      FileLock::Acquire(LockFile(home_), lock_timeout_));
  SB_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db, OpenDb(DbDir(home_)));
  bool wrote = false;
  rocksdb::WriteBatch batch;
  Status committed = Commit(db.get(), {}, batch, body, &wrote);
  CloseDb(std::move(db), wrote);  // Before the lock is released.
  return committed;
}

Status Vault::CommitDeferred(const std::function<Status(VaultTransaction&)>& body) {
  if (held_->writer != nullptr) SB_RETURN_IF_ERROR(held_->writer->failure());
  VaultTransaction txn(held_->db.get(), held_->InFlight(), key_, rng_);
  SB_RETURN_IF_ERROR(body(txn));
  if (txn.pending_.empty()) return Status::Ok();
  if (held_->writer == nullptr) {
    // The sealer's nonce is drawn here, on the transacting thread.
    held_->writer = std::make_unique<VaultWriter>(
        *held_->db, std::make_unique<crypto::RecordSealer>(key_, rng_), held_->unsynced);
  }
  held_->writer->Post(std::make_shared<const PendingWrites>(std::move(txn.pending_)));
  held_->wrote = true;
  return Status::Ok();
}

Status Vault::WaitForDeferredWritesForTesting() {
  return held_ != nullptr ? held_->Drain() : Status::Ok();
}

Status Vault::SyncDeferred() {
  if (held_ == nullptr) return Status::Ok();
  SB_RETURN_IF_ERROR(held_->Drain());
  if (!held_->unsynced.exchange(false)) return Status::Ok();
  rocksdb::Status synced = held_->db->FlushWAL(/*sync=*/true);
  if (!synced.ok()) {
    held_->unsynced.store(true);
    return Status(ErrorCode::kInternal, "cannot write the vault: " + synced.ToString());
  }
  return Status::Ok();
}

Status Vault::Commit(rocksdb::DB* db, std::vector<PendingBatch> in_flight,
                     rocksdb::WriteBatch& batch,
                     const std::function<Status(VaultTransaction&)>& body, bool* wrote) {
  VaultTransaction txn(db, std::move(in_flight), key_, rng_);
  SB_RETURN_IF_ERROR(body(txn));
  if (txn.pending_.empty()) return Status::Ok();
  SealInto(txn.pending_, txn.sealer_, batch);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::Status written = db->Write(write_options, &batch);
  if (!written.ok()) {
    return Status(ErrorCode::kInternal, "cannot write the vault: " + written.ToString());
  }
  *wrote = true;
  return Status::Ok();
}

std::string VaultTransaction::PointKey(std::string_view name) const {
  auto tag = crypto::RecordNameTag(key_, name);
  return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
}

std::string VaultTransaction::ListPrefix(std::string_view list) {
  // Memoized: a page of history items is many items of one list.
  auto it = list_prefixes_.find(list);
  if (it == list_prefixes_.end()) {
    std::string prefix = PointKey(std::string("list:") + std::string(list));
    it = list_prefixes_.emplace(std::string(list), std::move(prefix)).first;
  }
  return it->second;
}

std::string VaultTransaction::ItemName(std::string_view list, uint64_t index) {
  return std::string(list) + "#" + std::to_string(index);
}

namespace {
std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}
uint64_t FromBigEndian(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}
}  // namespace

Result<std::optional<crypto::SecretBytes>> VaultTransaction::ReadKey(const std::string& key,
                                                                     std::string_view name) {
  using Found = std::optional<crypto::SecretBytes>;
  auto copy_of = [](const std::optional<PendingRecord>& record) -> Found {
    if (!record) return Found();
    return Found(crypto::SecretBytes::CopyOf(record->plaintext.span()));
  };
  if (auto it = pending_.find(key); it != pending_.end()) return copy_of(it->second);
  for (auto batch = in_flight_.rbegin(); batch != in_flight_.rend(); ++batch) {
    if (auto it = (*batch)->find(key); it != (*batch)->end()) return copy_of(it->second);
  }
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return Found();
  if (!s.ok()) return Status(ErrorCode::kVaultCorrupted, "cannot read the vault: " + s.ToString());
  auto opened = sealer_.Open(name, AsBytes(value));
  if (!opened.ok()) {
    return Status(
        ErrorCode::kVaultCorrupted,
        "a vault record is damaged or was tampered with; restore the vault from a backup");
  }
  return Found(std::move(opened).value());
}

void VaultTransaction::Write(std::string key, std::string_view name, crypto::ByteSpan plaintext) {
  pending_[std::move(key)] =
      PendingRecord{std::string(name), crypto::SecretBytes::CopyOf(plaintext)};
}

Result<std::optional<crypto::SecretBytes>> VaultTransaction::Get(std::string_view name) {
  return ReadKey(PointKey(name), name);
}

void VaultTransaction::Put(std::string_view name, crypto::ByteSpan plaintext) {
  Write(PointKey(name), name, plaintext);
}

void VaultTransaction::Delete(std::string_view name) { pending_[PointKey(name)] = std::nullopt; }

Result<std::optional<crypto::SecretBytes>> VaultTransaction::GetItem(std::string_view list,
                                                                     uint64_t index) {
  return ReadKey(ListPrefix(list) + BigEndian(index), ItemName(list, index));
}

void VaultTransaction::PutItem(std::string_view list, uint64_t index, crypto::ByteSpan plaintext) {
  Write(ListPrefix(list) + BigEndian(index), ItemName(list, index), plaintext);
}

void VaultTransaction::DeleteItem(std::string_view list, uint64_t index) {
  pending_[ListPrefix(list) + BigEndian(index)] = std::nullopt;
}

Result<std::vector<std::pair<uint64_t, crypto::SecretBytes>>> VaultTransaction::ReadList(
    std::string_view list) {
  const std::string prefix = ListPrefix(list);
  std::map<uint64_t, std::string> keys;  // index -> physical key
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8) continue;
    keys[FromBigEndian(std::string_view(it->key().data() + prefix.size(), 8))] =
        it->key().ToString();
  }
  if (!it->status().ok()) {
    return Status(ErrorCode::kVaultCorrupted, "cannot read the vault: " + it->status().ToString());
  }
  auto add_keys = [&](const PendingWrites& writes) {
    for (auto write = writes.lower_bound(prefix);
         write != writes.end() && write->first.compare(0, prefix.size(), prefix) == 0; ++write) {
      if (write->first.size() != prefix.size() + 8) continue;
      keys[FromBigEndian(std::string_view(write->first).substr(prefix.size()))] = write->first;
    }
  };
  for (const PendingBatch& batch : in_flight_) add_keys(*batch);
  add_keys(pending_);
  std::vector<std::pair<uint64_t, crypto::SecretBytes>> out;
  for (const auto& [index, key] : keys) {
    SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> item,
                        ReadKey(key, ItemName(list, index)));
    if (item) out.emplace_back(index, std::move(*item));
  }
  return out;
}

Result<std::optional<uint64_t>> VaultTransaction::LastItemIndex(std::string_view list) {
  const std::string prefix = ListPrefix(list);
  std::optional<uint64_t> last;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  // Item keys are the prefix and 8 big-endian bytes: the last one sorts
  // just below prefix + 0xff x 8 (or is it).
  const std::string end = prefix + std::string(8, '\xff');
  for (it->SeekForPrev(end); it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (it->key().size() != prefix.size() + 8) continue;
    last = FromBigEndian(std::string_view(it->key().data() + prefix.size(), 8));
    break;
  }
  if (!it->status().ok()) {
    return Status(ErrorCode::kVaultCorrupted, "cannot read the vault: " + it->status().ToString());
  }
  auto consider = [&](const PendingWrites& writes) {
    for (auto write = writes.lower_bound(prefix);
         write != writes.end() && write->first.compare(0, prefix.size(), prefix) == 0; ++write) {
      if (write->first.size() != prefix.size() + 8) continue;
      const uint64_t index = FromBigEndian(std::string_view(write->first).substr(prefix.size()));
      if (!last || index > *last) last = index;
    }
  };
  for (const PendingBatch& batch : in_flight_) consider(*batch);
  consider(pending_);
  return last;
}

}  // namespace securebase::client
