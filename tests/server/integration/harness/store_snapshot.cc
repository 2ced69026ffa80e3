#include "tests/server/integration/harness/store_snapshot.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <memory>
#include <sstream>
#include <vector>

namespace securebase::integration {
namespace {

constexpr char kAuditColumnFamily[] = "audit";

// Keeps the read-only instance from touching the server's LOG file.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

std::string HexPrefix(const std::string& bytes, size_t max_bytes = 48) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  if (bytes.size() > max_bytes) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

rocksdb::Status ReadOnce(const std::string& db_dir, StoreSnapshot::Contents* out) {
  out->clear();
  rocksdb::DBOptions db_options;
  db_options.info_log = std::make_shared<NullLogger>();
  db_options.create_if_missing = false;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, db_dir, &names);
  if (!s.ok()) return s;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(db_options, db_dir, descriptors, &handles, &raw);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::DB> db(raw);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    if (handle->GetName() == kAuditColumnFamily) continue;
    auto& cf = (*out)[handle->GetName()];
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      cf.emplace(it->key().ToString(), it->value().ToString());
    }
    if (!it->status().ok()) s = it->status();
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    rocksdb::Status ds = db->DestroyColumnFamilyHandle(handle);
    if (!ds.ok() && s.ok()) s = ds;
  }
  rocksdb::Status cs = db->Close();
  if (!cs.ok() && s.ok()) s = cs;
  return s;
}

}  // namespace

::testing::AssertionResult StoreSnapshot::Take(const std::string& db_dir, StoreSnapshot* out) {
  rocksdb::Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    s = ReadOnce(db_dir, &out->contents_);
    if (s.ok()) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "cannot read " << db_dir << ": " << s.ToString();
}

size_t StoreSnapshot::KeyCount(const std::string& column_family) const {
  auto it = contents_.find(column_family);
  return it == contents_.end() ? 0 : it->second.size();
}

std::string StoreSnapshot::Diff(const StoreSnapshot& before, const StoreSnapshot& after) {
  std::ostringstream out;
  constexpr int kMaxLines = 20;
  int lines = 0;
  auto line = [&](const std::string& text) {
    if (lines < kMaxLines) out << "  " << text << "\n";
    ++lines;
  };
  static const std::map<std::string, std::string> kEmpty;
  std::map<std::string, int> all_cfs;
  for (const auto& [cf, kv] : before.contents_) all_cfs[cf] |= 1;
  for (const auto& [cf, kv] : after.contents_) all_cfs[cf] |= 2;
  for (const auto& [cf, where] : all_cfs) {
    if (where == 1) line("column family " + cf + " disappeared");
    if (where == 2) line("column family " + cf + " appeared");
    const auto& a = where & 1 ? before.contents_.at(cf) : kEmpty;
    const auto& b = where & 2 ? after.contents_.at(cf) : kEmpty;
    for (const auto& [k, v] : a) {
      auto it = b.find(k);
      if (it == b.end()) {
        line(cf + ": removed key " + HexPrefix(k));
      } else if (it->second != v) {
        line(cf + ": changed key " + HexPrefix(k) + " value " + HexPrefix(v) + " -> " +
             HexPrefix(it->second));
      }
    }
    for (const auto& [k, v] : b) {
      if (a.find(k) == a.end()) line(cf + ": added key " + HexPrefix(k) + " = " + HexPrefix(v));
    }
  }
  if (lines > kMaxLines) out << "  ... and " << (lines - kMaxLines) << " more\n";
  return out.str();
}

::testing::AssertionResult StoreUnchanged(const StoreSnapshot& before, const std::string& db_dir) {
  StoreSnapshot after;
  ::testing::AssertionResult taken = StoreSnapshot::Take(db_dir, &after);
  if (!taken) return taken;
  if (before == after) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the store changed:\n"
                                       << StoreSnapshot::Diff(before, after);
}

}  // namespace securebase::integration
