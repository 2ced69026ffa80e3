// Shared support for the client end-to-end tests: the real securebase-server
// binary on loopback (tests/server/integration/harness), real vaults in temp
// directories, the `securebase` CLI as a child process, JSON parsing of its
// output, content builders with unique markers and deep content comparison.
//
// Every wait has a deadline; nothing sleeps to synchronise except where time
// must pass.
#ifndef SECUREBASE_TESTS_CLIENT_E2E_E2E_SUPPORT_H_
#define SECUREBASE_TESTS_CLIENT_E2E_E2E_SUPPORT_H_

#include <google/protobuf/struct.pb.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "securebase/client/client.h"
#include "securebase/client/content.h"
#include "securebase/client/status.h"
#include "securebase/crypto/keys.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace securebase::e2e {

namespace it = ::securebase::integration;
namespace sc = ::securebase::client;

inline constexpr char kPassphrase[] = "correct horse battery staple (e2e)";
// Deadline for one CLI command (a sanitizer build on a busy machine).
inline constexpr std::chrono::seconds kCliTimeout(30);
// Per-RPC deadline the library clients use in these tests.
inline constexpr std::chrono::milliseconds kClientRpcTimeout(8000);

// ---------------------------------------------------------------------------
// Status assertions.

std::string Describe(const sc::Status& status);

// Streamable like gtest's own assertions: ASSERT_SB_OK(x) << "context".
#define SB_E2E_OK_IMPL_(expr, fail)                       \
  switch (0)                                              \
  case 0:                                                 \
  default:                                                \
    if (const auto& sb_e2e_r_ = (expr); sb_e2e_r_.ok()) { \
    } else                                                \
      fail() << #expr << " -> " << ::securebase::e2e::DescribeAny(sb_e2e_r_)
#define ASSERT_SB_OK(expr) SB_E2E_OK_IMPL_(expr, GTEST_FAIL)
#define EXPECT_SB_OK(expr) SB_E2E_OK_IMPL_(expr, ADD_FAILURE)

inline std::string DescribeAny(const sc::Status& s) { return Describe(s); }
template <typename T>
std::string DescribeAny(const sc::Result<T>& r) {
  return r.ok() ? "OK" : Describe(r.status());
}

// The status has `code` and a non-empty message.
::testing::AssertionResult HasCode(const sc::Status& status, sc::ErrorCode code);
template <typename T>
::testing::AssertionResult HasCode(const sc::Result<T>& result, sc::ErrorCode code) {
  if (result.ok()) {
    return ::testing::AssertionFailure() << "expected " << sc::ErrorCodeName(code) << ", got OK";
  }
  return HasCode(result.status(), code);
}

// ---------------------------------------------------------------------------
// Files and processes.

// A fresh /tmp/<prefix>XXXXXX, removed recursively on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "sb-e2e-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (so a restarted server
// keeps its address and clients reconnect to it).
int FreeLoopbackPort();

// Every regular file under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle);
bool WriteFile(const std::string& path, const std::string& contents);
std::string ReadFile(const std::string& path);
// Copies a directory tree.
bool CopyTree(const std::string& from, const std::string& to);

// Sets environment variables for the lifetime of the object (restoring the
// previous values). Only from the test's main thread, before children start.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::optional<std::string>>> vars);
  ~ScopedEnv();

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// A child process whose stdout and stderr are read as they come (for
// `securebase sync --watch`). Thread-safe accessors.
class LiveProcess {
 public:
  // Starts argv (argv[0] is the program path) with stdin from /dev/null.
  static std::unique_ptr<LiveProcess> Start(const std::vector<std::string>& argv);
  ~LiveProcess();  // Kills a still-running child and reaps it.

  // Waits until stdout contains `needle` (true), the child exited or the
  // timeout passed (false).
  bool WaitForStdout(const std::string& needle, std::chrono::milliseconds timeout);
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout);
  std::string Stdout() const;
  std::string Stderr() const;
  void Signal(int signo);
  // Waits for the exit; the wait status (as from waitpid), or nullopt after
  // the timeout (then the child is still running).
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  LiveProcess() = default;
  void Drain(int fd, std::string* sink);
  bool WaitFor(const std::string* text, const std::string& needle,
               std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  std::optional<int> wait_status_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string out_;
  std::string err_;
  int open_pipes_ = 2;
  std::thread out_reader_;
  std::thread err_reader_;
};

// Path of a built binary, from the build (empty when the target does not
// exist in this build).
std::string CliBinary();
std::string CRoundTripBinary();

// ---------------------------------------------------------------------------
// JSON (parsed with protobuf's JSON parser into google.protobuf.Value).

using Json = google::protobuf::Value;
// nullopt (and `error`) when `text` is not one JSON document.
std::optional<Json> ParseJson(const std::string& text, std::string* error = nullptr);
// obj["key"], or a null Value when absent or `obj` is not an object.
const Json& Member(const Json& obj, const std::string& key);
bool Has(const Json& obj, const std::string& key);
std::string Str(const Json& obj, const std::string& key);
double Num(const Json& obj, const std::string& key);
bool Bool(const Json& obj, const std::string& key);
// obj["key"] as a list (empty when absent or not a list).
std::vector<Json> List(const Json& obj, const std::string& key);
std::vector<Json> AsList(const Json& value);

