// Subscribe streams under attack (hardening findings 4 and 9).
//
// Finding 4: one free account with 8 devices and 4 never-read streams each
// held half a gigabyte: a stream buffered up to 64 envelopes while its write
// waited, with no byte limit. Now a stream holds the envelope being written
// and at most one bounded read batch, a stream whose client stops reading is
// cancelled after --stream-write-timeout-seconds, and an account (and the
// server) has a stream limit.
//
// Finding 9: after four silently dropped networks a device's fifth Subscribe
// was refused for about two hours (until TCP gave up). Now the server pings
// (keepalive) and closes a silent connection in seconds, and a device's
// newest stream replaces its oldest instead of being refused.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/subscription.h"
#include "tests/server/integration/harness/tcp_proxy.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A channel whose connection keeps HTTP/2's 64 KiB initial window (no BDP
// probing), so a client that does not read stops the server's writes soon.
std::shared_ptr<grpc::Channel> SmallWindowChannel(const std::string& address) {
  grpc::ChannelArguments args = TestChannelArguments();
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// A stream opened and never read.
struct UnreadStream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader;
};

UnreadStream OpenUnread(v1::Messages::Stub& stub, const TestAccount& account, size_t device) {
  UnreadStream stream;
  stream.context = account.Context(device);
  stream.context->set_deadline(std::chrono::system_clock::now() + seconds(120));
  stream.reader = stub.Subscribe(stream.context.get(), v1::SubscribeRequest());
  stream.reader->WaitForInitialMetadata();
  return stream;
}

class StreamMemoryTest : public ServerSuite<StreamMemoryTest> {
 public:
  // The finding's account had 8 devices; the default limit is 5 since
  // linked devices (issue 12).
  static ServerOptions Options() { return WithFlags({"--max-devices-per-account=8"}); }
};

TEST_F(StreamMemoryTest, NeverReadStreamsOfOneAccountDoNotPinMemory) {
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
  GTEST_SKIP() << "resident memory is not comparable under AddressSanitizer (its quarantine "
                  "keeps freed memory resident); this check runs in the plain build";
#endif
#endif
  auto a = NewClient(0);
  ASSERT_TRUE(a);
  for (int i = 0; i < 7; ++i) ASSERT_GRPC_OK(a->AddDevice(0));
  auto stub = v1::Messages::NewStub(SmallWindowChannel(server_->address()));
  // Devices 1..7 open streams that never read: 16, the account's limit.
  std::vector<UnreadStream> streams;
  for (size_t device = 1; device <= 7 && streams.size() < 16; ++device) {
    for (int s = 0; s < 4 && streams.size() < 16; ++s)
      streams.push_back(OpenUnread(*stub, *a, device));
  }
  const int64_t before = ProcessMemoryKib(server_->pid(), MemoryFigure::kResident);
  // Device 0 sends to the account's own devices: 7 x 256 KiB per send.
  const std::string big(256 * 1024 - 64, 'm');
  for (int i = 0; i < 48; ++i) {
    v1::SendRequest send;
    send.set_recipient_user_id(a->user_id());
    send.set_client_message_id(RandomBytes(16));
    for (size_t device = 1; device <= 7; ++device) {
      v1::OutgoingCiphertext* c = send.add_ciphertexts();
      *c->mutable_recipient() = a->address(device);
      c->set_ciphertext(big + std::to_string(i));
    }
    ASSERT_GRPC_OK(a->SendRequest(send)) << "send " << i;
  }
  std::this_thread::sleep_for(milliseconds(500));
  const int64_t after = ProcessMemoryKib(server_->pid(), MemoryFigure::kResident);
  // Before the fix each stream kept up to 64 envelopes (16 MiB) in memory
  // while its write waited: 16 streams, 12 MiB of them each here, ~190 MiB.
  // Now each holds the envelope being written and at most one 256 KiB batch.
  std::cerr << "server RSS " << before << " -> " << after << " KiB\n";
  EXPECT_LT(after - before, 120 * 1024) << "server RSS " << before << " -> " << after << " KiB";
  // A 17th stream is refused: the account's stream limit.
  {
    auto context = a->Context(7);
    context->set_deadline(std::chrono::system_clock::now() + seconds(5));
    auto extra = stub->Subscribe(context.get(), v1::SubscribeRequest());
    v1::Envelope envelope;
    EXPECT_FALSE(extra->Read(&envelope));
    EXPECT_GRPC_CODE(extra->Finish(), StatusCode::RESOURCE_EXHAUSTED);
  }
  for (auto& stream : streams) stream.context->TryCancel();
}

