// Errors a person meets: a wrong passphrase, a damaged vault, an unreachable
// server. Each is a clear error (the right code, a readable message; the CLI
// exits non-zero without a crash or stack trace), and nothing is lost.
#include <rocksdb/db.h>

#include <csignal>
#include <filesystem>
#include <set>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

class ErrorsTest : public E2eTest {
 protected:
  it::CommandResult Cli(const std::string& home, std::vector<std::string> args) {
    std::vector<std::string> argv = {CliBinary(), "--home",         home,
                                     "--server",  server_address(), "--insecure"};
    argv.insert(argv.end(), args.begin(), args.end());
    it::CommandResult result;
    EXPECT_TRUE(it::RunCommand(argv, kCliTimeout, &result));
    EXPECT_FALSE(result.timed_out) << "CLI hung: " << args.at(0);
    return result;
  }
};

// A failed CLI run as a person should see it: exit 1 (not a signal, not a
// usage error), "securebase: ..." on stderr, no crash text, nothing secret.
::testing::AssertionResult ReadableFailure(const it::CommandResult& r) {
  if (r.term_signal != 0) {
    return ::testing::AssertionFailure() << "killed by signal " << r.term_signal << "\n"
                                         << r.stderr_text;
  }
  if (r.exit_code != 1) {
    return ::testing::AssertionFailure() << "exit " << r.exit_code << " (expected 1)\n"
                                         << r.stderr_text;
  }
  // Notices (e.g. the therapist's availability) may come first; the error
  // is a line of its own.
  if (r.stderr_text.rfind("securebase: ", 0) != 0 &&
      r.stderr_text.find("\nsecurebase: ") == std::string::npos) {
    return ::testing::AssertionFailure()
           << "no \"securebase: \" error line on stderr: " << r.stderr_text;
  }
  for (const char* bad : {"terminate called", "what():", "Aborted", "Segmentation", "#0 ",
                          "AddressSanitizer", "runtime error", kPassphrase}) {
    if (r.stderr_text.find(bad) != std::string::npos ||
        r.stdout_text.find(bad) != std::string::npos) {
      return ::testing::AssertionFailure() << "output contains \"" << bad << "\":\n"
                                           << r.stderr_text;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST_F(ErrorsTest, WrongPassphrase) {
  auto client = Create(sc::Role::kClient, "Ana");
  ASSERT_TRUE(client);
  client.reset();
  auto wrong = sc::Client::Open(Options(Home("Ana")), "not the passphrase");
  EXPECT_TRUE(HasCode(wrong, sc::ErrorCode::kWrongPassphrase));
  if (!wrong.ok()) {
    EXPECT_EQ(wrong.status().message().find("not the passphrase"), std::string::npos)
        << "the message must not echo the passphrase";
  }
  EXPECT_TRUE(
      HasCode(sc::Client::Open(Options(Home("Ana")), ""), sc::ErrorCode::kWrongPassphrase) ||
      HasCode(sc::Client::Open(Options(Home("Ana")), ""), sc::ErrorCode::kInvalidArgument));
  // The right passphrase still opens it: a wrong one changed nothing.
  ASSERT_TRUE(Reopen("Ana"));
  EXPECT_TRUE(HasCode(sc::Client::Open(Options(Home("nobody-here")), kPassphrase),
                      sc::ErrorCode::kNotFound));

  ASSERT_FALSE(CliBinary().empty()) << "the securebase CLI was not built";
  {
    ScopedEnv env({{std::string("SECUREBASE_PASSPHRASE"), std::string("not the passphrase")}});
    it::CommandResult r = Cli(Home("Ana"), {"contacts"});
    EXPECT_TRUE(ReadableFailure(r));
    EXPECT_NE(r.stderr_text.find("passphrase"), std::string::npos) << r.stderr_text;
    r = Cli(Home("Ana"), {"send", "someone", "hello"});
    EXPECT_TRUE(ReadableFailure(r));
  }
  {
    // No vault there: a hint to run init.
    it::CommandResult r = Cli(Home("nobody-here"), {"contacts"});
    EXPECT_TRUE(ReadableFailure(r));
    EXPECT_NE(r.stderr_text.find("init"), std::string::npos) << r.stderr_text;
  }
  // A wrapped vault key that was tampered with is a clear error too.
  const std::string key_file = Home("Ana") + "/vault.key";
  std::string key = ReadFile(key_file);
  ASSERT_FALSE(key.empty());
  key[key.size() / 2] ^= 0x01;
  ASSERT_TRUE(WriteFile(key_file, key));
  auto damaged = sc::Client::Open(Options(Home("Ana")), kPassphrase);
  ASSERT_FALSE(damaged.ok());
  EXPECT_TRUE(damaged.status().code() == sc::ErrorCode::kVaultCorrupted ||
              damaged.status().code() == sc::ErrorCode::kWrongPassphrase)
      << Describe(damaged.status());
  EXPECT_TRUE(ReadableFailure(Cli(Home("Ana"), {"contacts"})));
}

// Every record of a vault, flipped in turn (one byte of its sealed value):
// opening and reading either works or fails with kVaultCorrupted; nothing
// crashes, nothing else is reported, and nothing wrong is shown.
TEST_F(ErrorsTest, CorruptedVaultRecordIsAClearError) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Byte");
  auto client = Create(sc::Role::kClient, "Flip", [](sc::ClientOptions& o) {
    o.prekey_batch = 2;
    o.prekey_low_watermark = 0;
  });
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  for (int i = 0; i < 3; ++i) ASSERT_SB_OK(client->SendText("Dr. Byte", "m" + std::to_string(i)));
  ASSERT_SB_OK(therapist->Sync());
  ASSERT_SB_OK(therapist->SendText("Flip", "reply"));
  ASSERT_SB_OK(client->Sync());
  auto baseline_export = client->ExportJson();
  ASSERT_SB_OK(baseline_export);
  auto baseline = ParseJson(*baseline_export);
  ASSERT_TRUE(baseline.has_value());
  const std::string baseline_contacts = Member(*baseline, "contacts").DebugString();
  auto history = client->History("Dr. Byte");
  ASSERT_SB_OK(history);
  const size_t history_items = history->size();
  ASSERT_EQ(history_items, 4u);
  client.reset();

  // The record keys (keyed hashes) of the vault.
  std::vector<std::string> keys;
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Options options;
    ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(options, Home("Flip") + "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> iter(db->NewIterator(rocksdb::ReadOptions()));
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) keys.push_back(iter->key().ToString());
  }
  ASSERT_GE(keys.size(), history_items + 3);

  size_t detected = 0;
  std::string first_detected_copy;
  TempDir copies("sb-e2e-flip-");
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const std::string copy = copies.Sub(std::to_string(i));
    ASSERT_TRUE(CopyTree(Home("Flip"), copy));
    {
      rocksdb::DB* raw = nullptr;
      rocksdb::Options options;
      ASSERT_TRUE(rocksdb::DB::Open(options, copy + "/db", &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      std::string value;
      ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), keys[i], &value).ok());
      ASSERT_FALSE(value.empty());
      value[value.size() / 2] ^= 0x20;
      rocksdb::WriteOptions w;
      w.sync = true;
      ASSERT_TRUE(db->Put(w, keys[i], value).ok());
    }
    bool corrupted = false;
    auto check = [&](const sc::Status& status, const char* what) {
      if (status.ok()) return;
      EXPECT_EQ(status.code(), sc::ErrorCode::kVaultCorrupted) << what << ": " << Describe(status);
      EXPECT_FALSE(status.message().empty());
      corrupted = true;
    };
    sc::ClientOptions options = Options(copy);
    auto opened = sc::Client::Open(options, kPassphrase);
    if (!opened.ok()) {
      check(opened.status(), "Open");
    } else {
      auto contacts = (*opened)->Contacts();
      if (!contacts.ok()) check(contacts.status(), "Contacts");
      auto items = (*opened)->History(therapist->user_id());
      if (!items.ok()) check(items.status(), "History");
      auto exported = (*opened)->ExportJson();
      if (!exported.ok()) {
        check(exported.status(), "ExportJson");
      } else {
        // Readable: then it must be exactly what was there.
        auto doc = ParseJson(*exported);
        ASSERT_TRUE(doc.has_value());
        EXPECT_EQ(Member(*doc, "contacts").DebugString(), baseline_contacts)
            << "a damaged record changed what is shown instead of failing";
      }
    }
    if (corrupted) {
      ++detected;
      if (first_detected_copy.empty()) first_detected_copy = copy;
    }
  }
  // At least the account, the contact list and every history item are read
  // by the calls above.
  EXPECT_GE(detected, history_items + 2) << "of " << keys.size() << " records";

  ASSERT_FALSE(CliBinary().empty());
  ASSERT_FALSE(first_detected_copy.empty());
  it::CommandResult r = Cli(first_detected_copy, {"history", "Dr. Byte", "--json"});
  if (r.exit_code == 0) r = Cli(first_detected_copy, {"contacts"});
  EXPECT_TRUE(ReadableFailure(r));
}

