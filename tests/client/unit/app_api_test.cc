// What the library offers apps that stay running (client.h), on the fake
// server: a second Client on one home without a second Argon2id unwrap, Watch
// reporting receipts, profile changes and "subscription up", conversation
// summaries (unread, last activity), history by range, the therapist's own
// notice, and VaultExists.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/client/unit/fake_server_fixture.h"

namespace securebase::client::testing {
namespace {

// Runs Watch on its own thread with its own Client and records what it
// reports; the test waits for what it expects.
class Watcher {
 public:
  explicit Watcher(std::unique_ptr<Client> client) : client_(std::move(client)) {
    thread_ = std::thread([this] {
      WatchCallbacks callbacks;
      callbacks.on_item = [this](const HistoryItem& item) {
        Note([&] { items_.push_back(item); });
      };
      callbacks.on_delivery = [this](const DeliveryUpdate& update) {
        Note([&] { deliveries_.push_back(update); });
      };
      callbacks.on_contact_changed = [this](const std::string& user_id) {
        Note([&] { changed_.push_back(user_id); });
      };
      callbacks.on_live = [this] { Note([&] { ++live_; }); };
      Status status = client_->Watch(callbacks, stop_);
      Note([&] {
        ended_ = true;
        status_ = status;
      });
    });
  }
  ~Watcher() { Stop().IgnoreError(); }  // Tests that care call Stop() themselves.

  Status Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  // Waits up to 5 s for `ready` (evaluated under the lock).
  bool WaitFor(const std::function<bool()>& ready) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return ready() || ended_; }) &&
           ready();
  }
  // Read under mu_ (WaitFor's predicates run under it).
  std::mutex mu_;
  int live_ = 0;
  std::vector<HistoryItem> items_;
  std::vector<DeliveryUpdate> deliveries_;
  std::vector<std::string> changed_;

 private:
  void Note(const std::function<void()>& change) {
    std::lock_guard<std::mutex> lock(mu_);
    change();
    changed_cv_.notify_all();
  }

  std::unique_ptr<Client> client_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::condition_variable changed_cv_;
  bool ended_ = false;
  Status status_ = Status::Ok();
};

bool HasDelivery(const std::vector<DeliveryUpdate>& updates, const std::string& id,
                 DeliveryState state) {
  for (const DeliveryUpdate& update : updates) {
    if (update.state != state) continue;
    for (const std::string& named : update.message_ids) {
      if (named == id) return true;
    }
  }
  return false;
}

class AppApiTest : public LinkedPairTest {
 protected:
  // Per-call by default, as an app with a worker and a live thread on one
  // home; exclusive where only speed matters.
  void SetUpPair(VaultAccess access = VaultAccess::kPerCall) {
    LinkedPairTest::SetUpPair([access](ClientOptions& o) { o.vault_access = access; });
  }
};

TEST_F(AppApiTest, OpenAnotherSharesTheUnwrappedKeyAndSeesTheSameVault) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  // The key file is made unreadable garbage: a second Open() could not
  // unwrap it, so OpenAnother must not try.
  const std::string key_file = temp_.path() + "/C/vault.key";
  std::string original;
  {
    std::ifstream in(key_file, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  { std::ofstream(key_file, std::ios::binary | std::ios::trunc) << "not a wrapped key"; }
  auto second = client_->OpenAnother();
  { std::ofstream(key_file, std::ios::binary | std::ios::trunc) << original; }
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ((*second)->user_id(), client_->user_id());
  EXPECT_EQ((*second)->display_name(), "C");

  // What one writes, the other reads.
  auto sent = (*second)->SendText("T", "from the second client");
  ASSERT_TRUE(sent.ok()) << Describe(sent);
  auto history = client_->History("T");
  ASSERT_TRUE(history.ok()) << Describe(history);
  ASSERT_FALSE(history->empty());
  EXPECT_EQ(history->back().message_id, *sent);
  // Either may go first.
  client_.reset();
  EXPECT_TRUE((*second)->SendText("T", "still works").ok());
}

TEST_F(AppApiTest, OpenAnotherRefusesAnExclusiveClient) {
  auto therapist = Create(Role::kTherapist, "T");  // The fixture's default: kExclusive.
  ASSERT_TRUE(therapist);
  auto second = therapist->OpenAnother();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kFailedPrecondition) << Describe(second);
}

