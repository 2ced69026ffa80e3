// Hardening finding 7: anyone who knows a user id could lock that user out.
// Five Authenticate calls with junk locked the victim's device for 900 s,
// renewable for ever; 1,060 GetChallenge calls evicted the victim's
// outstanding challenge; the audit log blamed the victim. Each test plays
// the attacker from its own source address (127.0.1.N through a proxy) while
// the victim uses 127.0.0.1.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/tcp_proxy.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

crypto::ByteSpan Span(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

constexpr int kFailuresPerSource = 20;  // --max-failed-logins-per-source below.

v1::GetChallengeRequest ChallengeRequest(const TestAccount& victim) {
  v1::GetChallengeRequest request;
  request.set_user_id(victim.user_id());
  request.set_device_id(victim.device_id(0));
  return request;
}

v1::AuthenticateRequest JunkLogin(const TestAccount& victim, const std::string& challenge) {
  v1::AuthenticateRequest request;
  request.set_user_id(victim.user_id());
  request.set_device_id(victim.device_id(0));
  request.set_challenge(challenge);
  request.set_signature(RandomBytes(64));
  return request;
}

// The owner's login: `challenge` signed with the device's auth key.
v1::AuthenticateRequest SignedLogin(const TestAccount& owner, const std::string& challenge) {
  v1::AuthenticateRequest request = JunkLogin(owner, challenge);
  auto signature = owner.device(0).auth.SignAuthChallenge(Span(challenge));
  EXPECT_TRUE(signature.ok());
  if (signature.ok()) request.set_signature(KeyBytes(*signature));
  return request;
}

// The attacker's API, its calls from `source` (a loopback address) through
// `proxy`.
std::shared_ptr<Api> ApiFrom(std::unique_ptr<TcpProxy>& proxy, int server_port,
                             const std::string& source) {
  proxy = std::make_unique<TcpProxy>(server_port, source);
  return std::make_shared<Api>(grpc::CreateCustomChannel(
      proxy->address(), grpc::InsecureChannelCredentials(), TestChannelArguments()));
}

class LoginAttackTest : public ServerSuite<LoginAttackTest> {
 public:
  static ServerOptions Options() {
    // High request rates (the floods here must reach the server's logic),
    // but the real failure counts.
    return WithFlags({"--max-failed-logins=5",
                      "--max-failed-logins-per-source=" + std::to_string(kFailuresPerSource)});
  }

 protected:
  void SetUp() override {
    ServerSuite::SetUp();
    // An address of its own per test: the server remembers an address's
    // failures (and its backoff) across the suite's tests, which share it.
    static int next_attacker = 1;
    attacker_ = ApiFrom(proxy_, server_->port(), "127.0.1." + std::to_string(next_attacker++));
  }

  grpc::Status AttackerGetChallenge(const TestAccount& victim, std::string* challenge = nullptr) {
    v1::GetChallengeResponse response;
    grpc::Status status =
        attacker_->accounts->GetChallenge(MakeContext().get(), ChallengeRequest(victim), &response);
    if (challenge != nullptr) *challenge = response.challenge();
    return status;
  }
  grpc::Status AttackerAuthenticate(const v1::AuthenticateRequest& request) {
    v1::AuthenticateResponse response;
    return attacker_->accounts->Authenticate(MakeContext().get(), request, &response);
  }
  // The audit log's JSON lines that name `user_id`.
  std::vector<std::string> AuditLinesOf(const std::string& user_id) {
    CommandResult r;
    EXPECT_TRUE(RunCommand({ServerBinary(), "audit", "--data-dir", server_->data_dir(), "--json"},
                           std::chrono::seconds(20), &r));
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    std::vector<std::string> out;
    std::istringstream lines(r.stdout_text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(Hex(user_id)) != std::string::npos) out.push_back(line);
    }
    return out;
  }

  std::unique_ptr<TcpProxy> proxy_;
  std::shared_ptr<Api> attacker_;
};

// "1,060 GetChallenge calls evict the victim's outstanding challenge."
TEST_F(LoginAttackTest, AFloodOfChallengesDoesNotEvictTheVictims) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  v1::GetChallengeResponse mine;
  ASSERT_GRPC_OK(
      api_->accounts->GetChallenge(MakeContext().get(), ChallengeRequest(*victim), &mine));
  for (int i = 0; i < 1100; ++i) {
    ASSERT_GRPC_OK(AttackerGetChallenge(*victim)) << i;
  }
  v1::AuthenticateResponse token;
  EXPECT_GRPC_OK(api_->accounts->Authenticate(MakeContext().get(),
                                              SignedLogin(*victim, mine.challenge()), &token))
      << "the victim's challenge was evicted by the attacker's";
}

