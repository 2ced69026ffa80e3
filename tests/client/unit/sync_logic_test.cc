// The client's receive logic (client/src/receiver.cc, syncer.cc) on the fake
// server: pages, the cursor and acknowledgements, receipts committed with the
// page, the crash points, forged and replayed envelopes, and the injected
// clock and randomness.
#include <gtest/gtest.h>

#include "securebase/crypto/encoding.h"
#include "tests/client/unit/fake_server_fixture.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::client::testing {
namespace {

class SyncLogicTest : public LinkedPairTest {
 protected:
  std::vector<std::string> SendTexts(int n, const std::string& prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      auto id = client_->SendText("T", prefix + std::to_string(i));
      EXPECT_TRUE(id.ok()) << Describe(id);
      if (id.ok()) ids.push_back(*id);
    }
    return ids;
  }

  size_t TherapistMailbox() { return server_.Mailbox(Raw(therapist_->user_id()), 1).size(); }
};

size_t CountTexts(const std::vector<HistoryItem>& items) {
  size_t n = 0;
  for (const HistoryItem& item : items) n += std::holds_alternative<TextMessage>(item.content);
  return n;
}

TEST_F(SyncLogicTest, PagesAreCommittedAcknowledgedAndShownOnce) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  server_.set_page_limit(40);
  std::vector<std::string> ids = SendTexts(100, "m");  // Three pages.
  const int fetches_before = server_.calls(FakeCall::kFetch);
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(synced->envelopes, 100u);
  EXPECT_GE(server_.calls(FakeCall::kFetch) - fetches_before, 3);
  ASSERT_EQ(synced->new_items.size(), 100u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(synced->new_items[i].message_id, ids[i]);
  EXPECT_EQ(TherapistMailbox(), 0u) << "every page acknowledged";
  auto again = therapist_->Sync();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->new_items.empty());
}

TEST_F(SyncLogicTest, DeliveredAndReadReceiptsMoveTheSendersStates) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  std::vector<std::string> ids = SendTexts(3, "r");
  ASSERT_TRUE(therapist_->Sync().ok());
  ASSERT_TRUE(client_->Sync().ok());
  auto history = client_->History("T");
  ASSERT_TRUE(history.ok());
  for (const HistoryItem& item : *history) {
    EXPECT_EQ(item.state, DeliveryState::kDelivered) << item.message_id;
  }
  ASSERT_TRUE(therapist_->MarkRead("C").ok());
  ASSERT_TRUE(client_->Sync().ok());
  history = client_->History("T");
  ASSERT_TRUE(history.ok());
  for (const HistoryItem& item : *history) EXPECT_EQ(item.state, DeliveryState::kRead);
  // The therapist's incoming items are read, and nothing was sent twice.
  auto theirs = therapist_->History("C");
  ASSERT_TRUE(theirs.ok());
  for (const HistoryItem& item : *theirs) EXPECT_EQ(item.state, DeliveryState::kRead);
}

// The receipts a page owes are outbox entries of the page's own commit: when
// the send of a receipt fails, the next sync still sends it (nothing lost).
TEST_F(SyncLogicTest, ReceiptThatCouldNotBeSentGoesOutWithTheNextSync) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  std::vector<std::string> ids = SendTexts(2, "x");
  server_.FailNext(FakeCall::kSend, Status(ErrorCode::kUnavailable, "down for a moment"));
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(CountTexts(synced->new_items), 2u);
  ASSERT_TRUE(client_->Sync().ok());
  auto history = client_->History("T");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().state, DeliveryState::kSent) << "the receipt did not arrive yet";
  auto next = therapist_->Sync();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->outbox_sent, 1u);
  ASSERT_TRUE(client_->Sync().ok());
  history = client_->History("T");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().state, DeliveryState::kDelivered);
}

// A failure after decrypting, before the commit: nothing of the page is kept
// (neither items nor advanced sessions), the page stays unacknowledged, and
// the next sync decrypts all of it.
TEST_F(SyncLogicTest, FailureBeforeTheCommitKeepsNothingAndTheRetryDecryptsAll) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  SendTexts(5, "c");
  faults_.Set([](FaultPoint p) { return p == FaultPoint::kAfterDecryptBeforeCommit; });
  EXPECT_FALSE(therapist_->Sync().ok());
  faults_.Set(nullptr);
  auto history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(CountTexts(*history), 0u);
  EXPECT_EQ(TherapistMailbox(), 5u);
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(CountTexts(synced->new_items), 5u);
  for (const HistoryItem& item : synced->new_items) {
    EXPECT_FALSE(std::holds_alternative<InvalidContent>(item.content));
  }
}

// A failure after the commit, before the acknowledgement: the page is in the
// vault; the server hands it out again; the client skips it (cursor) and
// acknowledges it, showing nothing twice.
TEST_F(SyncLogicTest, FailureBeforeTheAcknowledgementShowsNothingTwice) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  SendTexts(4, "a");
  faults_.Set([](FaultPoint p) { return p == FaultPoint::kAfterCommitBeforeAcknowledge; });
  EXPECT_FALSE(therapist_->Sync().ok());
  faults_.Set(nullptr);
  auto history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(CountTexts(*history), 4u);
  EXPECT_EQ(TherapistMailbox(), 4u) << "not acknowledged";
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_TRUE(synced->new_items.empty());
  EXPECT_EQ(TherapistMailbox(), 0u);
  history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(CountTexts(*history), 4u);
}