TEST_F(AppApiTest, WatchReportsLiveReceiptsAndProfileChanges) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  auto live_client = client_->OpenAnother();
  ASSERT_TRUE(live_client.ok()) << Describe(live_client);
  Watcher watcher(std::move(live_client).value());
  ASSERT_TRUE(watcher.WaitFor([&] { return watcher.live_ > 0; })) << "never reported live";

  // Receipts: delivered when the therapist syncs, read when it marks read.
  auto sent = client_->SendText("T", "a message");
  ASSERT_TRUE(sent.ok()) << Describe(sent);
  ASSERT_TRUE(therapist_->Sync().ok());
  EXPECT_TRUE(watcher.WaitFor(
      [&] { return HasDelivery(watcher.deliveries_, *sent, DeliveryState::kDelivered); }));
  ASSERT_TRUE(therapist_->MarkRead("C").ok());
  EXPECT_TRUE(watcher.WaitFor(
      [&] { return HasDelivery(watcher.deliveries_, *sent, DeliveryState::kRead); }));
  {
    std::lock_guard<std::mutex> lock(watcher.mu_);
    for (const DeliveryUpdate& update : watcher.deliveries_) {
      EXPECT_EQ(update.peer_user_id, therapist_->user_id());
    }
  }

  // The therapist's notice changes the contact and arrives as an item.
  Availability notice{"Mon-Thu 9-17", "Not for emergencies: call 112."};
  ASSERT_TRUE(therapist_->SetAvailability(notice).ok());
  EXPECT_TRUE(watcher.WaitFor([&] {
    return std::find(watcher.changed_.begin(), watcher.changed_.end(), therapist_->user_id()) !=
           watcher.changed_.end();
  }));
  EXPECT_TRUE(watcher.WaitFor([&] {
    return !watcher.items_.empty() &&
           std::holds_alternative<Availability>(watcher.items_.back().content);
  }));
  auto contact = client_->FindContact("T");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact->availability.has_value());
  EXPECT_EQ(contact->availability->text, notice.text);
  EXPECT_TRUE(watcher.Stop().ok());
}

TEST_F(AppApiTest, WatchReportsLiveAgainAfterTheServerComesBack) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  auto live_client = client_->OpenAnother();
  ASSERT_TRUE(live_client.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> lives{0};
  std::atomic<int> offline{0};
  WatchCallbacks callbacks;
  callbacks.on_live = [&] { ++lives; };
  callbacks.on_offline = [&](const std::string&) { ++offline; };
  std::thread watching([&] { EXPECT_TRUE((*live_client)->Watch(callbacks, stop).ok()); });
  for (int i = 0; i < 500 && lives == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(lives, 1);
  // The stream ends: Watch reports offline and keeps trying (it does not
  // return).
  server_.SetReachable(false);
  for (int i = 0; i < 500 && offline == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(offline, 1) << "the app is told the server cannot be reached";
  EXPECT_EQ(lives, 1);
  server_.SetReachable(true);
  // Back within the first backoff pauses (at most a few seconds).
  for (int i = 0; i < 1000 && lives < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(lives, 2);
  stop = true;
  watching.join();
}

TEST_F(AppApiTest, SyncReportsReceiptsAndChangedContacts) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  auto sent = client_->SendText("T", "hello");
  ASSERT_TRUE(sent.ok());
  ASSERT_TRUE(therapist_->Sync().ok());
  ASSERT_TRUE(therapist_->SetAvailability({"Tuesdays", ""}).ok());
  auto synced = client_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_TRUE(HasDelivery(synced->delivery_updates, *sent, DeliveryState::kDelivered));
  ASSERT_FALSE(synced->changed_contacts.empty());
  EXPECT_EQ(synced->changed_contacts.back(), therapist_->user_id());
}

TEST_F(AppApiTest, SummariesCountUnreadBackToTheLastReadItem) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client_->SendText("T", "m" + std::to_string(i)).ok());
  ASSERT_TRUE(therapist_->Sync().ok());
  auto summaries = therapist_->ConversationSummaries();
  ASSERT_TRUE(summaries.ok()) << Describe(summaries);
  ASSERT_EQ(summaries->size(), 1u);
  const ConversationSummary& first = summaries->front();
  EXPECT_EQ(first.contact.user_id, client_->user_id());
  EXPECT_EQ(first.contact.display_name, "C");
  EXPECT_EQ(first.unread, 3u);
  EXPECT_FALSE(first.unread_capped);
  EXPECT_EQ(first.items, 3u);
  ASSERT_TRUE(first.last_item.has_value());
  EXPECT_EQ(std::get<TextMessage>(first.last_item->content).body, "m2");

  ASSERT_TRUE(therapist_->MarkRead("C").ok());
  summaries = therapist_->ConversationSummaries();
  ASSERT_TRUE(summaries.ok());
  EXPECT_EQ(summaries->front().unread, 0u);

  // Two more arrive; the therapist's own reply counts as activity, not unread.
  ASSERT_TRUE(client_->SendText("T", "m3").ok());
  ASSERT_TRUE(client_->SendText("T", "m4").ok());
  ASSERT_TRUE(therapist_->Sync().ok());
  clock_.Set(clock_.NowUnixMs() + 1000);
  ASSERT_TRUE(therapist_->SendText("C", "reply").ok());
  summaries = therapist_->ConversationSummaries();
  ASSERT_TRUE(summaries.ok());
  EXPECT_EQ(summaries->front().unread, 2u);
  EXPECT_EQ(summaries->front().items, 6u);
  ASSERT_TRUE(summaries->front().last_item.has_value());
  EXPECT_EQ(summaries->front().last_item->direction, Direction::kOutgoing);
  EXPECT_EQ(summaries->front().last_item->sent_at_unix_ms, clock_.NowUnixMs());

  // The client's side: its own messages are not unread; the reply is.
  auto client_side = client_->ConversationSummaries();
  ASSERT_TRUE(client_side.ok());
  EXPECT_EQ(client_side->front().unread, 0u);
  ASSERT_TRUE(client_->Sync().ok());
  client_side = client_->ConversationSummaries();
  ASSERT_TRUE(client_side.ok());
  EXPECT_EQ(client_side->front().unread, 1u);
}

