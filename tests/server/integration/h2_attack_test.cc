// Attacks that need bytes no gRPC client sends, from a bare HTTP/2 client
// (harness/raw_h2.h) straight at the server (hardening findings 1 and 10).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/raw_h2.h"
#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

class H2AttackTest : public ServerSuite<H2AttackTest> {};

// Finding 1: a 31 KiB gzip frame inflated to a 31 MiB RegisterRequest; 320
// of them held 4 GiB. The message here is a valid registration with a 24 MiB
// unknown field: if the server inflated and parsed it, the account exists.
TEST_F(H2AttackTest, AGzipBombIsNeverInflated) {
  const int accounts_before = AccountCount(*server_);
  ASSERT_GE(accounts_before, 0);
  TestAccount victim(api_, v1::ROLE_CLIENT, 1);
  std::string message = victim.MakeRegisterRequest().SerializeAsString();
  message += "\x7a";  // Field 15, length-delimited: unknown to the server.
  const size_t padding = 24 << 20;
  for (size_t n = padding;; n >>= 7) {  // varint length
    if (n < 0x80) {
      message.push_back(static_cast<char>(n));
      break;
    }
    message.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  message += std::string(padding, '\0');
  const std::string bomb = GrpcMessage(Gzip(message), /*compressed=*/true);
  ASSERT_LT(bomb.size(), 64u * 1024) << "the bomb should be small on the wire";
  const int64_t peak_before = ProcessMemoryKib(server_->pid(), MemoryFigure::kPeakResident);
  // One bomb per connection: each fits HTTP/2's initial 64 KiB windows.
  std::vector<std::unique_ptr<RawH2Connection>> connections;
  for (int i = 0; i < 8; ++i) {
    auto connection = RawH2Connection::Connect(server_->port(), /*tls=*/false);
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->SendPreface());
    Headers headers = GrpcRequestHeaders("/securebase.v1.Accounts/Register", server_->address());
    headers.emplace_back("grpc-encoding", "gzip");
    ASSERT_TRUE(connection->SendHeaderBlock(1, EncodeHeaderBlock(headers), false));
    ASSERT_TRUE(connection->SendData(1, bomb, true));
    connections.push_back(std::move(connection));
  }
  for (auto& connection : connections) connection->Drain(std::chrono::milliseconds(400));
  const int64_t growth =
      ProcessMemoryKib(server_->pid(), MemoryFigure::kPeakResident) - peak_before;
  EXPECT_LT(growth, 64 * 1024) << "8 bombs raised the server's peak memory by " << growth
                               << " KiB: they were inflated";
  EXPECT_EQ(AccountCount(*server_), accounts_before)
      << "the compressed registration was inflated, parsed and stored";
}

// Finding 10: gRPC's own log lines went straight to stderr: a header with a
// newline forged a log line, and 5,000 bad requests wrote 20 MiB of log.
TEST_F(H2AttackTest, AHeaderWithANewlineCannotForgeALogLine) {
  const std::string forged = "ts=2030-01-01T00:00:00.000Z level=error event=forged_by_test";
  auto connection = RawH2Connection::Connect(server_->port(), /*tls=*/false);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->SendPreface());
  for (uint32_t stream = 1; stream <= 9; stream += 2) {
    Headers headers =
        GrpcRequestHeaders("/securebase.v1.Accounts/GetChallenge", server_->address());
    headers.emplace_back("grpc-timeout", "1S\n" + forged);
    headers.emplace_back("grpc-encoding", "x\n" + forged);
    ASSERT_TRUE(connection->SendHeaderBlock(stream, EncodeHeaderBlock(headers), false));
    ASSERT_TRUE(connection->SendData(stream, GrpcMessage("", false), true));
  }
  connection->Drain(std::chrono::milliseconds(1500));
  std::istringstream lines(server_->StderrText());
  std::string line;
  int forged_lines = 0;
  while (std::getline(lines, line)) {
    if (line.rfind(forged, 0) == 0) ++forged_lines;
  }
  EXPECT_EQ(forged_lines, 0) << "a client wrote its own lines into the server's log";
}

TEST_F(H2AttackTest, AFloodOfBadRequestsDoesNotFloodTheLog) {
  const size_t log_before = server_->StderrText().size();
  constexpr int kRequests = 2000;
  int sent = 0;
  while (sent < kRequests) {
    auto connection = RawH2Connection::Connect(server_->port(), /*tls=*/false);
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->SendPreface());
    // At most 100 streams per connection (the server allows 128 at once).
    for (uint32_t stream = 1; stream <= 199 && sent < kRequests; stream += 2, ++sent) {
      Headers headers =
          GrpcRequestHeaders("/securebase.v1.Accounts/GetChallenge", server_->address());
      headers.emplace_back("grpc-timeout", "bogus-" + std::to_string(sent));
      headers.emplace_back("grpc-encoding", "gzip");
      if (!connection->SendHeaderBlock(stream, EncodeHeaderBlock(headers), false) ||
          !connection->SendData(stream, GrpcMessage(Gzip("x"), true), true)) {
        break;
      }
    }
    connection->Drain(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const size_t written = server_->StderrText().size() - log_before;
  // A few rate-limited lines with counts, not a line (or two) per request.
  EXPECT_LT(written, 32u * 1024) << kRequests << " bad requests wrote " << written
                                 << " bytes of server log";
  // And the server still answers.
  auto c = NewClient();
  EXPECT_TRUE(c);
}

}  // namespace
}  // namespace securebase::integration
