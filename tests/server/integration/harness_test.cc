// Checks on the harness itself, so a passing suite means something: the
// store snapshot sees writes of a running server (through its WAL), leaves
// out only `audit`, and tells changes apart.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

class HarnessTest : public ServerSuite<HarnessTest> {};

TEST_F(HarnessTest, StoreSnapshotSeesEveryWriteOfARunningServer) {
  StoreSnapshot empty;
  ASSERT_TRUE(Snapshot(&empty));
  EXPECT_EQ(empty.contents().count("audit"), 0u) << "audit must be left out";
  EXPECT_GE(empty.contents().size(), 3u) << "one column family per record kind";

  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  StoreSnapshot linked;
  ASSERT_TRUE(Snapshot(&linked));
  EXPECT_FALSE(empty == linked);

  ASSERT_GRPC_OK(c->Send(*t, "snapshot-probe"));
  StoreSnapshot sent;
  ASSERT_TRUE(Snapshot(&sent));
  EXPECT_FALSE(linked == sent) << "a send must show up in the snapshot";
  ::testing::AssertionResult unchanged = Unchanged(linked);
  EXPECT_FALSE(unchanged);
  EXPECT_NE(std::string(unchanged.message()).find("added key"), std::string::npos)
      << unchanged.message();
  // The ciphertext is stored somewhere in it.
  bool found = false;
  for (const auto& [cf, kv] : sent.contents()) {
    for (const auto& [k, v] : kv) {
      if (v.find("snapshot-probe") != std::string::npos) found = true;
    }
  }
  EXPECT_TRUE(found);
  // Nothing changes between two snapshots without requests.
  EXPECT_TRUE(Unchanged(sent));
}

TEST_F(HarnessTest, ServerRunsWithSyncWritesOff) {
  ServerProcess server(WithFlags({"--sync-writes=false"}));
  ASSERT_TRUE(server.Start());
  {
    auto api = std::make_shared<Api>(server.channel());
    auto t = TestAccount::Create(api, v1::ROLE_THERAPIST);
    auto c = TestAccount::Create(api, v1::ROLE_CLIENT);
    ASSERT_TRUE(t && c);
    ASSERT_GRPC_OK(LinkAccounts(*t, *c));
    ASSERT_GRPC_OK(c->Send(*t, "unsynced"));
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
    EXPECT_EQ(got.size(), 1u);
  }
  EXPECT_TRUE(server.Stop());
}

}  // namespace
}  // namespace securebase::integration