TEST_F(AppApiTest, SummariesCountUnreadOnlyUpToTheLimit) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair(VaultAccess::kExclusive));
  const uint64_t limit = ConversationSummary::kUnreadCountLimit;
  for (uint64_t i = 0; i < limit + 5; ++i) {
    ASSERT_TRUE(client_->SendText("T", "m" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(therapist_->Sync().ok());
  auto summaries = therapist_->ConversationSummaries();
  ASSERT_TRUE(summaries.ok()) << Describe(summaries);
  EXPECT_EQ(summaries->front().items, limit + 5);
  EXPECT_EQ(summaries->front().unread, limit);
  EXPECT_TRUE(summaries->front().unread_capped);
  ASSERT_TRUE(therapist_->MarkRead("C").ok());
  ASSERT_TRUE(client_->SendText("T", "one more").ok());
  ASSERT_TRUE(therapist_->Sync().ok());
  summaries = therapist_->ConversationSummaries();
  ASSERT_TRUE(summaries.ok());
  EXPECT_EQ(summaries->front().unread, 1u);
  EXPECT_FALSE(summaries->front().unread_capped);
}

TEST_F(AppApiTest, HistoryRangeReadsTheNewestPageAndThePagesBefore) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client_->SendText("T", "m" + std::to_string(i)).ok());
  auto all = client_->History("T");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 10u);

  auto newest = client_->History("T", HistoryRange{.limit = 4});
  ASSERT_TRUE(newest.ok()) << Describe(newest);
  EXPECT_EQ(newest->total, 10u);
  EXPECT_EQ(newest->first_position, 6u);
  ASSERT_EQ(newest->items.size(), 4u);
  std::vector<std::string> ids;
  for (uint64_t before = 10, pages = 0; before > 0; ++pages) {
    auto page = client_->History("T", HistoryRange{.before = before, .limit = 4});
    ASSERT_TRUE(page.ok());
    ASSERT_LT(pages, 3u);
    std::vector<std::string> page_ids;
    for (const HistoryItem& item : page->items) page_ids.push_back(item.message_id);
    ids.insert(ids.begin(), page_ids.begin(), page_ids.end());
    before = page->first_position;
  }
  ASSERT_EQ(ids.size(), 10u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], (*all)[i].message_id);

  // A range past the end is clamped; an empty one is empty.
  auto past = client_->History("T", HistoryRange{.before = 1000, .limit = 2});
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(past->first_position, 8u);
  auto empty = client_->History("T", HistoryRange{.before = 0});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
  auto unknown = client_->History("nobody", HistoryRange{});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
}

TEST_F(AppApiTest, OwnAvailabilityIsWhatWasLastSetAndSurvivesReopening) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  EXPECT_FALSE(therapist_->OwnAvailability().has_value());
  EXPECT_FALSE(client_->OwnAvailability().has_value());
  ASSERT_TRUE(therapist_->SetAvailability({"Mondays", "Call 112"}).ok());
  ASSERT_TRUE(therapist_->SetAvailability({"Mon-Thu 9-17", "Call 112 in an emergency"}).ok());
  ASSERT_TRUE(therapist_->OwnAvailability().has_value());
  EXPECT_EQ(therapist_->OwnAvailability()->text, "Mon-Thu 9-17");
  therapist_.reset();
  auto reopened = Reopen("T", [](ClientOptions& o) { o.vault_access = VaultAccess::kPerCall; });
  ASSERT_TRUE(reopened);
  ASSERT_TRUE(reopened->OwnAvailability().has_value());
  EXPECT_EQ(reopened->OwnAvailability()->emergency_guidance, "Call 112 in an emergency");
}

TEST_F(AppApiTest, VaultExistsOnlyWhereAVaultWasMade) {
  EXPECT_FALSE(VaultExists(temp_.path() + "/nothing-here"));
  std::filesystem::create_directories(temp_.path() + "/empty");
  EXPECT_FALSE(VaultExists(temp_.path() + "/empty"));
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  EXPECT_TRUE(VaultExists(temp_.path() + "/T"));
  // A refused registration leaves no vault behind.
  server_.FailNext(FakeCall::kRegister, Status(ErrorCode::kPermissionDenied, "no"));
  auto refused = Client::Create(Options("R"), kPassphrase, Role::kTherapist, "R");
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(VaultExists(temp_.path() + "/R"));
}

}  // namespace
}  // namespace securebase::client::testing
