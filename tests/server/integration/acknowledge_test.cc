// Acknowledge deletes the caller's envelopes up to a seq, and never one the
// device has not been given.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subscription.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

class AcknowledgeTest : public ServerSuite<AcknowledgeTest> {
 protected:
  // A linked pair with `count` envelopes waiting for the therapist.
  void SetUpMailbox(int count) {
    t_ = NewTherapist();
    c_ = NewClient();
    ASSERT_TRUE(t_ && c_);
    ASSERT_GRPC_OK(LinkAccounts(*t_, *c_));
    for (int i = 0; i < count; ++i) ASSERT_GRPC_OK(c_->Send(*t_, "ack-" + std::to_string(i)));
  }
  std::vector<uint64_t> Seqs() {
    std::vector<v1::Envelope> all;
    EXPECT_GRPC_OK(t_->FetchAll(0, 0, &all));
    std::vector<uint64_t> out;
    for (const auto& e : all) out.push_back(e.seq());
    return out;
  }
  // Restarts the server (which forgets what it gave) and points the shared
  // Api and both accounts at the new process. The old connection is closed
  // first: with one open, gRPC 1.51's shutdown takes ~5 s (see
  // AdminTest.DISABLED_SigtermWithAnIdleConnectionExitsPromptly).
  void RestartServer() {
    t_->set_api(nullptr);
    c_->set_api(nullptr);
    api_.reset();
    ASSERT_TRUE(server_->Restart());
    api_ = std::make_shared<Api>(server_->channel());
    t_->set_api(api_);
    c_->set_api(api_);
  }
  std::unique_ptr<TestAccount> t_;
  std::unique_ptr<TestAccount> c_;
};

TEST_F(AcknowledgeTest, DeletesOnlyUpToTheSeq) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(5));
  v1::FetchResponse page;
  ASSERT_GRPC_OK(t_->Fetch(0, 0, 3, &page));
  ASSERT_EQ(page.envelopes_size(), 3);
  const std::vector<uint64_t> before = Seqs();
  ASSERT_EQ(before.size(), 5u);
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, page.envelopes(1).seq(), &ack));
  EXPECT_EQ(ack.deleted(), 2u);
  EXPECT_EQ(Seqs(), std::vector<uint64_t>(before.begin() + 2, before.end()));
  // Acknowledging the same seq again deletes nothing more.
  ASSERT_GRPC_OK(t_->Acknowledge(0, page.envelopes(1).seq(), &ack));
  EXPECT_EQ(ack.deleted(), 0u);
  EXPECT_EQ(Seqs().size(), 3u);
}

// Asking beyond what was given is not an error (honest clients do it: see
// RestartBetweenFetchAndAcknowledge...), but deletes only what was given
// and says how far that was.
TEST_F(AcknowledgeTest, BeyondWhatWasGivenDeletesOnlyWhatWasGiven) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(3));
  const std::vector<uint64_t> seqs = Seqs();
  ASSERT_EQ(seqs.size(), 3u);
  ASSERT_NO_FATAL_FAILURE(RestartServer());  // Nothing given in the new process yet.
  v1::FetchResponse page;
  ASSERT_GRPC_OK(t_->Fetch(0, 0, 1, &page));  // Only the first is given.
  ASSERT_EQ(page.envelopes_size(), 1);
  const uint64_t given = page.envelopes(0).seq();
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, given + 1000, &ack));
  EXPECT_EQ(ack.deleted(), 1u);
  EXPECT_EQ(ack.acknowledged_after_seq(), 0u);
  EXPECT_EQ(ack.acknowledged_up_to_seq(), given);
  ASSERT_GRPC_OK(t_->Acknowledge(0, given + 1, &ack));
  EXPECT_EQ(ack.deleted(), 0u);
  EXPECT_EQ(Seqs(), std::vector<uint64_t>(seqs.begin() + 1, seqs.end()))
      << "only the envelope that was given is deleted";
}

TEST_F(AcknowledgeTest, NothingGivenYetDeletesNothing) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(2));
  StoreSnapshot snapshot;
  ASSERT_TRUE(Snapshot(&snapshot));
  for (uint64_t up_to : {uint64_t{1}, UINT64_MAX}) {
    v1::AcknowledgeResponse ack;
    ASSERT_GRPC_OK(t_->Acknowledge(0, up_to, &ack));
    EXPECT_EQ(ack.deleted(), 0u);
    EXPECT_EQ(ack.acknowledged_after_seq(), 0u);
    EXPECT_EQ(ack.acknowledged_up_to_seq(), 0u);
  }
  EXPECT_TRUE(Unchanged(snapshot));
}

TEST_F(AcknowledgeTest, BeyondTheLastEnvelopeDeletesEverythingGiven) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(3));
  const std::vector<uint64_t> seqs = Seqs();  // All three are given now.
  ASSERT_EQ(seqs.size(), 3u);
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, seqs.back() + 1, &ack));
  EXPECT_EQ(ack.deleted(), 3u);
  EXPECT_EQ(ack.acknowledged_up_to_seq(), seqs.back());
  EXPECT_TRUE(Seqs().empty());
}

