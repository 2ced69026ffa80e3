// The sealed local store (client/src/vault.h): creating and opening, every
// error kind, transaction atomicity and read-your-writes, list order, records
// tampered with on disk, what the files reveal, file modes, and the lock that
// serialises two processes.
#include "client/src/vault.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/sealed_storage.h"

namespace securebase::client {
namespace {

namespace fs = std::filesystem;
using crypto::AsBytes;
using crypto::AsStringView;
using std::chrono::milliseconds;

constexpr char kPassphrase[] = "correct horse battery staple";
constexpr milliseconds kLockTimeout(5000);

std::string Str(const crypto::SecretBytes& bytes) {
  return std::string(AsStringView(bytes.span()));
}

std::string PhysicalKey(const Vault& vault, std::string_view name) {
  const auto tag = crypto::RecordNameTag(vault.key(), name);
  return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
}

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// The physical key of list item `index` (format of vault.cc).
std::string ItemKey(const Vault& vault, std::string_view list, uint64_t index) {
  return PhysicalKey(vault, "list:" + std::string(list)) + BigEndian(index);
}

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/sb_vault_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    home_ = root_ + "/home";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::unique_ptr<Vault> CreateVault(milliseconds lock_timeout = kLockTimeout) {
    auto vault = Vault::Create(home_, kPassphrase, PassphraseCost::kMinimumForTests, lock_timeout);
    EXPECT_TRUE(vault.ok()) << vault.status().ToString();
    return vault.ok() ? std::move(vault).value() : nullptr;
  }

  std::string db_dir() const { return home_ + "/db"; }

  // Runs `fn` on the vault's RocksDB database opened directly (no vault
  // transaction may be running).
  void WithRawDb(const std::function<void(rocksdb::DB&)>& fn) {
    rocksdb::Options options;
    options.create_if_missing = false;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, db_dir(), &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    fn(*db);
    ASSERT_TRUE(db->Close().ok());
  }

  std::string RawGet(const std::string& key) {
    std::string value;
    WithRawDb([&](rocksdb::DB& db) {
      ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), key, &value).ok()) << "key not on disk";
    });
    return value;
  }
  void RawPut(const std::string& key, const std::string& value) {
    WithRawDb([&](rocksdb::DB& db) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      ASSERT_TRUE(db.Put(sync, key, value).ok());
    });
  }
  std::map<std::string, std::string> RawAll() {
    std::map<std::string, std::string> out;
    WithRawDb([&](rocksdb::DB& db) {
      std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        out[it->key().ToString()] = it->value().ToString();
      ASSERT_TRUE(it->status().ok());
    });
    return out;
  }

  std::string root_;
  std::string home_;
};

Status PutRecords(Vault& vault, const std::vector<std::pair<std::string, std::string>>& records) {
  return vault.Transact([&](VaultTransaction& txn) {
    for (const auto& [name, value] : records) txn.Put(name, AsBytes(value));
    return Status::Ok();
  });
}