// The server is down: sends are kept (kUnavailable) and go out exactly once
// when it is back. The same through the CLI.
TEST_F(ErrorsTest, ServerUnreachableKeepsMessagesAndRetryDelivers) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Down");
  auto client = Create(sc::Role::kClient, "Offline", [](sc::ClientOptions& o) {
    o.rpc_timeout = std::chrono::milliseconds(3000);
  });
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  ASSERT_TRUE(server().Stop());

  auto sent = client->SendText("Dr. Down", "written while the server was down");
  EXPECT_TRUE(HasCode(sent, sc::ErrorCode::kUnavailable));
  EXPECT_TRUE(HasCode(client->Sync(), sc::ErrorCode::kUnavailable));
  auto history = client->History("Dr. Down");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->at(0).state, sc::DeliveryState::kQueued);
  const std::string id = history->at(0).message_id;

  ASSERT_FALSE(CliBinary().empty()) << "the securebase CLI was not built";
  it::CommandResult r = Cli(Home("Offline"), {"send", "Dr. Down", "CLI while down"});
  EXPECT_TRUE(ReadableFailure(r));
  EXPECT_NE(r.stderr_text.find("queued"), std::string::npos)
      << "the CLI should say the message is kept: " << r.stderr_text;
  r = Cli(Home("Offline"), {"sync"});
  EXPECT_TRUE(ReadableFailure(r));

  ASSERT_TRUE(server().Start());
  // Reconnecting takes a moment (the channel's backoff): retry with a deadline.
  sc::Result<sc::SyncResult> flushed = sc::Status(sc::ErrorCode::kUnavailable, "not yet");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    flushed = client->Sync();
    if (flushed.ok() || flushed.status().code() != sc::ErrorCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Time must pass.
  }
  ASSERT_SB_OK(flushed);
  EXPECT_EQ(flushed->outbox_sent, 2u) << "both queued messages go out";
  auto again = client->Sync();
  ASSERT_SB_OK(again);
  EXPECT_EQ(again->outbox_sent, 0u);

  sc::Result<sc::SyncResult> received = sc::Status(sc::ErrorCode::kUnavailable, "not yet");
  while (std::chrono::steady_clock::now() < deadline) {
    received = therapist->Sync();
    if (received.ok() || received.status().code() != sc::ErrorCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Time must pass.
  }
  ASSERT_SB_OK(received);
  EXPECT_EQ(received->new_items.size(), 2u) << DescribeHistory(received->new_items);
  auto t_history = therapist->History("Offline");
  ASSERT_SB_OK(t_history);
  EXPECT_EQ(t_history->size(), 2u) << DescribeHistory(*t_history);
  EXPECT_EQ(CountId(*t_history, id), 1u);
  EXPECT_EQ(CountInvalid(*t_history), 0u);
  ASSERT_SB_OK(client->Sync());
  history = client->History("Dr. Down");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->size(), 2u) << DescribeHistory(*history);
  for (const auto& item : *history) {
    EXPECT_EQ(item.state, sc::DeliveryState::kDelivered) << DescribeHistory(*history);
  }
}

}  // namespace
}  // namespace securebase::e2e