// The honest client of the delivery model (model/delivery): it fetched, the
// server restarted, then it acknowledged. The new process gave nothing, so
// nothing is deleted -- and the answer is OK, not an error the client would
// report as a failed sync. The envelopes come again, and the next
// acknowledgement deletes them.
TEST_F(AcknowledgeTest, RestartBetweenFetchAndAcknowledgeIsNotAnError) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(2));
  v1::FetchResponse page;
  ASSERT_GRPC_OK(t_->Fetch(0, 0, 0, &page));
  ASSERT_EQ(page.envelopes_size(), 2);
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, page.envelopes(1).seq(), &ack));
  EXPECT_EQ(ack.deleted(), 0u);
  EXPECT_EQ(ack.acknowledged_up_to_seq(), 0u);
  v1::FetchResponse again;
  ASSERT_GRPC_OK(t_->Fetch(0, 0, 0, &again));
  ASSERT_EQ(again.envelopes_size(), 2) << "delivered again";
  ASSERT_GRPC_OK(t_->Acknowledge(0, page.envelopes(1).seq(), &ack));
  EXPECT_EQ(ack.deleted(), 2u);
  EXPECT_EQ(ack.acknowledged_up_to_seq(), page.envelopes(1).seq());
}

TEST_F(AcknowledgeTest, EnvelopesGivenBySubscribeCanBeAcknowledged) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(2));
  Subscription sub(*t_, 0, 0);
  ASSERT_TRUE(sub.WaitForCount(2, std::chrono::seconds(10)));
  const uint64_t last = sub.Received().back().seq();
  // A third arrives after: it was given too (live) once received.
  ASSERT_GRPC_OK(c_->Send(*t_, "live"));
  ASSERT_TRUE(sub.WaitForCount(3, std::chrono::seconds(10)));
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, last, &ack));
  EXPECT_EQ(ack.deleted(), 2u);
  ASSERT_GRPC_OK(t_->Acknowledge(0, sub.Received().back().seq(), &ack));
  EXPECT_EQ(ack.deleted(), 1u);
}

TEST_F(AcknowledgeTest, AnEnvelopeArrivingAfterTheFetchSurvives) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(2));
  v1::FetchResponse page;
  ASSERT_GRPC_OK(t_->Fetch(0, 0, 0, &page));
  ASSERT_EQ(page.envelopes_size(), 2);
  ASSERT_GRPC_OK(c_->Send(*t_, "late"));
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, page.envelopes(1).seq(), &ack));
  EXPECT_EQ(ack.deleted(), 2u);
  std::vector<v1::Envelope> left;
  ASSERT_GRPC_OK(t_->FetchAll(0, 0, &left));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].ciphertext(), TargetCiphertext("late", t_->address(0)));
}

// Hardening finding 11: Fetch(after_seq=6, limit=1) returned 7, and then an
// acknowledgement up to 7 deleted 3..7, four envelopes the device was never
// given (a high-water mark, not a range). Only (6, 7] may go.
TEST_F(AcknowledgeTest, AFetchFromTheMiddleLetsOnlyWhatItReturnedBeDeleted) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(7));
  const std::vector<uint64_t> seqs = Seqs();  // Fetching all gives them all...
  ASSERT_EQ(seqs.size(), 7u);
  // ...so start from a fresh server process, where nothing was given yet.
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  v1::FetchResponse page;
  ASSERT_GRPC_OK(t_->Fetch(0, seqs[5], 1, &page));
  ASSERT_EQ(page.envelopes_size(), 1);
  ASSERT_EQ(page.envelopes(0).seq(), seqs[6]);
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, seqs[6], &ack));
  EXPECT_EQ(ack.deleted(), 1u) << "only the envelope that was given";
  v1::FetchResponse left;
  ASSERT_GRPC_OK(t_->Fetch(0, 0, 100, &left));
  ASSERT_EQ(left.envelopes_size(), 6);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(left.envelopes(i).seq(), seqs[i]);
}

// The stream half of finding 11: a stream marked an envelope given when its
// write *started*, so an acknowledgement could delete an envelope still
// stuck in a write the client never read. Now it counts when the write
// completes: the acknowledgement waits for that briefly, then is answered
// with what was given (nothing here), and never deletes the envelope.
TEST_F(AcknowledgeTest, AnEnvelopeInAWriteTheClientNeverReadIsNotDeleted) {
  ASSERT_NO_FATAL_FAILURE(SetUpMailbox(0));
  // One envelope larger than a fresh stream's flow-control window (64 KiB):
  // its write cannot complete while the client reads nothing.
  v1::SendRequest send = c_->MakeSend(*t_, "");
  send.mutable_ciphertexts(0)->set_ciphertext(std::string(200 * 1024, 'b'));
  ASSERT_GRPC_OK(c_->SendRequest(send));
  // A connection without BDP probing keeps the 64 KiB initial window.
  grpc::ChannelArguments args = TestChannelArguments();
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  auto slow = v1::Messages::NewStub(
      grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args));
  auto context = t_->Context(0);
  auto stalled = slow->Subscribe(context.get(), v1::SubscribeRequest());
  stalled->WaitForInitialMetadata();  // Registered; its write has started.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  // The seq the stream is writing (the mailbox's only envelope) is 1 for a
  // fresh account; the client could not know it without reading it.
  v1::AcknowledgeResponse response;
  const auto asked = std::chrono::steady_clock::now();
  ASSERT_GRPC_OK(t_->Acknowledge(0, 1, &response));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5))
      << "an acknowledgement waits for a stream write only briefly";
  EXPECT_EQ(response.deleted(), 0u) << "deleted an envelope never read";
  EXPECT_EQ(response.acknowledged_up_to_seq(), 0u);
  context->TryCancel();
  stalled->Finish().IgnoreError();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(Unchanged(before)) << "the acknowledgement deleted an envelope that was not given";
  EXPECT_EQ(Seqs().size(), 1u);
}

}  // namespace
}  // namespace securebase::integration
