// A read-only copy of everything in a server's RocksDB, taken while the
// server runs: DB::OpenForReadOnly with every column family that
// DB::ListColumnFamilies reports, every key/value read, the DB closed again.
// The `audit` column family is left out (refused requests may be audited).
// A read-only open sees what is flushed or in the WAL (it replays the WAL).
// Two snapshots compare equal iff nothing outside `audit` changed.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_STORE_SNAPSHOT_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_STORE_SNAPSHOT_H_

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace securebase::integration {

class StoreSnapshot {
 public:
  // column family -> key -> value.
  using Contents = std::map<std::string, std::map<std::string, std::string>>;

  // Reads `db_dir` (retries a few times: the server may be flushing or
  // rolling its WAL at that moment).
  static ::testing::AssertionResult Take(const std::string& db_dir, StoreSnapshot* out);

  const Contents& contents() const { return contents_; }
  size_t KeyCount(const std::string& column_family) const;
  // Human-readable differences (added/removed/changed keys per column
  // family, hex, truncated); empty when equal.
  static std::string Diff(const StoreSnapshot& before, const StoreSnapshot& after);

  friend bool operator==(const StoreSnapshot&, const StoreSnapshot&) = default;

 private:
  Contents contents_;
};

// Takes a snapshot of `db_dir` and compares it with `before`.
::testing::AssertionResult StoreUnchanged(const StoreSnapshot& before, const std::string& db_dir);

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_STORE_SNAPSHOT_H_