// The record in its own transaction: its plaintext, nullopt, or the error.
Result<std::optional<std::string>> ReadRecord(Vault& vault, std::string_view name) {
  std::optional<std::string> out;
  Status s = vault.Transact([&](VaultTransaction& txn) -> Status {
    auto got = txn.Get(name);
    if (!got.ok()) return got.status();
    if (*got) out = Str(**got);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<std::string>> ReadItem(Vault& vault, std::string_view list, uint64_t index) {
  std::optional<std::string> out;
  Status s = vault.Transact([&](VaultTransaction& txn) -> Status {
    auto got = txn.GetItem(list, index);
    if (!got.ok()) return got.status();
    if (*got) out = Str(**got);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

using List = std::vector<std::pair<uint64_t, std::string>>;

List ToList(const std::vector<std::pair<uint64_t, crypto::SecretBytes>>& items) {
  List out;
  for (const auto& [index, value] : items) out.emplace_back(index, Str(value));
  return out;
}

Result<List> ReadWholeList(Vault& vault, std::string_view list) {
  List out;
  Status s = vault.Transact([&](VaultTransaction& txn) -> Status {
    auto got = txn.ReadList(list);
    if (!got.ok()) return got.status();
    out = ToList(*got);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

template <typename T>
ErrorCode CodeOf(const Result<T>& r) {
  return r.ok() ? ErrorCode::kOk : r.status().code();
}

// ---------------------------------------------------------------------------
// Create / Open

TEST_F(VaultTest, CreateThenOpenWithTheRightPassphrase) {
  auto created = CreateVault();
  ASSERT_NE(created, nullptr);
  ASSERT_TRUE(PutRecords(*created, {{"contact list", "alice,bob"}}).ok());
  created.reset();

  auto opened = Vault::Open(home_, kPassphrase, kLockTimeout);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto record = ReadRecord(**opened, "contact list");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(*record, std::optional<std::string>("alice,bob"));
  EXPECT_EQ(*ReadRecord(**opened, "never written"), std::nullopt);
}

TEST_F(VaultTest, OpenWithAWrongPassphraseIsWrongPassphrase) {
  ASSERT_NE(CreateVault(), nullptr);
  for (const std::string wrong : {"correct horse battery stapl", "Correct horse battery staple",
                                  "correct horse battery staple ", "x", ""}) {
    auto opened = Vault::Open(home_, wrong, kLockTimeout);
    EXPECT_EQ(CodeOf(opened), ErrorCode::kWrongPassphrase) << "'" << wrong << "'";
  }
  EXPECT_TRUE(Vault::Open(home_, kPassphrase, kLockTimeout).ok());
}

TEST_F(VaultTest, OpenWithoutAVaultIsNotFound) {
  // No directory at all.
  EXPECT_EQ(CodeOf(Vault::Open(home_, kPassphrase, kLockTimeout)), ErrorCode::kNotFound);
  // An empty directory.
  fs::create_directories(home_);
  EXPECT_EQ(CodeOf(Vault::Open(home_, kPassphrase, kLockTimeout)), ErrorCode::kNotFound);
}

TEST_F(VaultTest, CreateTwiceIsAlreadyExistsAndKeepsTheFirstVault) {
  auto first = CreateVault();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(PutRecords(*first, {{"identity", "first"}}).ok());

  auto second =
      Vault::Create(home_, "another passphrase", PassphraseCost::kMinimumForTests, kLockTimeout);
  EXPECT_EQ(CodeOf(second), ErrorCode::kAlreadyExists);

  // The first vault is untouched.
  EXPECT_EQ(CodeOf(Vault::Open(home_, "another passphrase", kLockTimeout)),
            ErrorCode::kWrongPassphrase);
  auto opened = Vault::Open(home_, kPassphrase, kLockTimeout);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*ReadRecord(**opened, "identity"), std::optional<std::string>("first"));
}

TEST_F(VaultTest, CreateWithAnEmptyPassphraseIsInvalidArgument) {
  auto vault = Vault::Create(home_, "", PassphraseCost::kMinimumForTests, kLockTimeout);
  EXPECT_EQ(CodeOf(vault), ErrorCode::kInvalidArgument);
  // Nothing usable was left behind.
  EXPECT_EQ(CodeOf(Vault::Open(home_, "", kLockTimeout)), ErrorCode::kNotFound);
  EXPECT_NE(CreateVault(), nullptr);
}

TEST_F(VaultTest, RemoveIncompleteLetsCreateRunAgain) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(PutRecords(*vault, {{"identity", "abandoned"}}).ok());
  vault.reset();
  Vault::RemoveIncomplete(home_);
  EXPECT_EQ(CodeOf(Vault::Open(home_, kPassphrase, kLockTimeout)), ErrorCode::kNotFound);

  auto again =
      Vault::Create(home_, "a new passphrase", PassphraseCost::kMinimumForTests, kLockTimeout);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*ReadRecord(**again, "identity"), std::nullopt);
}

TEST_F(VaultTest, DamagedKeyFileIsVaultCorrupted) {
  ASSERT_NE(CreateVault(), nullptr);
  const std::string key_file = home_ + "/vault.key";
  std::string wrapped;
  {
    std::ifstream in(key_file, std::ios::binary);
    wrapped.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(wrapped.empty());
  auto write = [&](const std::string& bytes) {
    std::ofstream out(key_file, std::ios::binary | std::ios::trunc);
    out << bytes;
  };

  write(wrapped.substr(0, wrapped.size() - 1));  // Truncated.
  EXPECT_EQ(CodeOf(Vault::Open(home_, kPassphrase, kLockTimeout)), ErrorCode::kVaultCorrupted);
  write("");  // Emptied.
  EXPECT_EQ(CodeOf(Vault::Open(home_, kPassphrase, kLockTimeout)), ErrorCode::kVaultCorrupted);
  std::string other_version = wrapped;
  other_version[0] = static_cast<char>(other_version[0] + 1);
  write(other_version);
  EXPECT_EQ(CodeOf(Vault::Open(home_, kPassphrase, kLockTimeout)), ErrorCode::kVaultCorrupted);

  write(wrapped);
  EXPECT_TRUE(Vault::Open(home_, kPassphrase, kLockTimeout).ok());
}

// ---------------------------------------------------------------------------
// Transactions

TEST_F(VaultTest, AFailedTransactionWritesNothing) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault
                  ->Transact([](VaultTransaction& txn) {
                    txn.Put("kept", AsBytes("original"));
                    txn.PutItem("history/bob", 1, AsBytes("one"));
                    return Status::Ok();
                  })
                  .ok());

  Status failed = vault->Transact([](VaultTransaction& txn) {
    txn.Put("new", AsBytes("should not land"));
    txn.Put("kept", AsBytes("overwritten"));
    txn.PutItem("history/bob", 2, AsBytes("two"));
    txn.DeleteItem("history/bob", 1);
    return Status(ErrorCode::kFailedPrecondition, "the body gave up");
  });
  EXPECT_EQ(failed.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(failed.message(), "the body gave up");

  EXPECT_EQ(*ReadRecord(*vault, "new"), std::nullopt);
  EXPECT_EQ(*ReadRecord(*vault, "kept"), std::optional<std::string>("original"));
  EXPECT_EQ(*ReadWholeList(*vault, "history/bob"), (List{{1, "one"}}));

  // The same from a fresh Open (nothing in memory).
  auto reopened = Vault::Open(home_, kPassphrase, kLockTimeout);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*ReadRecord(**reopened, "new"), std::nullopt);
  EXPECT_EQ(*ReadRecord(**reopened, "kept"), std::optional<std::string>("original"));
}

TEST_F(VaultTest, ReadYourWritesInsideATransaction) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(PutRecords(*vault, {{"committed", "old"}, {"doomed", "bye"}}).ok());
  ASSERT_TRUE(vault
                  ->Transact([](VaultTransaction& txn) {
                    txn.PutItem("outbox", 10, AsBytes("committed ten"));
                    txn.PutItem("outbox", 20, AsBytes("committed twenty"));
                    return Status::Ok();
                  })
                  .ok());

  Status s = vault->Transact([](VaultTransaction& txn) -> Status {
    // Get after Put.
    txn.Put("fresh", AsBytes("new value"));
    auto fresh = txn.Get("fresh");
    EXPECT_TRUE(fresh.ok() && *fresh && Str(**fresh) == "new value");
    txn.Put("committed", AsBytes("updated"));
    auto updated = txn.Get("committed");
    EXPECT_TRUE(updated.ok() && *updated && Str(**updated) == "updated");

    // Delete hides a committed record and a pending one.
    txn.Delete("doomed");
    auto doomed = txn.Get("doomed");
    EXPECT_TRUE(doomed.ok() && !*doomed);
    txn.Delete("fresh");
    auto gone = txn.Get("fresh");
    EXPECT_TRUE(gone.ok() && !*gone);
    // And a Put after a Delete brings it back.
    txn.Put("doomed", AsBytes("revived"));
    auto revived = txn.Get("doomed");
    EXPECT_TRUE(revived.ok() && *revived && Str(**revived) == "revived");

    // ReadList includes pending items, in order, and hides deleted ones.
    txn.PutItem("outbox", 15, AsBytes("pending fifteen"));
    txn.PutItem("outbox", 5, AsBytes("pending five"));
    txn.PutItem("outbox", 20, AsBytes("pending twenty"));
    txn.DeleteItem("outbox", 10);
    auto list = txn.ReadList("outbox");
    EXPECT_TRUE(list.ok());
    if (list.ok()) {
      EXPECT_EQ(ToList(*list),
                (List{{5, "pending five"}, {15, "pending fifteen"}, {20, "pending twenty"}}));
    }
    auto item = txn.GetItem("outbox", 15);
    EXPECT_TRUE(item.ok() && *item && Str(**item) == "pending fifteen");
    auto deleted_item = txn.GetItem("outbox", 10);
    EXPECT_TRUE(deleted_item.ok() && !*deleted_item);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  // All of it committed.
  EXPECT_EQ(*ReadRecord(*vault, "fresh"), std::nullopt);
  EXPECT_EQ(*ReadRecord(*vault, "committed"), std::optional<std::string>("updated"));
  EXPECT_EQ(*ReadRecord(*vault, "doomed"), std::optional<std::string>("revived"));
  EXPECT_EQ(*ReadWholeList(*vault, "outbox"),
            (List{{5, "pending five"}, {15, "pending fifteen"}, {20, "pending twenty"}}));
  EXPECT_EQ(*ReadItem(*vault, "outbox", 10), std::nullopt);
}

TEST_F(VaultTest, EmptyRecordIsPresentNotAbsent) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(PutRecords(*vault, {{"empty", ""}}).ok());
  EXPECT_EQ(*ReadRecord(*vault, "empty"), std::optional<std::string>(""));
}

TEST_F(VaultTest, ListItemsComeBackInIndexOrder) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  const std::vector<uint64_t> committed = {UINT64_MAX, 256, 0, uint64_t{1} << 32, 7};
  const std::vector<uint64_t> pending = {255, uint64_t{1} << 63, 1, 65536, UINT64_MAX - 1};
  ASSERT_TRUE(vault
                  ->Transact([&](VaultTransaction& txn) {
                    for (uint64_t i : committed)
                      txn.PutItem("history/alice", i, AsBytes("item " + std::to_string(i)));
                    // A neighbouring list and a point record that must not show up.
                    txn.PutItem("history/alicia", 3, AsBytes("other list"));
                    txn.PutItem("history", 4, AsBytes("prefix list"));
                    txn.Put("history/alice#5", AsBytes("point record"));
                    return Status::Ok();
                  })
                  .ok());

  List expected;
  std::map<uint64_t, std::string> all;
  for (uint64_t i : committed) all[i] = "item " + std::to_string(i);
  for (uint64_t i : pending) all[i] = "item " + std::to_string(i);
  for (const auto& [i, v] : all) expected.emplace_back(i, v);

  Status s = vault->Transact([&](VaultTransaction& txn) -> Status {
    for (uint64_t i : pending)
      txn.PutItem("history/alice", i, AsBytes("item " + std::to_string(i)));
    auto list = txn.ReadList("history/alice");
    if (!list.ok()) return list.status();
    EXPECT_EQ(ToList(*list), expected);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto list = ReadWholeList(*vault, "history/alice");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, expected);
  EXPECT_EQ(*ReadWholeList(*vault, "history/alicia"), (List{{3, "other list"}}));
  EXPECT_EQ(*ReadWholeList(*vault, "history"), (List{{4, "prefix list"}}));
  EXPECT_EQ(*ReadWholeList(*vault, "no such list"), List{});
  EXPECT_EQ(*ReadItem(*vault, "history/alice", UINT64_MAX),
            std::optional<std::string>("item " + std::to_string(UINT64_MAX)));
  EXPECT_EQ(*ReadItem(*vault, "history/alice", 2), std::nullopt);
}

// ---------------------------------------------------------------------------
// Tampering on disk

TEST_F(VaultTest, AFlippedByteIsVaultCorruptedNotACrash) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  const std::string key_a = PhysicalKey(*vault, "a");
  for (size_t pos : {size_t{0}, size_t{1}, size_t{30}, size_t{9999}}) {
    SCOPED_TRACE("flipped byte " + std::to_string(pos));
    ASSERT_TRUE(PutRecords(*vault, {{"a", "alpha plaintext"}, {"b", "beta plaintext"}}).ok());
    std::string value = RawGet(key_a);
    ASSERT_GT(value.size(), 30u);
    if (pos >= value.size()) pos = value.size() - 1;  // The tag's last byte.
    value[pos] = static_cast<char>(value[pos] ^ 0x01);
    RawPut(key_a, value);

    EXPECT_EQ(CodeOf(ReadRecord(*vault, "a")), ErrorCode::kVaultCorrupted);
    EXPECT_EQ(*ReadRecord(*vault, "b"), std::optional<std::string>("beta plaintext"));
  }
  // Truncated and empty values.
  for (const std::string& damaged : {RawGet(key_a).substr(0, 10), std::string()}) {
    RawPut(key_a, damaged);
    EXPECT_EQ(CodeOf(ReadRecord(*vault, "a")), ErrorCode::kVaultCorrupted);
  }
}

TEST_F(VaultTest, AFlippedListItemIsVaultCorrupted) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault
                  ->Transact([](VaultTransaction& txn) {
                    for (uint64_t i = 1; i <= 3; ++i)
                      txn.PutItem("history/bob", i, AsBytes("message"));
                    return Status::Ok();
                  })
                  .ok());
  const std::string key2 = ItemKey(*vault, "history/bob", 2);
  std::string value = RawGet(key2);
  value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x80);
  RawPut(key2, value);

  EXPECT_EQ(CodeOf(ReadItem(*vault, "history/bob", 2)), ErrorCode::kVaultCorrupted);
  EXPECT_EQ(CodeOf(ReadWholeList(*vault, "history/bob")), ErrorCode::kVaultCorrupted);
  EXPECT_EQ(*ReadItem(*vault, "history/bob", 1), std::optional<std::string>("message"));
}

TEST_F(VaultTest, ARecordMovedToAnotherKeyIsVaultCorrupted) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(PutRecords(*vault, {{"session/alice/1", "alice's session"},
                                  {"session/bob/1", "bob's session"},
                                  {"untouched", "still fine"}})
                  .ok());
  const std::string key_alice = PhysicalKey(*vault, "session/alice/1");
  const std::string key_bob = PhysicalKey(*vault, "session/bob/1");
  const std::string value_alice = RawGet(key_alice);
  const std::string value_bob = RawGet(key_bob);

  // Swapped.
  RawPut(key_alice, value_bob);
  RawPut(key_bob, value_alice);
  EXPECT_EQ(CodeOf(ReadRecord(*vault, "session/alice/1")), ErrorCode::kVaultCorrupted);
  EXPECT_EQ(CodeOf(ReadRecord(*vault, "session/bob/1")), ErrorCode::kVaultCorrupted);
  EXPECT_EQ(*ReadRecord(*vault, "untouched"), std::optional<std::string>("still fine"));

  // Copied: the original still opens, the copy does not.
  RawPut(key_alice, value_alice);
  RawPut(key_bob, value_alice);
  EXPECT_EQ(*ReadRecord(*vault, "session/alice/1"), std::optional<std::string>("alice's session"));
  EXPECT_EQ(CodeOf(ReadRecord(*vault, "session/bob/1")), ErrorCode::kVaultCorrupted);
}

