// Send with an out-of-date view of the devices: FAILED_PRECONDITION with the
// DeviceMismatch trailer, and nothing stored. Fan-out to the sender's own
// other devices.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

constexpr char kMismatchTrailer[] = "securebase-device-mismatch-bin";

class DeviceMismatchTest : public ServerSuite<DeviceMismatchTest> {
 protected:
  // Sends `req` from `from` and parses the mismatch trailer, if any.
  grpc::Status SendAndReadTrailer(const TestAccount& from, const v1::SendRequest& req,
                                  bool* has_trailer, v1::DeviceMismatch* mismatch,
                                  size_t from_device = 0) {
    auto ctx = from.Context(from_device);
    v1::SendResponse resp;
    grpc::Status s = api_->messages->Send(ctx.get(), req, &resp);
    const auto& trailers = ctx->GetServerTrailingMetadata();
    auto it = trailers.find(kMismatchTrailer);
    *has_trailer = it != trailers.end();
    mismatch->Clear();
    if (*has_trailer) {
      EXPECT_TRUE(mismatch->ParseFromArray(it->second.data(), static_cast<int>(it->second.size())))
          << "the trailer is not a serialized DeviceMismatch";
    }
    return s;
  }

  static std::set<std::string> AsSet(
      const google::protobuf::RepeatedPtrField<v1::DeviceAddress>& list) {
    std::set<std::string> out;
    for (const auto& a : list) out.insert(AddressString(a));
    return out;
  }

  // Expects the refusal, the listed devices, and no change to the store.
  void ExpectMismatch(const TestAccount& from, const v1::SendRequest& req,
                      const std::set<std::string>& missing, const std::set<std::string>& stale,
                      size_t from_device = 0) {
    StoreSnapshot before;
    ASSERT_TRUE(Snapshot(&before));
    bool has_trailer = false;
    v1::DeviceMismatch mismatch;
    grpc::Status s = SendAndReadTrailer(from, req, &has_trailer, &mismatch, from_device);
    EXPECT_TRUE(HasCode(s, StatusCode::FAILED_PRECONDITION));
    ASSERT_TRUE(has_trailer) << "no " << kMismatchTrailer << " trailer";
    EXPECT_EQ(AsSet(mismatch.missing_devices()), missing);
    EXPECT_EQ(AsSet(mismatch.stale_devices()), stale);
    EXPECT_EQ(mismatch.missing_devices_size(), static_cast<int>(missing.size()))
        << "listed more than once";
    EXPECT_EQ(mismatch.stale_devices_size(), static_cast<int>(stale.size()))
        << "listed more than once";
    EXPECT_TRUE(Unchanged(before));
  }

  static void AddCiphertext(v1::SendRequest& req, const v1::DeviceAddress& to) {
    v1::OutgoingCiphertext* c = req.add_ciphertexts();
    *c->mutable_recipient() = to;
    c->set_ciphertext(TargetCiphertext("extra", to));
  }

  static void RemoveCiphertext(v1::SendRequest& req, const v1::DeviceAddress& to) {
    auto* list = req.mutable_ciphertexts();
    for (int i = 0; i < list->size(); ++i) {
      if (list->Get(i).recipient().user_id() == to.user_id() &&
          list->Get(i).recipient().device_id() == to.device_id()) {
        list->DeleteSubrange(i, 1);
        return;
      }
    }
    ADD_FAILURE() << "no ciphertext for " << AddressString(to);
  }
};

TEST_F(DeviceMismatchTest, OmittedRecipientDeviceIsListedAsMissing) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  // The client's view: one therapist device. Then the therapist adds one.
  v1::SendRequest outdated = c->MakeSend(*t, "outdated");
  size_t second = 0;
  ASSERT_GRPC_OK(t->AddDevice(1, &second));
  ExpectMismatch(*c, outdated, {AddressString(t->address(second))}, {});
  // Nothing was stored for the device that was addressed.
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  EXPECT_TRUE(got.empty());
  // With the view brought up to date the send goes through to both.
  ASSERT_GRPC_OK(c->Send(*t, "current"));
  for (size_t d : {size_t{0}, second}) {
    ASSERT_GRPC_OK(t->FetchAll(d, 0, &got));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("current", t->address(d)));
  }
}

TEST_F(DeviceMismatchTest, NonexistentDeviceIsListedAsStale) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(t->AddDevice(1));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest req = c->MakeSend(*t, "stale");
  AddCiphertext(req, Address(t->user_id(), 7));
  ExpectMismatch(*c, req, {}, {AddressString(Address(t->user_id(), 7))});
}

TEST_F(DeviceMismatchTest, SendersOwnOtherDevicesMustBeIncluded) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  size_t second = 0;
  ASSERT_GRPC_OK(c->AddDevice(1, &second));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest req = c->MakeSend(*t, "no-own-copy");
  RemoveCiphertext(req, c->address(second));
  ExpectMismatch(*c, req, {AddressString(c->address(second))}, {});

  // A nonexistent own device is stale.
  req = c->MakeSend(*t, "own-stale");
  AddCiphertext(req, Address(c->user_id(), 5));
  ExpectMismatch(*c, req, {}, {AddressString(Address(c->user_id(), 5))});
}

TEST_F(DeviceMismatchTest, MissingAndStaleAreListedTogether) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  size_t t2 = 0;
  size_t c2 = 0;
  ASSERT_GRPC_OK(t->AddDevice(1, &t2));
  ASSERT_GRPC_OK(c->AddDevice(1, &c2));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest req = c->MakeSend(*t, "mixed");
  RemoveCiphertext(req, t->address(t2));
  RemoveCiphertext(req, c->address(c2));
  AddCiphertext(req, Address(t->user_id(), 9));
  ExpectMismatch(*c, req, {AddressString(t->address(t2)), AddressString(c->address(c2))},
                 {AddressString(Address(t->user_id(), 9))});
}

TEST_F(DeviceMismatchTest, FanOutToTheSendersOtherDevice) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  size_t c2 = 0;
  size_t c3 = 0;
  ASSERT_GRPC_OK(c->AddDevice(1, &c2));
  ASSERT_GRPC_OK(c->AddDevice(1, &c3));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  bool has_trailer = true;
  v1::DeviceMismatch mismatch;
  ASSERT_GRPC_OK(SendAndReadTrailer(*c, c->MakeSend(*t, "sync", c2), &has_trailer, &mismatch, c2));
  EXPECT_FALSE(has_trailer);
  for (size_t d : {size_t{0}, c3}) {
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(c->FetchAll(d, 0, &got));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("sync", c->address(d)));
    EXPECT_EQ(got[0].sender().user_id(), c->user_id());
    EXPECT_EQ(got[0].sender().device_id(), c->device_id(c2));
  }
  std::vector<v1::Envelope> own;
  ASSERT_GRPC_OK(c->FetchAll(c2, 0, &own));
  EXPECT_TRUE(own.empty());
  std::vector<v1::Envelope> therapist;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &therapist));
  ASSERT_EQ(therapist.size(), 1u);
  EXPECT_EQ(therapist[0].sender().device_id(), c->device_id(c2));
}

}  // namespace
}  // namespace securebase::integration
