// Hardening finding 6: unauthenticated floods. One client registered 366
// accounts a second (100 prekeys each) and one account minted 1,020 tokens a
// second, each a synced write and an audit row; everyone else's latency rose
// 30-50x. Each flood here comes from its own source address (127.0.0.x
// through a proxy), with the server's default limits.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/tcp_proxy.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

// A client whose calls come from `source` (a loopback address).
struct SourceClient {
  SourceClient(int server_port, const std::string& source)
      : proxy(server_port, source),
        api(std::make_shared<Api>(grpc::CreateCustomChannel(
            proxy.address(), grpc::InsecureChannelCredentials(), TestChannelArguments()))) {}
  TcpProxy proxy;
  std::shared_ptr<Api> api;
};

struct Tally {
  int ok = 0;
  int exhausted = 0;
  int other = 0;
  void Add(const grpc::Status& status) {
    if (status.ok()) {
      ++ok;
    } else if (status.error_code() == StatusCode::RESOURCE_EXHAUSTED) {
      ++exhausted;
    } else {
      ++other;
      ADD_FAILURE() << StatusString(status);
    }
  }
};

// The server's own defaults: 10 registrations per address, then 6 a
// minute; 20 logins per address, then 2 a second.
class AnonymousFloodTest : public ServerSuite<AnonymousFloodTest> {
 public:
  static ServerOptions Options() {
    ServerOptions options;
    options.relaxed_source_limits = false;
    return options;
  }
};

TEST_F(AnonymousFloodTest, ARegistrationFloodFromOneAddressIsRefused) {
  const int before = AccountCount(*server_);
  SourceClient attacker(server_->port(), "127.0.0.2");
  Tally tally;
  for (int i = 0; i < 30; ++i) {
    TestAccount account(attacker.api, v1::ROLE_CLIENT, 100);
    tally.Add(account.Register());
  }
  EXPECT_LE(tally.ok, 11) << "registrations from one address were not limited";
  EXPECT_GE(tally.exhausted, 19);
  EXPECT_EQ(AccountCount(*server_), before + tally.ok) << "a refused registration stored something";
  // Someone else registers and logs in at once.
  auto honest = NewClient();
  EXPECT_TRUE(honest);
}

TEST_F(AnonymousFloodTest, ALoginFloodFromOneAddressIsRefused) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  SourceClient attacker(server_->port(), "127.0.0.3");
  Tally tally;
  v1::GetChallengeRequest request;
  request.set_user_id(victim->user_id());
  request.set_device_id(victim->device_id(0));
  for (int i = 0; i < 60; ++i) {
    v1::GetChallengeResponse response;
    tally.Add(attacker.api->accounts->GetChallenge(MakeContext().get(), request, &response));
  }
  EXPECT_LE(tally.ok, 22) << "logins from one address were not limited";
  EXPECT_GE(tally.exhausted, 38);
  EXPECT_GRPC_OK(victim->Login(0)) << "the victim, at another address, logs in";
}

// Many addresses together meet the server-wide limit.
class GlobalRegistrationLimitTest : public ServerSuite<GlobalRegistrationLimitTest> {
 public:
  static ServerOptions Options() {
    ServerOptions options;
    options.relaxed_source_limits = false;
    options.flags = {"--register-burst=12", "--register-rps=0.1"};
    return options;
  }
};

TEST_F(GlobalRegistrationLimitTest, ManyAddressesShareTheServerWideLimit) {
  Tally tally;
  for (int source = 2; source < 6; ++source) {
    SourceClient bot(server_->port(), "127.0.0." + std::to_string(source));
    for (int i = 0; i < 5; ++i) {
      TestAccount account(bot.api, v1::ROLE_CLIENT, 1);
      tally.Add(account.Register());
    }
  }
  EXPECT_LE(tally.ok, 13) << "4 addresses x 5 registrations beat the server-wide burst of 12";
  EXPECT_GE(tally.ok, 12);
}

// "One account minted 1,020 tokens a second", each kept until it expired.
class TokenCapTest : public ServerSuite<TokenCapTest> {};

TEST_F(TokenCapTest, ADeviceHoldsAtMostTenLiveTokens) {
  auto account = NewClient();
  ASSERT_TRUE(account);
  std::vector<std::string> tokens = {account->token(0)};
  for (int i = 0; i < 14; ++i) {
    ASSERT_GRPC_OK(account->Login(0));
    tokens.push_back(account->token(0));
  }
  auto list_with = [&](const std::string& token) {
    v1::ListDevicesResponse response;
    return api_->accounts->ListDevices(MakeContext(token).get(), {}, &response);
  };
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_GRPC_CODE(list_with(tokens[i]), StatusCode::UNAUTHENTICATED) << "token " << i;
  }
  for (size_t i = 5; i < tokens.size(); ++i) EXPECT_GRPC_OK(list_with(tokens[i])) << "token " << i;
}

}  // namespace
}  // namespace securebase::integration