// The Sync pipeline (syncer.h) fetches, decrypts and acknowledges pages on
// three threads. A failed acknowledgement in the middle stops it: the sync
// reports the failure, nothing it processed is lost or acknowledged beyond
// what was committed, and the next sync shows every message exactly once,
// in order; the sender learns every message was delivered.
TEST_F(SyncLogicTest, FailedAcknowledgementStopsThePipelineAndLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  server_.set_page_limit(10);
  std::vector<std::string> ids = SendTexts(45, "p");  // Five pages.
  server_.FailNext(FakeCall::kAcknowledge, Status(ErrorCode::kUnavailable, "went away"));
  auto failed = therapist_->Sync();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kUnavailable) << Describe(failed);
  EXPECT_EQ(TherapistMailbox(), 45u) << "the first acknowledgement failed: none went through";

  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(TherapistMailbox(), 0u);
  auto history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  std::vector<std::string> seen;
  for (const HistoryItem& item : *history) {
    EXPECT_FALSE(std::holds_alternative<InvalidContent>(item.content)) << item.message_id;
    seen.push_back(item.message_id);
  }
  EXPECT_EQ(seen, ids) << "every message once, in order";

  ASSERT_TRUE(therapist_->Sync().ok());  // Receipts left in the outbox, if any.
  ASSERT_TRUE(client_->Sync().ok());
  auto theirs = client_->History("T");
  ASSERT_TRUE(theirs.ok());
  for (const HistoryItem& item : *theirs) {
    EXPECT_EQ(item.state, DeliveryState::kDelivered) << item.message_id;
  }
}

// The server goes away while the first page is decrypted (the next page's
// fetch may be under way, or done): what was committed is kept, the sync
// reports kUnavailable, and the next sync brings the rest, each message
// once.
TEST_F(SyncLogicTest, ServerGoneMidPipelineKeepsWhatWasCommitted) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  server_.set_page_limit(10);
  std::vector<std::string> ids = SendTexts(35, "f");
  faults_.Set([&](FaultPoint point) {
    if (point == FaultPoint::kAfterDecryptBeforeCommit) server_.SetReachable(false);
    return false;
  });
  auto failed = therapist_->Sync();
  faults_.Set(nullptr);
  server_.SetReachable(true);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kUnavailable) << Describe(failed);
  auto history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  const size_t kept = CountTexts(*history);
  EXPECT_GE(kept, 10u) << "the first page was committed";
  EXPECT_EQ(TherapistMailbox(), 35u) << "no acknowledgement got through";

  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(TherapistMailbox(), 0u);
  history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  std::vector<std::string> seen;
  for (const HistoryItem& item : *history) seen.push_back(item.message_id);
  EXPECT_EQ(seen, ids);
}

// A server that fabricates an envelope (garbage "from" the client) and one
// that replays a delivered envelope under a new sequence number: the garbage
// is kept as an item saying it could not be decrypted; the replay is not
// shown again; the session keeps working.
TEST_F(SyncLogicTest, ForgedAndReplayedEnvelopes) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  SendTexts(1, "original");
  const std::vector<Envelope> waiting = server_.Mailbox(Raw(therapist_->user_id()), 1);
  ASSERT_EQ(waiting.size(), 1u);
  ASSERT_TRUE(therapist_->Sync().ok());
  server_.Inject(Raw(therapist_->user_id()), 1, waiting[0].sender, waiting[0].ciphertext);
  server_.Inject(Raw(therapist_->user_id()), 1, waiting[0].sender, std::string(200, '\x01'));
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  ASSERT_EQ(synced->new_items.size(), 1u);
  const auto* invalid = std::get_if<InvalidContent>(&synced->new_items[0].content);
  ASSERT_NE(invalid, nullptr);
  EXPECT_NE(invalid->reason.find("could not be decrypted"), std::string::npos) << invalid->reason;
  SendTexts(1, "later");
  auto later = therapist_->Sync();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(CountTexts(later->new_items), 1u);
}

// A lying or broken server lists a link whose identity key does not parse:
// the sync refuses the answer as the server's fault (not a library bug),
// and changes nothing.
TEST_F(SyncLogicTest, AMalformedLinkIsAnInvalidServerResponseAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  auto before = therapist_->Contacts();
  ASSERT_TRUE(before.ok());
  server_.SetIdentityKey(Raw(client_->user_id()), "not a key");
  auto synced = therapist_->Sync();
  ASSERT_FALSE(synced.ok());
  EXPECT_EQ(synced.status().code(), ErrorCode::kInvalidServerResponse) << Describe(synced);
  auto after = therapist_->Contacts();
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].user_id, (*before)[i].user_id);
    EXPECT_EQ((*after)[i].linked, (*before)[i].linked);
  }
}