// ---------------------------------------------------------------------------
// Content: builders that put `marker` into every free-text field, deep
// comparison and description.

sc::TextMessage MakeText(const std::string& marker);
sc::CheckIn MakeCheckIn(const std::string& marker);
sc::Reflection MakeFreeReflection(const std::string& marker);
// A reflection of `kind` with every field of its schema filled.
sc::Reflection MakeStructuredReflection(const std::string& kind, const std::string& marker);
sc::Reflection MakeThoughtRecord(const std::string& marker);
sc::Reflection MakeMentalisation(const std::string& marker);
sc::Reflection MakeCommunication(const std::string& marker);
sc::Exercise MakeExercise(const std::string& marker);
sc::Availability MakeAvailability(const std::string& marker);

// Field by field (every field of every type); `why` names the first
// difference.
bool SameContent(const sc::ContentBody& a, const sc::ContentBody& b, std::string* why);
::testing::AssertionResult ContentEquals(const sc::ContentBody& expected,
                                         const sc::ContentBody& actual);
// One line per item: type, direction, state, id (for failure messages).
std::string DescribeHistory(const std::vector<sc::HistoryItem>& items);

size_t CountId(const std::vector<sc::HistoryItem>& items, const std::string& message_id);
const sc::HistoryItem* FindId(const std::vector<sc::HistoryItem>& items,
                              const std::string& message_id);
size_t CountInvalid(const std::vector<sc::HistoryItem>& items);

// A random lower-case hex string of 2*n characters.
std::string RandomHex(size_t n);

// ---------------------------------------------------------------------------
// Server store tampering (the server must be stopped).

// Opens `db_dir` read-write with every column family and calls `edit` with
// the DB and the handles by name. False (with `error`) if it cannot open or
// `edit` fails.
bool EditServerStore(
    const std::string& db_dir,
    const std::function<bool(rocksdb::DB*, std::map<std::string, rocksdb::ColumnFamilyHandle*>&,
                             std::string*)>& edit,
    std::string* error);
// Every key and value of every column family of `db_dir` (opened read-only),
// concatenated per record as "cf\0key\0value\0" (for marker searches through
// compressed SST blocks).
bool DumpServerStore(const std::string& db_dir, std::string* out, std::string* error);

// A malicious server's key substitution (the server must be stopped).

using Cfs = std::map<std::string, rocksdb::ColumnFamilyHandle*>;
std::string Be32(uint32_t v);
std::string ToString(crypto::ByteSpan bytes);
// Rewrites `user_id`'s identity key to `new_key` everywhere the server keeps
// it, and replaces the signed prekey of `device_id` with `spk` (signed by the
// new key). With `add_device`, also adds a device `*added` with that prekey.
bool RewriteIdentity(rocksdb::DB* db, Cfs& cfs, const std::string& user_id,
                     const std::string& new_key, const crypto::SignedPreKey& spk,
                     uint32_t device_id, bool add_device, uint32_t* added, std::string* why);
// RewriteIdentity with a fresh key the user never had, on a new device.
// `user_id` is raw (16 bytes).
bool SubstituteIdentityOnServer(const std::string& db_dir, const std::string& user_id,
                                std::string* error);

// ---------------------------------------------------------------------------
// Fault points (ClientOptions::faults) of every library client a test makes:
// Set() decides which fire; none do by default.
class TestFaults final : public sc::FaultInjector {
 public:
  void Set(std::function<bool(sc::FaultPoint)> fail);
  bool ShouldFail(sc::FaultPoint point) override;

 private:
  std::mutex mu_;
  std::function<bool(sc::FaultPoint)> fail_;
};

// ---------------------------------------------------------------------------
// The fixture: one server per test (on a fixed loopback port so it can be
// restarted at the same address), homes in a temp dir, library clients.

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  sc::ClientOptions Options(const std::string& home);
  std::string Home(const std::string& name) const { return temp_->Sub(name); }

  // Creates a vault + account at Home(name). ADD_FAILURE and nullptr on error.
  std::unique_ptr<sc::Client> Create(sc::Role role, const std::string& name,
                                     const std::function<void(sc::ClientOptions&)>& tweak = {});
  std::unique_ptr<sc::Client> Reopen(const std::string& name,
                                     const std::function<void(sc::ClientOptions&)>& tweak = {});
  // Therapist invites, client accepts, therapist syncs (learning the client
  // and its name). Fatal failures are reported through gtest.
  void Link(sc::Client& therapist, sc::Client& client);

  // Syncs until `count` new non-profile items arrived in total or `timeout`
  // passed; returns the items.
  std::vector<sc::HistoryItem> SyncUntil(sc::Client& client, size_t count,
                                         std::chrono::milliseconds timeout);

  it::ServerProcess& server() { return *server_; }
  // Declared before the clients a test keeps, so it outlives them.
  TestFaults faults_;
  const std::string& server_address() const { return address_; }

  std::unique_ptr<TempDir> temp_;
  std::unique_ptr<it::ServerProcess> server_;
  std::string address_;
  int port_ = 0;
};

}  // namespace securebase::e2e

#endif  // SECUREBASE_TESTS_CLIENT_E2E_E2E_SUPPORT_H_
