// Finding 12 of the hardening issue: a send that reused a message id with
// different content was answered OK and silently dropped, so the sender
// believed a message was delivered that no one would ever read. A retry
// (the same envelopes) still gets the first answer; a different message under
// the same id is FAILED_PRECONDITION and stores nothing.
#include <gtest/gtest.h>

#include <vector>

#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

class MessageIdReuseTest : public ServerSuite<MessageIdReuseTest> {};

TEST_F(MessageIdReuseTest, ARetryGetsTheFirstAnswerAndADifferentMessageIsRefused) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest first = c->MakeSend(*t, "first message");
  v1::SendResponse answer;
  ASSERT_GRPC_OK(c->SendRequest(first, 0, &answer));

  v1::SendResponse again;
  ASSERT_GRPC_OK(c->SendRequest(first, 0, &again));
  EXPECT_EQ(again.server_timestamp_unix_ms(), answer.server_timestamp_unix_ms());

  v1::SendRequest other = c->MakeSend(*t, "a different message");
  other.set_client_message_id(first.client_message_id());
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  v1::SendResponse refused;
  grpc::Status status = c->SendRequest(other, 0, &refused);
  EXPECT_GRPC_CODE(status, StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("client_message_id"), std::string::npos)
      << status.error_message();
  EXPECT_TRUE(Unchanged(before));

  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("first message", t->address(0)));
}

TEST_F(MessageIdReuseTest, AReusedIdIsRefusedEvenWhenTheDeviceSetChanged) {
  // The retry path that answers from the idempotency record when the
  // sender's device view is stale must check the content too.
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest first = c->MakeSend(*t, "before the new device");
  ASSERT_GRPC_OK(c->SendRequest(first));
  ASSERT_GRPC_OK(t->AddDevice(0));
  v1::SendResponse retry;
  EXPECT_GRPC_OK(c->SendRequest(first, 0, &retry)) << "a true retry keeps its first answer";
  v1::SendRequest other = first;
  other.mutable_ciphertexts(0)->set_ciphertext("tampered");
  EXPECT_GRPC_CODE(c->SendRequest(other), StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace securebase::integration
