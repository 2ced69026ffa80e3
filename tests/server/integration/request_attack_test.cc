// Unauthenticated requests that cost the server more than they cost the
// caller (hardening findings 1 and 13).
//
// Finding 1: a 31 KiB gzip frame inflated to a 31 MiB RegisterRequest, and
// every method accepted 32 MiB. Now compressed requests are refused before
// they are inflated and every method has its own size limit (a few KiB for
// all but Send), checked before the body is parsed.
// Finding 13: a malformed body got UNIMPLEMENTED with an empty message; and a
// call cancelled while it waited for a thread still ran its handler.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subprocess.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

// A unary call with a raw body, as an attacker sends it.
grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& body) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

class RequestAttackTest : public ServerSuite<RequestAttackTest> {};

TEST_F(RequestAttackTest, ACompressedRequestIsRefusedBeforeItIsInflated) {
  // 24 MiB of zeros compress to about 24 KiB.
  v1::RegisterRequest bomb;
  bomb.set_role(v1::ROLE_CLIENT);
  bomb.set_identity_key(std::string(24 << 20, '\0'));
  const int64_t peak_before = ProcessMemoryKib(server_->pid(), MemoryFigure::kPeakResident);
  std::vector<std::thread> threads;
  std::vector<grpc::Status> answers(6);
  for (size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      auto context = MakeContext();
      context->set_compression_algorithm(GRPC_COMPRESS_GZIP);
      v1::RegisterResponse response;
      answers[i] = api_->accounts->Register(context.get(), bomb, &response);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& status : answers) {
    // INVALID_ARGUMENT would mean the 24 MiB body was inflated and parsed.
    EXPECT_EQ(status.error_code(), StatusCode::UNIMPLEMENTED) << StatusString(status);
  }
  const int64_t growth =
      ProcessMemoryKib(server_->pid(), MemoryFigure::kPeakResident) - peak_before;
  EXPECT_LT(growth, 48 * 1024) << "peak RSS grew by " << growth << " KiB";
  // Uncompressed calls still work.
  auto c = NewClient();
  EXPECT_TRUE(c);
}