// Envelopes "from" someone who is no contact are discarded with a warning.
// They are no reason to ask the server for its link list: that list never
// makes a contact (only an invite does).
TEST_F(SyncLogicTest, EnvelopeFromAStrangerIsDiscardedWithAWarning) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  BarePeer stranger(server_, Role::kClient);
  server_.Inject(Raw(therapist_->user_id()), 1, ServerDevice{stranger.user_id(), 1}, "junk");
  const int links_before = server_.calls(FakeCall::kListLinks);
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_TRUE(synced->new_items.empty());
  ASSERT_EQ(synced->warnings.size(), 1u);
  EXPECT_NE(synced->warnings[0].find("not a contact"), std::string::npos);
  EXPECT_EQ(server_.calls(FakeCall::kListLinks) - links_before, 1)
      << "one refresh at the start, none for the unknown sender";
  EXPECT_EQ(TherapistMailbox(), 0u);
}

// The server's link list no longer makes a therapist's new client a contact
// before its introduction arrives, so a notice the therapist sets between
// the invite and that moment reaches nobody by itself: the client gets the
// current one when it is admitted, and only when its invite carried another
// (no second copy of the notice it already has).
size_t CountNotices(const std::vector<HistoryItem>& items) {
  size_t n = 0;
  for (const HistoryItem& item : items) n += std::holds_alternative<Availability>(item.content);
  return n;
}

TEST_F(SyncLogicTest, ANewClientGetsANoticeSetAfterItsInviteAndNoCopyOfTheOneItCarried) {
  therapist_ = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist_);
  ASSERT_TRUE(therapist_->SetAvailability({"Mondays", "Call 112"}).ok());
  client_ = Create(Role::kClient, "C");
  ASSERT_TRUE(client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));  // The invite carried "Mondays".
  auto early = therapist_->History(client_->user_id());
  ASSERT_TRUE(early.ok()) << Describe(early);
  EXPECT_EQ(CountNotices(*early), 0u) << "the notice the invite carried was sent again";

  auto code = therapist_->CreateInvite(std::chrono::hours(1));
  ASSERT_TRUE(code.ok()) << Describe(code);
  ASSERT_TRUE(therapist_->SetAvailability({"Tuesdays", "Call 112"}).ok());
  auto late = Create(Role::kClient, "L");
  ASSERT_TRUE(late);
  ASSERT_TRUE(late->AcceptInvite(*code).ok());
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  auto sent = therapist_->History(late->user_id());
  ASSERT_TRUE(sent.ok()) << Describe(sent);
  ASSERT_EQ(CountNotices(*sent), 1u);
  for (const HistoryItem& item : *sent) {
    if (!std::holds_alternative<Availability>(item.content)) continue;
    EXPECT_EQ(item.direction, Direction::kOutgoing);
    EXPECT_NE(item.state, DeliveryState::kQueued) << "still queued after the sync";
  }
  ASSERT_TRUE(late->Sync().ok());
  auto therapist = late->FindContact(therapist_->user_id());
  ASSERT_TRUE(therapist.ok()) << Describe(therapist);
  ASSERT_TRUE(therapist->availability.has_value());
  EXPECT_EQ(therapist->availability->text, "Tuesdays");
}

TEST_F(SyncLogicTest, TheInjectedClockDatesSendingAndReceiving) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  clock_.Set(1'900'000'000'123);
  ASSERT_TRUE(client_->SendText("T", "dated").ok());
  clock_.Set(1'900'000'555'000);
  auto synced = therapist_->Sync();
  ASSERT_TRUE(synced.ok());
  ASSERT_EQ(synced->new_items.size(), 1u);
  EXPECT_EQ(synced->new_items[0].sent_at_unix_ms, 1'900'000'000'123);
  EXPECT_EQ(synced->new_items[0].received_at_unix_ms, 1'900'000'555'000);
}

// The same seeds give the same message ids: every random choice of the
// library comes from the injected source.
TEST_F(SyncLogicTest, TheInjectedRandomnessIsTheOnlySource) {
  std::vector<std::string> ids;
  for (int run = 0; run < 2; ++run) {
    securebase::testing::DeterministicRandom therapist_random(1), client_random(2);
    FakeServer server;  // A fresh server for each run.
    auto options = [&](const std::string& name, crypto::RandomSource& rng) {
      ClientOptions o = Options(name + std::to_string(run));
      connections_.push_back(server.Connect());
      o.server_api = connections_.back().get();
      o.random = &rng;
      return o;
    };
    auto therapist =
        Client::Create(options("T", therapist_random), kPassphrase, Role::kTherapist, "T").value();
    auto client =
        Client::Create(options("C", client_random), kPassphrase, Role::kClient, "C").value();
    ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
    auto id = client->SendText("T", "same id twice");
    ASSERT_TRUE(id.ok()) << Describe(id);
    ids.push_back(*id);
  }
  EXPECT_EQ(ids[0], ids[1]);
}

}  // namespace
}  // namespace securebase::client::testing