// "Five Authenticate calls with junk lock the victim's device for 900 s,
// renewable for ever." Junk challenges and valid challenges with junk
// signatures; then the victim logs in at once. The attacker's own address is
// what backs off.
TEST_F(LoginAttackTest, JunkLoginsCannotLockTheVictimOut) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  for (int i = 0; i < kFailuresPerSource; ++i) {
    std::string challenge = RandomBytes(32);
    if (i % 2 == 1) {
      ASSERT_GRPC_OK(AttackerGetChallenge(*victim, &challenge));
    }
    EXPECT_FALSE(AttackerAuthenticate(JunkLogin(*victim, challenge)).ok());
  }
  EXPECT_GRPC_OK(victim->Login(0)) << "the attacker locked the victim out";
  // More junk makes the attacker's address back off, not the victim.
  EXPECT_FALSE(AttackerAuthenticate(JunkLogin(*victim, RandomBytes(32))).ok());
  EXPECT_GRPC_CODE(AttackerGetChallenge(*victim), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_GRPC_OK(victim->Login(0));
  auto bystander = NewClient();  // Registers and logs in from 127.0.0.1.
  EXPECT_TRUE(bystander) << "others (from other addresses) are not affected";
}

// A device's own failures back off too, but a correct signature still logs
// in: only someone holding the device's key can sign, and refusing the owner
// would only help the attacker. Here the attacker uses many sources (a
// botnet), so no source backs off.
TEST_F(LoginAttackTest, ADeviceUnderAttackBacksOffButItsOwnerStillLogsIn) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  std::vector<std::unique_ptr<TcpProxy>> proxies;
  std::vector<std::unique_ptr<Api>> bots;
  std::vector<std::string> challenges;
  for (int source = 3; source < 13; ++source) {
    proxies.push_back(
        std::make_unique<TcpProxy>(server_->port(), "127.0.0." + std::to_string(source)));
    bots.push_back(std::make_unique<Api>(grpc::CreateCustomChannel(
        proxies.back()->address(), grpc::InsecureChannelCredentials(), TestChannelArguments())));
    v1::GetChallengeResponse challenge;
    ASSERT_GRPC_OK(bots.back()->accounts->GetChallenge(MakeContext().get(),
                                                       ChallengeRequest(*victim), &challenge));
    challenges.push_back(challenge.challenge());
  }
  // Ten bad signatures in quick succession, one per source.
  std::vector<grpc::StatusCode> codes;
  for (size_t i = 0; i < bots.size(); ++i) {
    v1::AuthenticateResponse ignored;
    codes.push_back(
        bots[i]
            ->accounts
            ->Authenticate(MakeContext().get(), JunkLogin(*victim, challenges[i]), &ignored)
            .error_code());
  }
  ASSERT_EQ(codes.size(), 10u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(codes[i], StatusCode::UNAUTHENTICATED) << i;
  EXPECT_EQ(codes[6], StatusCode::RESOURCE_EXHAUSTED) << "the device's failures back off";
  EXPECT_GRPC_OK(victim->Login(0)) << "a correct signature always logs in";
}

