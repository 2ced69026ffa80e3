// Helpers shared by the rocks_*.cc files. Private to server/src/store.
#ifndef SECUREBASE_SERVER_STORE_ROCKS_INTERNAL_H_
#define SECUREBASE_SERVER_STORE_ROCKS_INTERNAL_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <string>
#include <string_view>

#include "server/src/store/rocks_store.h"

namespace securebase::server {

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
inline std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

inline bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

// The smallest key after every key that starts with `prefix`; empty when
// there is none (the prefix is all 0xff bytes).
std::string PrefixSuccessor(std::string_view prefix);

// An iterator over the keys in [lower, upper) of one column family (no
// upper bound when `upper` is empty). The bound is for speed as much as
// for correctness: without it, a Seek that finds nothing live in the range
// steps over every deleted key (tombstone) after it until it meets a live
// one -- for a mailbox, the whole acknowledged history of the next mailbox.
class RangeScan {
 public:
  RangeScan(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string lower,
            std::string upper);
  RangeScan(const RangeScan&) = delete;
  RangeScan& operator=(const RangeScan&) = delete;

  // Every key starting with `prefix`.
  static std::unique_ptr<RangeScan> OfPrefix(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                             std::string_view prefix) {
    return std::make_unique<RangeScan>(db, family, std::string(prefix), PrefixSuccessor(prefix));
  }

  // Positions the iterator at the first key >= lower.
  void SeekToLower() { it_->Seek(lower_slice_); }
  rocksdb::Iterator* get() const { return it_.get(); }

 private:
  std::string lower_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// The store's errors for RocksDB failures; the RocksDB message goes to the
// log, not to clients.
Status StorageError(const rocksdb::Status& status, std::string_view operation);

template <typename Record>
Result<Record> RocksStore::GetRecord(Cf family, std::string_view key, const char* what) {
  std::string value;
  Status status = Get(family, key, &value);
  if (!status.ok()) {
    if (status.IsNotFound()) return Status::NotFound(std::string(what) + " not found");
    return status;
  }
  Record record;
  if (!record.ParseFromString(value)) {
    return Status::Internal(std::string("corrupt ") + what + " record");
  }
  return record;
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_STORE_ROCKS_INTERNAL_H_
