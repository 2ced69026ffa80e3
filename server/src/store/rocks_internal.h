// Helpers shared by the rocks_*.cc files. Private to server/src/store.
#ifndef SECUREBASE_SERVER_STORE_ROCKS_INTERNAL_H_
#define SECUREBASE_SERVER_STORE_ROCKS_INTERNAL_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <string>
#include <string_view>

#include "server/src/store/rocks_store.h"

namespace securebase::server {

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
inline std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

inline bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

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