// "The audit log blames the victim." A challenge the server never issued
// for the device says nothing about it: no audit record names the device. A
// valid challenge signed badly is recorded as an attempt on the device
// (login_rejected), not as the device's own failed login.
TEST_F(LoginAttackTest, TheAuditLogDoesNotBlameTheVictim) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  for (int i = 0; i < 3; ++i) {
    EXPECT_GRPC_CODE(AttackerAuthenticate(JunkLogin(*victim, RandomBytes(32))),
                     StatusCode::UNAUTHENTICATED);
  }
  for (const std::string& line : AuditLinesOf(victim->user_id())) {
    EXPECT_EQ(line.find("login_failed"), std::string::npos) << line;
    EXPECT_EQ(line.find("login_rejected"), std::string::npos)
        << "an unknown challenge was counted against the device: " << line;
  }
  std::string challenge;
  ASSERT_GRPC_OK(AttackerGetChallenge(*victim, &challenge));
  EXPECT_GRPC_CODE(AttackerAuthenticate(JunkLogin(*victim, challenge)),
                   StatusCode::UNAUTHENTICATED);
  int rejected = 0;
  for (const std::string& line : AuditLinesOf(victim->user_id())) {
    EXPECT_EQ(line.find("login_failed"), std::string::npos) << line;
    if (line.find("\"login_rejected\"") != std::string::npos) {
      ++rejected;
      EXPECT_NE(line.find("reason=bad_signature"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(rejected, 1);
}

// Stateless challenges stay single use: a signed challenge logs in once.
TEST_F(LoginAttackTest, ASignedChallengeLogsInOnce) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  v1::GetChallengeResponse challenge;
  ASSERT_GRPC_OK(
      api_->accounts->GetChallenge(MakeContext().get(), ChallengeRequest(*victim), &challenge));
  v1::AuthenticateRequest login = SignedLogin(*victim, challenge.challenge());
  v1::AuthenticateResponse token;
  ASSERT_GRPC_OK(api_->accounts->Authenticate(MakeContext().get(), login, &token));
  EXPECT_GRPC_CODE(AttackerAuthenticate(login), StatusCode::UNAUTHENTICATED) << "replayed";
}

// The server-wide login limit with a small burst. Junk from an attacker
// (here one address with the tests' relaxed per-source limits, standing in
// for a botnet of many addresses each within its own) never takes from it:
// it counts only logins that succeed. It used to count every GetChallenge
// and Authenticate, so junk emptied it and every user was refused ("too
// many logins right now") until it refilled: a lockout of everyone.
class ServerWideLoginLimitTest : public ServerSuite<ServerWideLoginLimitTest> {
 public:
  static ServerOptions Options() { return WithFlags({"--login-burst=3", "--login-rps=0.001"}); }
};

TEST_F(ServerWideLoginLimitTest, JunkLoginsDoNotEmptyIt) {
  auto victim = NewClient();  // One successful login.
  ASSERT_TRUE(victim);
  std::unique_ptr<TcpProxy> proxy;
  auto attacker = ApiFrom(proxy, server_->port(), "127.0.0.2");
  for (int i = 0; i < 20; ++i) {
    v1::GetChallengeResponse challenge;  // (Left empty if refused: junk either way.)
    (void)attacker->accounts->GetChallenge(MakeContext().get(), ChallengeRequest(*victim),
                                           &challenge);
    v1::AuthenticateResponse ignored;
    EXPECT_FALSE(
        attacker->accounts
            ->Authenticate(MakeContext().get(), JunkLogin(*victim, challenge.challenge()), &ignored)
            .ok());
    EXPECT_FALSE(
        attacker->accounts
            ->Authenticate(MakeContext().get(), JunkLogin(*victim, RandomBytes(32)), &ignored)
            .ok());
  }
  EXPECT_GRPC_OK(victim->Login(0)) << "60 junk calls emptied the server-wide login limit";
}

// It still bounds what it is for: tokens issued. A login over it is refused
// after its signature was checked, and its challenge stays usable.
class ServerWideTokenLimitTest : public ServerSuite<ServerWideTokenLimitTest> {
 public:
  static ServerOptions Options() { return WithFlags({"--login-burst=2", "--login-rps=0.5"}); }
};

TEST_F(ServerWideTokenLimitTest, SuccessfulLoginsAreLimitedAndARefusedOneCanRetry) {
  auto user = NewClient();  // One successful login.
  ASSERT_TRUE(user);
  grpc::Status refused;
  v1::AuthenticateRequest login;
  // The burst of 2, and perhaps a token refilled meanwhile (one per 2 s).
  for (int i = 0; i < 4 && refused.ok(); ++i) {
    v1::GetChallengeResponse challenge;
    ASSERT_GRPC_OK(
        api_->accounts->GetChallenge(MakeContext().get(), ChallengeRequest(*user), &challenge));
    login = SignedLogin(*user, challenge.challenge());
    v1::AuthenticateResponse token;
    refused = api_->accounts->Authenticate(MakeContext().get(), login, &token);
  }
  ASSERT_GRPC_CODE(refused, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("too many logins right now"), std::string::npos)
      << refused.error_message();
  // The same signed challenge logs in once the limit refilled.
  grpc::Status retried = refused;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!retried.ok() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    v1::AuthenticateResponse token;
    retried = api_->accounts->Authenticate(MakeContext().get(), login, &token);
  }
  EXPECT_GRPC_OK(retried);
}

}  // namespace
}  // namespace securebase::integration