TEST_F(RequestAttackTest, EveryMethodButSendRefusesALargeBodyBeforeParsingIt) {
  // Valid protobuf (a 64 KiB user id), far above GetChallenge's limit:
  // refused by size, not by the user id check after parsing.
  v1::GetChallengeRequest challenge;
  challenge.set_user_id(std::string(64 * 1024, 'u'));
  challenge.set_device_id(1);
  v1::GetChallengeResponse response;
  grpc::Status status = api_->accounts->GetChallenge(MakeContext().get(), challenge, &response);
  EXPECT_GRPC_CODE(status, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("limit for Accounts.GetChallenge"), std::string::npos)
      << status.error_message();

  v1::RegisterRequest big;
  big.set_role(v1::ROLE_CLIENT);
  big.set_identity_key(std::string(1 << 20, 'k'));
  v1::RegisterResponse registered;
  status = api_->accounts->Register(MakeContext().get(), big, &registered);
  EXPECT_GRPC_CODE(status, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("Accounts.Register"), std::string::npos)
      << status.error_message();

  // An authenticated method too: a 100 KiB Fetch.
  auto c = NewClient();
  ASSERT_TRUE(c);
  v1::FetchRequest fetch;
  fetch.set_after_seq(0);
  std::string body = fetch.SerializeAsString() + std::string("\x7a\x80\x20", 3) +
                     std::string(4096, 'x');  // Unknown field 15, 4 KiB.
  status = RawCall(api_->channel, "/securebase.v1.Messages/Fetch", body);
  EXPECT_GRPC_CODE(status, StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(RequestAttackTest, AMalformedBodyGetsInvalidArgumentWithAMessage) {
  for (const char* method :
       {"/securebase.v1.Accounts/GetChallenge", "/securebase.v1.Accounts/Register",
        "/securebase.v1.Messages/Send", "/securebase.v1.Links/RedeemInvite"}) {
    grpc::Status status = RawCall(api_->channel, method, std::string("\xff\xff\xff\xff", 4));
    EXPECT_GRPC_CODE(status, StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_NE(status.error_message().find("securebase.v1."), std::string::npos)
        << method << ": " << status.error_message();
  }
}

// Finding 13: NOT_FOUND for unknown users and devices, PERMISSION_DENIED for
// known but unlinked ones, told anyone who exists.
TEST_F(RequestAttackTest, UnknownAndUnlinkedUsersGetTheSameAnswer) {
  auto c = NewClient();
  auto stranger = NewTherapist();
  ASSERT_TRUE(c && stranger);
  const std::string unknown = RandomBytes(16);
  // Send.
  v1::SendRequest to_stranger = c->MakeSend(*stranger, "hello");
  v1::SendRequest to_unknown = to_stranger;
  to_unknown.set_recipient_user_id(unknown);
  to_unknown.mutable_ciphertexts(0)->mutable_recipient()->set_user_id(unknown);
  grpc::Status a = c->SendRequest(to_stranger);
  grpc::Status b = c->SendRequest(to_unknown);
  EXPECT_EQ(a.error_code(), b.error_code()) << StatusString(a) << " vs " << StatusString(b);
  EXPECT_EQ(a.error_message(), b.error_message());
  EXPECT_EQ(a.error_code(), StatusCode::PERMISSION_DENIED);
  // GetPreKeyBundles.
  v1::GetPreKeyBundlesResponse bundles;
  a = c->GetPreKeyBundles(stranger->user_id(), &bundles);
  b = c->GetPreKeyBundles(unknown, &bundles);
  EXPECT_EQ(a.error_code(), b.error_code()) << StatusString(a) << " vs " << StatusString(b);
  EXPECT_EQ(a.error_message(), b.error_message());
  // GetChallenge: a device that exists and one that does not both get one.
  for (auto [user, device] : {std::pair<std::string, uint32_t>{stranger->user_id(), 1},
                              {stranger->user_id(), 7},
                              {unknown, 1}}) {
    v1::GetChallengeRequest request;
    request.set_user_id(user);
    request.set_device_id(device);
    v1::GetChallengeResponse response;
    EXPECT_GRPC_OK(api_->accounts->GetChallenge(MakeContext().get(), request, &response));
    EXPECT_EQ(response.challenge().size(), 32u);
  }
}

class CancelledCallTest : public ServerSuite<CancelledCallTest> {};

TEST_F(CancelledCallTest, ACallCancelledWhileQueuedDoesNoWork) {
  // 120 registrations, each with a 20 ms deadline, at once: most of them
  // wait for a thread longer than their caller does.
  constexpr int kCalls = 120;
  std::vector<TestAccount> accounts;
  accounts.reserve(kCalls);
  for (int i = 0; i < kCalls; ++i) accounts.emplace_back(api_, v1::ROLE_CLIENT, 100);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(20));
      v1::RegisterResponse response;
      if (api_->accounts->Register(&context, accounts[i].MakeRegisterRequest(), &response).ok()) {
        ok.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // Let queued work run (or not).
  CommandResult stats;
  ASSERT_TRUE(RunCommand({ServerBinary(), "stats", "--data-dir", server_->data_dir()},
                         std::chrono::seconds(20), &stats));
  ASSERT_EQ(stats.exit_code, 0) << stats.stderr_text;
  size_t at = stats.stdout_text.find("accounts ");
  ASSERT_NE(at, std::string::npos) << stats.stdout_text;
  const int created = std::stoi(stats.stdout_text.substr(at + 9));
  // Every account created was wanted by a caller still waiting, or nearly so;
  // before the fix all 120 queued calls ran after their callers had gone.
  EXPECT_LT(created, ok.load() + kCalls / 4)
      << created << " accounts created, " << ok.load() << " calls answered OK";
}

}  // namespace
}  // namespace securebase::integration