TEST_F(VaultTest, ListItemsSwappedBetweenIndexesAreVaultCorrupted) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault
                  ->Transact([](VaultTransaction& txn) {
                    txn.PutItem("history/bob", 1, AsBytes("first"));
                    txn.PutItem("history/bob", 2, AsBytes("second"));
                    return Status::Ok();
                  })
                  .ok());
  const std::string key1 = ItemKey(*vault, "history/bob", 1);
  const std::string key2 = ItemKey(*vault, "history/bob", 2);
  const std::string v1 = RawGet(key1), v2 = RawGet(key2);
  RawPut(key1, v2);
  RawPut(key2, v1);
  EXPECT_EQ(CodeOf(ReadItem(*vault, "history/bob", 1)), ErrorCode::kVaultCorrupted);
  EXPECT_EQ(CodeOf(ReadItem(*vault, "history/bob", 2)), ErrorCode::kVaultCorrupted);
  EXPECT_EQ(CodeOf(ReadWholeList(*vault, "history/bob")), ErrorCode::kVaultCorrupted);
}

TEST_F(VaultTest, ARecordFromAnotherVaultIsVaultCorrupted) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(PutRecords(*vault, {{"identity", "mine"}}).ok());
  const std::string my_key = PhysicalKey(*vault, "identity");

  // The same record name sealed by another vault (another vault key).
  const std::string other_home = root_ + "/other";
  auto other =
      Vault::Create(other_home, kPassphrase, PassphraseCost::kMinimumForTests, kLockTimeout);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(PutRecords(**other, {{"identity", "theirs"}}).ok());
  EXPECT_NE(PhysicalKey(**other, "identity"), my_key);  // Name tags are keyed.
  std::string foreign;
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), other_home + "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), PhysicalKey(**other, "identity"), &foreign).ok());
  }
  RawPut(my_key, foreign);
  EXPECT_EQ(CodeOf(ReadRecord(*vault, "identity")), ErrorCode::kVaultCorrupted);
}