class StalledStreamTest : public ServerSuite<StalledStreamTest> {
 public:
  static ServerOptions Options() { return WithFlags({"--stream-write-timeout-seconds=1"}); }
};

TEST_F(StalledStreamTest, AStreamWhoseClientStopsReadingIsCancelled) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  constexpr int kEnvelopes = 8;
  for (int i = 0; i < kEnvelopes; ++i) {
    v1::SendRequest send = c->MakeSend(*t, "");
    send.mutable_ciphertexts(0)->set_ciphertext(std::string(200 * 1024, 'a' + i));
    ASSERT_GRPC_OK(c->SendRequest(send));
  }
  auto stub = v1::Messages::NewStub(SmallWindowChannel(server_->address()));
  UnreadStream stream = OpenUnread(*stub, *t, 0);
  // The first write cannot complete into a 64 KiB window; the server gives
  // up on it after a second (checked once a second).
  std::this_thread::sleep_for(milliseconds(3500));
  const auto start = std::chrono::steady_clock::now();
  int received = 0;
  v1::Envelope envelope;
  while (stream.reader->Read(&envelope)) ++received;
  grpc::Status status = stream.reader->Finish();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10))
      << "the stream was still open: the server kept waiting on a client that does not read";
  EXPECT_FALSE(status.ok());
  EXPECT_LT(received, kEnvelopes) << StatusString(status);
}

class StreamLivenessTest : public ServerSuite<StreamLivenessTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--keepalive-seconds=1", "--keepalive-timeout-seconds=1"});
  }
};

TEST_F(StreamLivenessTest, AFifthStreamReplacesTheOldestInsteadOfBeingRefused) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(c->Send(*t, "stored"));
  std::vector<std::unique_ptr<Subscription>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<Subscription>(*t, 0, 0));
    ASSERT_TRUE(open.back()->WaitForCount(1, milliseconds(10000))) << "stream " << i;
  }
  Subscription fifth(*t, 0, 0);
  EXPECT_TRUE(fifth.WaitForCount(1, milliseconds(10000))) << "the newest stream must work";
  auto oldest = open.front()->WaitForEnd(milliseconds(10000));
  ASSERT_TRUE(oldest.has_value()) << "the oldest stream was not replaced";
  EXPECT_TRUE(HasCode(*oldest, StatusCode::RESOURCE_EXHAUSTED));
  for (size_t i = 1; i < open.size(); ++i) EXPECT_FALSE(open[i]->ended()) << i;
  // The new one gets live envelopes.
  ASSERT_GRPC_OK(c->Send(*t, "live"));
  EXPECT_TRUE(fifth.WaitForCount(2, milliseconds(10000)));
}

TEST_F(StreamLivenessTest, ASilentlyDroppedConnectionIsClosedByKeepalive) {
  auto t = NewTherapist();
  ASSERT_TRUE(t);
  TcpProxy proxy(server_->port());
  grpc::ChannelArguments args = TestChannelArguments();
  auto channel =
      grpc::CreateCustomChannel(proxy.address(), grpc::InsecureChannelCredentials(), args);
  auto stub = v1::Messages::NewStub(channel);
  UnreadStream stream = OpenUnread(*stub, *t, 0);
  proxy.Blackhole();  // The network drops silently; nobody closes anything.
  // Keepalive 1 s + timeout 1 s: the server closes the connection soon.
  // Without server keepalive it stayed open until TCP gave up (hours).
  EXPECT_TRUE(proxy.WaitForServerClose(milliseconds(8000)))
      << "the server kept a silent connection (and its stream) open";
  stream.context->TryCancel();
}

}  // namespace
}  // namespace securebase::integration
