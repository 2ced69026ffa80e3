// Hardening finding 5 without a full disk: quotas per mailbox and per
// account, and sends that would store nothing. (The disk itself:
// disk_full_test.cc.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

constexpr size_t kKiB = 1024;

class QuotaTest : public ServerSuite<QuotaTest> {
 public:
  static ServerOptions Options() {
    return WithFlags(
        {"--max-mailbox-envelopes=5", "--max-mailbox-mb=1", "--max-account-mb-per-day=2"});
  }

 protected:
  void SetUp() override {
    ServerSuite::SetUp();
    t_ = NewTherapist();
    c_ = NewClient();
    ASSERT_TRUE(t_ && c_);
    ASSERT_GRPC_OK(LinkAccounts(*t_, *c_));
  }
  grpc::Status SendOfSize(TestAccount& from, TestAccount& to, size_t bytes,
                          v1::SendRequest* sent = nullptr) {
    v1::SendRequest request = from.MakeSend(to, "");
    request.mutable_ciphertexts(0)->set_ciphertext(RandomBytes(bytes));
    if (sent != nullptr) *sent = request;
    return from.SendRequest(request);
  }
  std::unique_ptr<TestAccount> t_;
  std::unique_ptr<TestAccount> c_;
};

// A device that never fetches cannot be made to hold more than its quota;
// its acknowledgements make room again.
TEST_F(QuotaTest, AFullMailboxRefusesSendsUntilItIsAcknowledged) {
  for (int i = 0; i < 5; ++i) ASSERT_GRPC_OK(c_->Send(*t_, "m" + std::to_string(i))) << i;
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  grpc::Status refused = c_->Send(*t_, "one too many");
  EXPECT_GRPC_CODE(refused, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("mailbox is full"), std::string::npos)
      << refused.error_message();
  EXPECT_TRUE(Unchanged(before)) << "a refused send stored something";
  std::vector<v1::Envelope> waiting;
  ASSERT_GRPC_OK(t_->FetchAll(0, 0, &waiting));
  ASSERT_EQ(waiting.size(), 5u);
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t_->Acknowledge(0, waiting[1].seq(), &ack));
  EXPECT_GRPC_OK(c_->Send(*t_, "room again"));
  EXPECT_GRPC_OK(c_->Send(*t_, "and again"));
  EXPECT_GRPC_CODE(c_->Send(*t_, "full again"), StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(QuotaTest, AMailboxHoldsAtMostItsBytes) {
  for (int i = 0; i < 4; ++i) ASSERT_GRPC_OK(SendOfSize(*c_, *t_, 250 * kKiB)) << i;
  EXPECT_GRPC_CODE(SendOfSize(*c_, *t_, 250 * kKiB), StatusCode::RESOURCE_EXHAUSTED)
      << "1.25 MiB in a mailbox of 1 MiB";
  EXPECT_GRPC_OK(SendOfSize(*c_, *t_, 20 * kKiB)) << "what still fits is stored";
}

// One account's sends store at most --max-account-mb-per-day a day, spread
// over any number of mailboxes. Others are not affected, and a retry of a
// send that was stored still gets its answer.
TEST_F(QuotaTest, AnAccountsDailyVolumeIsBounded) {
  std::vector<std::unique_ptr<TestAccount>> peers;
  v1::SendRequest stored;
  int sent = 0;
  grpc::Status last;
  for (int i = 0; i < 12 && last.ok(); ++i) {
    peers.push_back(NewClient());
    ASSERT_TRUE(peers.back());
    ASSERT_GRPC_OK(LinkAccounts(*t_, *peers.back()));
    v1::SendRequest request;
    last = SendOfSize(*t_, *peers.back(), 250 * kKiB, &request);
    if (last.ok()) {
      ++sent;
      stored = request;
    }
  }
  EXPECT_EQ(sent, 8) << "2 MiB a day: eight sends of 250 KiB, not a ninth";
  EXPECT_GRPC_CODE(last, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(last.error_message().find("daily"), std::string::npos) << last.error_message();
  EXPECT_GRPC_OK(t_->SendRequest(stored)) << "a retry of a stored send gets its first answer";
  EXPECT_GRPC_OK(c_->Send(*t_, "another account sends as usual"));
}

// A send with no ciphertext stored nothing but an idempotency record: a free
// way to grow the store.
TEST_F(QuotaTest, ASendWithoutCiphertextsIsRefused) {
  v1::SendRequest empty;
  empty.set_recipient_user_id(c_->user_id());  // Itself: no other devices.
  empty.set_client_message_id(RandomBytes(16));
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(c_->SendRequest(empty), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Unchanged(before));
}

}  // namespace
}  // namespace securebase::integration