// ---------------------------------------------------------------------------
// What is on disk

// Every regular file under `dir` with its contents.
std::map<std::string, std::string> ReadAllFiles(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    out[entry.path().string()].assign(std::istreambuf_iterator<char>(in),
                                      std::istreambuf_iterator<char>());
  }
  return out;
}

void ExpectNowhereOnDisk(const std::map<std::string, std::string>& files, std::string_view needle,
                         std::string_view what) {
  for (const auto& [path, contents] : files) {
    EXPECT_EQ(contents.find(needle), std::string::npos) << what << " found in " << path;
  }
}

bool SomewhereOnDisk(const std::map<std::string, std::string>& files, std::string_view needle) {
  for (const auto& [path, contents] : files) {
    if (contents.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_F(VaultTest, RecordNamesAndPlaintextNeverReachTheDisk) {
  constexpr char kNameMarker[] = "DrRivera-unique-marker";
  constexpr char kName[] = "history/DrRivera-unique-marker";
  constexpr char kPlain[] = "secret-marker-xyz";
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault
                  ->Transact([&](VaultTransaction& txn) {
                    txn.Put(kName, AsBytes(kPlain));
                    txn.Put("session/DrRivera-unique-marker/1", AsBytes(kPlain));
                    for (uint64_t i = 0; i < 5; ++i) txn.PutItem(kName, i, AsBytes(kPlain));
                    return Status::Ok();
                  })
                  .ok());
  const std::string sealed = RawGet(PhysicalKey(*vault, kName));
  const std::string vault_key(AsStringView(vault->key().BytesForTesting()));

  auto check = [&](const char* phase) {
    SCOPED_TRACE(phase);
    const auto files = ReadAllFiles(home_);
    ASSERT_TRUE(files.count(home_ + "/vault.key"));
    // The search can see what the vault wrote: the sealed record is there.
    EXPECT_TRUE(SomewhereOnDisk(files, sealed)) << "the search would not find plaintext either";
    ExpectNowhereOnDisk(files, kNameMarker, "a record name");
    ExpectNowhereOnDisk(files, "DrRivera", "a contact's name");
    ExpectNowhereOnDisk(files, kPlain, "record plaintext");
    ExpectNowhereOnDisk(files, kPassphrase, "the passphrase");
    ExpectNowhereOnDisk(files, vault_key, "the raw vault key");
  };
  check("in the write-ahead log");
  // Reopening replays the log into a table file.
  ASSERT_TRUE(vault->Transact([](VaultTransaction&) { return Status::Ok(); }).ok());
  ASSERT_TRUE(PutRecords(*vault, {{"other", "x"}}).ok());
  ASSERT_TRUE(vault->Transact([](VaultTransaction&) { return Status::Ok(); }).ok());
  check("after reopening");
  // And still readable.
  EXPECT_EQ(*ReadRecord(*vault, kName), std::optional<std::string>(kPlain));
}

TEST_F(VaultTest, FileModesAreOwnerOnly) {
  const mode_t old_umask = ::umask(0);  // Even with a permissive umask.
  auto vault = CreateVault();
  ::umask(old_umask);
  ASSERT_NE(vault, nullptr);
  struct stat st {};
  ASSERT_EQ(::stat(home_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((home_ + "/vault.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((home_ + "/vault.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(fs::exists(home_ + "/vault.key.tmp"));
}

TEST_F(VaultTest, CreateTightensAnExistingHomeDirectory) {
  fs::create_directories(home_);
  ASSERT_EQ(::chmod(home_.c_str(), 0755), 0);
  ASSERT_NE(CreateVault(), nullptr);
  struct stat st {};
  ASSERT_EQ(::stat(home_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

// ---------------------------------------------------------------------------
// Two processes

// A child process that holds a vault transaction open for `hold`.
class LockHolder {
 public:
  LockHolder(Vault& vault, milliseconds hold) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      ::alarm(20);  // Never outlive a stuck test.
      Status s = vault.Transact([&](VaultTransaction& txn) {
        txn.Put("written by the child", AsBytes("child"));
        const char locked = 'L';
        if (::write(fds[1], &locked, 1) != 1) return Status(ErrorCode::kInternal, "pipe");
        std::this_thread::sleep_for(hold);
        return Status::Ok();
      });
      ::_exit(s.ok() ? 0 : 1);  // No atexit handlers, no gtest teardown.
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
  }
  ~LockHolder() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (read_fd_ >= 0) ::close(read_fd_);
  }

  // True once the child holds the lock.
  bool WaitUntilLocked() {
    if (pid_ <= 0 || read_fd_ < 0) return false;
    pollfd p{read_fd_, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return false;
    char c = 0;
    return ::read(read_fd_, &c, 1) == 1 && c == 'L';
  }
  // The child's exit status (0 = its transaction committed).
  int Join() {
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return -1;
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  bool reaped_ = false;
};

TEST_F(VaultTest, ASecondProcessWaitsForTheLock) {
  auto vault = CreateVault(milliseconds(5000));
  ASSERT_NE(vault, nullptr);
  LockHolder child(*vault, milliseconds(300));
  ASSERT_TRUE(child.WaitUntilLocked());

  const auto start = std::chrono::steady_clock::now();
  bool saw_child_write = false;
  Status s = vault->Transact([&](VaultTransaction& txn) {
    auto got = txn.Get("written by the child");
    saw_child_write = got.ok() && *got && Str(**got) == "child";
    txn.Put("written by the parent", AsBytes("parent"));
    return Status::Ok();
  });
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(waited, milliseconds(150)) << "the parent did not wait for the child's lock";
  EXPECT_TRUE(saw_child_write) << "the parent ran before the child committed";
  EXPECT_EQ(child.Join(), 0);

  EXPECT_EQ(*ReadRecord(*vault, "written by the child"), std::optional<std::string>("child"));
  EXPECT_EQ(*ReadRecord(*vault, "written by the parent"), std::optional<std::string>("parent"));
}

TEST_F(VaultTest, ASecondProcessGivesUpWithVaultBusy) {
  auto vault = CreateVault(milliseconds(5000));
  ASSERT_NE(vault, nullptr);
  auto impatient = Vault::Open(home_, kPassphrase, milliseconds(50));
  ASSERT_TRUE(impatient.ok());
  LockHolder child(*vault, milliseconds(1000));
  ASSERT_TRUE(child.WaitUntilLocked());

  const auto start = std::chrono::steady_clock::now();
  bool body_ran = false;
  Status s = (*impatient)->Transact([&](VaultTransaction& txn) {
    body_ran = true;
    txn.Put("written by the parent", AsBytes("parent"));
    return Status::Ok();
  });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), ErrorCode::kVaultBusy) << s.ToString();
  EXPECT_FALSE(body_ran);
  EXPECT_GE(waited, milliseconds(50));
  EXPECT_LT(waited, milliseconds(900)) << "the timeout was not honoured";
  EXPECT_EQ(child.Join(), 0);

  EXPECT_EQ(*ReadRecord(*vault, "written by the child"), std::optional<std::string>("child"));
  EXPECT_EQ(*ReadRecord(*vault, "written by the parent"), std::nullopt);
}

// Vault::Hold keeps the lock (and the database) across transactions: each
// transaction still commits on its own, another handle on the same home waits
// until the outermost hold ends, and a failed transaction inside a hold
// writes nothing.
TEST_F(VaultTest, HoldSpansTransactionsAndKeepsOthersOutUntilReleased) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  auto other = Vault::Open(home_, kPassphrase, milliseconds(50));
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  {
    auto hold = vault->Hold();
    ASSERT_TRUE(hold.ok()) << hold.status().ToString();
    ASSERT_TRUE(vault
                    ->Transact([](VaultTransaction& txn) {
                      txn.Put("first", AsBytes("1"));
                      return Status::Ok();
                    })
                    .ok());
    {
      auto inner = vault->Hold();  // Nested: shares the outer hold.
      ASSERT_TRUE(inner.ok()) << inner.status().ToString();
      Status failed = vault->Transact([](VaultTransaction& txn) {
        txn.Put("never", AsBytes("x"));
        return Status(ErrorCode::kInternal, "the body fails");
      });
      EXPECT_EQ(failed.code(), ErrorCode::kInternal);
      std::optional<std::string> seen;
      ASSERT_TRUE(vault
                      ->Transact([&](VaultTransaction& txn) -> Status {
                        SB_ASSIGN_OR_RETURN(auto got, txn.Get("first"));
                        if (got) seen = Str(*got);
                        SB_ASSIGN_OR_RETURN(auto never, txn.Get("never"));
                        if (never) return Status(ErrorCode::kInternal, "a failed body wrote");
                        return Status::Ok();
                      })
                      .ok());
      EXPECT_EQ(seen, std::optional<std::string>("1"));
    }
    // The inner hold ended, the outer one still keeps the other handle out.
    bool body_ran = false;
    Status busy = (*other)->Transact([&](VaultTransaction&) {
      body_ran = true;
      return Status::Ok();
    });
    EXPECT_EQ(busy.code(), ErrorCode::kVaultBusy) << busy.ToString();
    EXPECT_FALSE(body_ran);
  }
  // Released: the other handle gets in and sees the committed write.
  std::optional<std::string> seen;
  ASSERT_TRUE((*other)
                  ->Transact([&](VaultTransaction& txn) -> Status {
                    SB_ASSIGN_OR_RETURN(auto got, txn.Get("first"));
                    if (got) seen = Str(*got);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seen, std::optional<std::string>("1"));
}

// ---------------------------------------------------------------------------
// Deferred commits (Durability::kDeferred, vault_writer.h)

// A chain of deferred transactions, each building on the one before while
// the writer may not have written it yet: every read (point records, list
// items, whole lists, the last index) sees all earlier transactions, updates
// and deletes included; a synced transaction in the middle keeps the order;
// after SyncDeferred and the hold's end another handle reads the same.
TEST_F(VaultTest, DeferredTransactionsReadEveryEarlierOneBeforeItIsWritten) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  List expected;
  {
    auto hold = vault->Hold();
    ASSERT_TRUE(hold.ok()) << hold.status().ToString();
    for (uint64_t round = 1; round <= 60; ++round) {
      const Durability durability = round == 30 ? Durability::kSynced : Durability::kDeferred;
      Status s = vault->Transact(
          [&](VaultTransaction& txn) -> Status {
            SB_ASSIGN_OR_RETURN(auto counter, txn.Get("counter"));
            const uint64_t seen = counter ? std::stoull(Str(*counter)) : 0;
            EXPECT_EQ(seen, round - 1) << "round " << round;
            SB_ASSIGN_OR_RETURN(auto list, txn.ReadList("items"));
            EXPECT_EQ(ToList(list), expected) << "round " << round;
            SB_ASSIGN_OR_RETURN(auto last, txn.LastItemIndex("items"));
            EXPECT_EQ(last.value_or(0), round - 1) << "round " << round;
            if (round > 3 && (round - 1) % 3 == 0) {
              SB_ASSIGN_OR_RETURN(auto gone, txn.GetItem("items", round - 3));
              EXPECT_FALSE(gone) << "round " << round;
            }
            txn.Put("counter", AsBytes(std::to_string(round)));
            txn.PutItem("items", round, AsBytes("item " + std::to_string(round)));
            // Every third item is deleted by the next transaction.
            if (round % 3 == 0) txn.DeleteItem("items", round - 2);
            return Status::Ok();
          },
          durability);
      ASSERT_TRUE(s.ok()) << s.ToString();
      expected.emplace_back(round, "item " + std::to_string(round));
      if (round % 3 == 0) {
        std::erase_if(expected, [&](const auto& item) { return item.first == round - 2; });
      }
    }
    ASSERT_TRUE(vault->SyncDeferred().ok());
  }
  auto other = Vault::Open(home_, kPassphrase, kLockTimeout);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*ReadRecord(**other, "counter"), std::optional<std::string>("60"));
  EXPECT_EQ(*ReadWholeList(**other, "items"), expected);
}

// A process that dies after deferred commits, before SyncDeferred, loses
// them all (they were only in its log buffer), exactly as a power cut would;
// after SyncDeferred they survive the same death. A failed deferred body
// writes nothing either way.
TEST_F(VaultTest, DeferredCommitsAreDurableOnlyAfterSyncDeferred) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(PutRecords(*vault, {{"before", "synced"}}).ok());
  vault.reset();
  auto run_child = [&](bool sync_deferred) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::alarm(20);
      auto child = Vault::Open(home_, kPassphrase, kLockTimeout);
      if (!child.ok()) ::_exit(2);
      auto hold = (*child)->Hold();
      if (!hold.ok()) ::_exit(3);
      for (int i = 0; i < 5; ++i) {
        Status s = (*child)->Transact(
            [&](VaultTransaction& txn) {
              txn.PutItem("deferred", i, AsBytes("item " + std::to_string(i)));
              return Status::Ok();
            },
            Durability::kDeferred);
        if (!s.ok()) ::_exit(4);
      }
      Status failed = (*child)->Transact(
          [](VaultTransaction& txn) {
            txn.Put("never", AsBytes("x"));
            return Status(ErrorCode::kInternal, "the body fails");
          },
          Durability::kDeferred);
      if (failed.ok()) ::_exit(5);
      // Written to the database (its log buffer) either way; only then
      // synced or not.
      if (!(*child)->WaitForDeferredWritesForTesting().ok()) ::_exit(6);
      if (sync_deferred && !(*child)->SyncDeferred().ok()) ::_exit(7);
      ::_exit(0);  // A crash: no destructor ends the hold.
    }
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  };

  run_child(/*sync_deferred=*/false);
  auto reopened = Vault::Open(home_, kPassphrase, kLockTimeout);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*ReadWholeList(**reopened, "deferred"), List{}) << "unsynced deferred commits survived";
  EXPECT_EQ(*ReadRecord(**reopened, "before"), std::optional<std::string>("synced"));
  reopened->reset();

  run_child(/*sync_deferred=*/true);
  reopened = Vault::Open(home_, kPassphrase, kLockTimeout);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*ReadWholeList(**reopened, "deferred"),
            (List{{0, "item 0"}, {1, "item 1"}, {2, "item 2"}, {3, "item 3"}, {4, "item 4"}}));
  EXPECT_EQ(*ReadRecord(**reopened, "never"), std::nullopt);
}

}  // namespace
}  // namespace securebase::client
