// The one-time prekey race: many concurrent bundle fetches never hand out the
// same one-time prekey twice, hand out exactly the uploaded ones, and then
// keep succeeding without one.
#include <gtest/gtest.h>

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

class PreKeyRaceTest : public ServerSuite<PreKeyRaceTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--rate-limit-rps=100000", "--rate-limit-burst=100000"});
  }
};

TEST_F(PreKeyRaceTest, ConcurrentFetchesNeverShareAOneTimePreKey) {
  constexpr int kFetchers = 8;
  constexpr int kFetchesEach = 15;             // 120 fetches in all...
  const std::vector<int> kUploads = {60, 40};  // ...for 60 and 40 prekeys.

  auto t = NewTherapist(0);
  ASSERT_TRUE(t);
  size_t second = 0;
  ASSERT_GRPC_OK(t->AddDevice(0, &second));
  const std::vector<size_t> devices = {0, second};
  // device id -> uploaded (key id, public key).
  std::map<uint32_t, std::set<std::pair<uint32_t, std::string>>> uploaded;
  for (size_t i = 0; i < devices.size(); ++i) {
    ASSERT_GRPC_OK(t->UploadOneTimePreKeys(devices[i], kUploads[i]));
    for (const auto& k : t->device(devices[i]).one_time_prekeys) {
      uploaded[t->device_id(devices[i])].insert({k.id, KeyBytes(k.key.public_key())});
    }
  }
  std::vector<std::unique_ptr<TestAccount>> fetchers;
  for (int i = 0; i < kFetchers; ++i) {
    fetchers.push_back(NewClient(0));
    ASSERT_TRUE(fetchers.back());
    ASSERT_GRPC_OK(LinkAccounts(*t, *fetchers.back()));
  }

  std::mutex mu;
  std::vector<v1::GetPreKeyBundlesResponse> responses;
  std::vector<std::string> errors;
  std::latch start(kFetchers);
  std::vector<std::thread> threads;
  for (int f = 0; f < kFetchers; ++f) {
    threads.emplace_back([&, f] {
      start.arrive_and_wait();
      for (int i = 0; i < kFetchesEach; ++i) {
        v1::GetPreKeyBundlesResponse resp;
        grpc::Status s = fetchers[f]->GetPreKeyBundles(t->user_id(), &resp);
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          responses.push_back(std::move(resp));
        } else {
          errors.push_back(StatusString(s));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(errors.empty()) << errors.size() << " fetches failed, first: " << errors[0];
  ASSERT_EQ(responses.size(), static_cast<size_t>(kFetchers * kFetchesEach));

  std::map<uint32_t, std::multiset<std::pair<uint32_t, std::string>>> handed_out;
  for (const auto& resp : responses) {
    ASSERT_EQ(resp.devices_size(), 2);
    for (const v1::DeviceBundle& b : resp.devices()) {
      EXPECT_EQ(b.signed_prekey().public_key().size(), 32u) << "every bundle has a signed prekey";
      if (b.has_one_time_prekey()) {
        handed_out[b.device_id()].insert(
            {b.one_time_prekey().key_id(), b.one_time_prekey().public_key()});
      }
    }
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    const uint32_t id = t->device_id(devices[i]);
    SCOPED_TRACE("device " + std::to_string(id));
    const auto& got = handed_out[id];
    std::set<std::pair<uint32_t, std::string>> distinct(got.begin(), got.end());
    EXPECT_EQ(distinct.size(), got.size()) << "a one-time prekey was handed out twice";
    EXPECT_EQ(got.size(), static_cast<size_t>(kUploads[i])) << "each handed out exactly once";
    EXPECT_EQ(distinct, uploaded[id]);
    uint32_t count = 99;
    ASSERT_GRPC_OK(t->GetPreKeyCount(devices[i], &count));
    EXPECT_EQ(count, 0u);
  }

  // With the pools empty, fetches still succeed, without one-time prekeys.
  v1::GetPreKeyBundlesResponse resp;
  ASSERT_GRPC_OK(fetchers[0]->GetPreKeyBundles(t->user_id(), &resp));
  ASSERT_EQ(resp.devices_size(), 2);
  for (const v1::DeviceBundle& b : resp.devices()) EXPECT_FALSE(b.has_one_time_prekey());
}

}  // namespace
}  // namespace securebase::integration
