// Single-use and bounded things under concurrent requests: an invite is
// redeemed once, an identity registers once, a retried send is stored once,
// and device/invite limits hold when many requests race for the last slot.
#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

constexpr int kThreads = 8;

class RacesTest : public ServerSuite<RacesTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--rate-limit-rps=100000", "--rate-limit-burst=100000"});
  }

 protected:
  // Runs `call(i)` on kThreads threads released together; returns the
  // statuses by thread.
  static std::vector<grpc::Status> Race(const std::function<grpc::Status(int)>& call) {
    std::vector<grpc::Status> out(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        out[i] = call(i);
      });
    }
    for (auto& t : threads) t.join();
    return out;
  }

  static std::map<StatusCode, int> Codes(const std::vector<grpc::Status>& statuses) {
    std::map<StatusCode, int> out;
    for (const auto& s : statuses) ++out[s.error_code()];
    return out;
  }
};

TEST_F(RacesTest, AnInviteIsRedeemedOnce) {
  auto t = NewTherapist();
  ASSERT_TRUE(t);
  std::vector<std::unique_ptr<TestAccount>> clients;
  for (int i = 0; i < kThreads; ++i) {
    clients.push_back(NewClient(0));
    ASSERT_TRUE(clients.back());
  }
  v1::CreateInviteResponse invite;
  ASSERT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), {}, &invite));
  auto statuses = Race([&](int i) {
    v1::RedeemInviteRequest req;
    req.set_invite_secret(invite.invite_secret());
    v1::RedeemInviteResponse r;
    return api_->links->RedeemInvite(clients[i]->Context().get(), req, &r);
  });
  auto codes = Codes(statuses);
  EXPECT_EQ(codes[StatusCode::OK], 1);
  EXPECT_EQ(codes[StatusCode::NOT_FOUND], kThreads - 1);
  v1::ListLinksResponse links;
  ASSERT_GRPC_OK(t->ListLinks(&links));
  EXPECT_EQ(links.links_size(), 1);
}

TEST_F(RacesTest, AnIdentityRegistersOnce) {
  TestAccount a(api_, v1::ROLE_CLIENT, 1);
  const v1::RegisterRequest req = a.MakeRegisterRequest();
  auto statuses = Race([&](int) {
    v1::RegisterResponse r;
    return api_->accounts->Register(MakeContext().get(), req, &r);
  });
  auto codes = Codes(statuses);
  EXPECT_EQ(codes[StatusCode::OK], 1);
  EXPECT_EQ(codes[StatusCode::ALREADY_EXISTS], kThreads - 1);
}

TEST_F(RacesTest, ConcurrentRetriesOfASendAreStoredOnce) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  const v1::SendRequest req = c->MakeSend(*t, "retried-concurrently");
  std::vector<v1::SendResponse> responses(kThreads);
  auto statuses = Race([&](int i) { return c->SendRequest(req, 0, &responses[i]); });
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_GRPC_OK(statuses[i]);
    EXPECT_EQ(responses[i].server_timestamp_unix_ms(), responses[0].server_timestamp_unix_ms())
        << "answered the same way";
  }
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  EXPECT_EQ(got.size(), 1u);
}

TEST_F(RacesTest, TheSameClientMessageIdFromAnotherDeviceIsAnotherMessage) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  size_t second = 0;
  ASSERT_GRPC_OK(c->AddDevice(1, &second));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest from_first = c->MakeSend(*t, "from-first", 0);
  v1::SendRequest from_second = c->MakeSend(*t, "from-second", second);
  from_second.set_client_message_id(from_first.client_message_id());
  ASSERT_GRPC_OK(c->SendRequest(from_first, 0));
  ASSERT_GRPC_OK(c->SendRequest(from_second, second));
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  ASSERT_EQ(got.size(), 2u) << "the id is per sending device";
  EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("from-first", t->address(0)));
  EXPECT_EQ(got[1].ciphertext(), TargetCiphertext("from-second", t->address(0)));
}

TEST_F(RacesTest, DeviceLimitHoldsUnderConcurrentAddDevice) {
  constexpr int kMaxDevices = 5;  // Default --max-devices-per-account.
  static_assert(kThreads <= 16, "binding ids stay within kMaxDeviceIdAhead");
  auto a = NewClient(0);
  ASSERT_TRUE(a);
  for (int i = 2; i <= kMaxDevices - 2; ++i) ASSERT_GRPC_OK(a->AddDevice(0));
  uint32_t next = 0;
  ASSERT_GRPC_OK(a->NextDeviceId(&next));
  // Two devices left, kThreads requests, each with its own binding (ids in
  // request order; one whose id another request passed is refused as used).
  std::vector<v1::AddDeviceRequest> reqs(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    reqs[i] = a->MakeAddDeviceRequest(a->GenerateDevice(0), next + i);
  }
  auto statuses = Race([&](int i) {
    v1::AddDeviceResponse r;
    return api_->accounts->AddDevice(MakeContext().get(), reqs[i], &r);
  });
  auto codes = Codes(statuses);
  EXPECT_GE(codes[StatusCode::OK], 1);
  EXPECT_LE(codes[StatusCode::OK], 2);
  EXPECT_EQ(codes[StatusCode::OK] + codes[StatusCode::RESOURCE_EXHAUSTED] +
                codes[StatusCode::FAILED_PRECONDITION],
            kThreads);
  v1::ListDevicesResponse devices;
  ASSERT_GRPC_OK(api_->accounts->ListDevices(a->Context().get(), {}, &devices));
  EXPECT_EQ(devices.devices_size(), kMaxDevices - 2 + codes[StatusCode::OK]);
  std::set<uint32_t> ids;
  for (const auto& d : devices.devices()) ids.insert(d.device_id());
  EXPECT_EQ(ids.size(), static_cast<size_t>(devices.devices_size())) << "device ids are unique";
}

TEST_F(RacesTest, InviteLimitHoldsUnderConcurrentCreateInvite) {
  constexpr int kMaxInvites = 20;  // Default --max-outstanding-invites.
  auto t = NewTherapist();
  ASSERT_TRUE(t);
  for (int i = 0; i < kMaxInvites - 3; ++i) {
    v1::CreateInviteResponse r;
    ASSERT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), {}, &r));
  }
  auto statuses = Race([&](int) {
    v1::CreateInviteResponse r;
    return api_->links->CreateInvite(t->Context().get(), {}, &r);
  });
  auto codes = Codes(statuses);
  EXPECT_EQ(codes[StatusCode::OK], 3);
  EXPECT_EQ(codes[StatusCode::RESOURCE_EXHAUSTED], kThreads - 3);
}

}  // namespace
}  // namespace securebase::integration
