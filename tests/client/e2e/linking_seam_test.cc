// The ServerApi seam for linked devices, provisioning and blobs (issue 12),
// through the library's gRPC implementation against the real server: what
// the later link-device, add-device, devices, remove-device and backup
// --to-server flows will call. The CLI flows themselves are not built yet.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "grpc_server_api.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::e2e {
namespace {

class LinkingSeamTest : public E2eTest {};

sc::SignedPreKeyWire FromProto(const ::securebase::v1::SignedPreKey& key) {
  return sc::SignedPreKeyWire{key.key_id(), key.public_key(), key.signature()};
}

TEST_F(LinkingSeamTest, ProvisionJoinShareABlobAndRemove) {
  auto harness_api = std::make_shared<it::Api>(server().channel());
  auto existing = it::TestAccount::Create(harness_api, ::securebase::v1::ROLE_CLIENT);
  ASSERT_TRUE(existing);
  auto existing_api = sc::ConnectGrpcServerApi(Options(Home("existing")));
  ASSERT_TRUE(existing_api.ok()) << existing_api.status().message();
  (*existing_api)
      ->SetDevice(existing->user_id(), existing->device_id(0), &existing->device(0).auth, "");
  auto new_api = sc::ConnectGrpcServerApi(Options(Home("new")));
  ASSERT_TRUE(new_api.ok());

  // The new device waits at its slot; the existing one deposits.
  const std::string channel = it::RandomBytes(16);
  auto wait = (*new_api)->WaitForProvisioning(channel);
  ASSERT_TRUE(wait.ok()) << wait.status().message();
  ASSERT_TRUE((*wait)->WaitUntilOpen());
  ASSERT_TRUE((*existing_api)->DepositProvisioning(channel, "sealed provisioning message").ok());
  auto received = (*wait)->Receive();
  ASSERT_TRUE(received.ok()) << received.status().message();
  EXPECT_EQ(*received, "sealed provisioning message");
  EXPECT_EQ((*existing_api)->DepositProvisioning(channel, "again").code(),
            sc::ErrorCode::kFailedPrecondition);

  // The history archive goes up as a blob.
  const std::string archive = it::RandomBytes(3 * sc::kBlobPieceSize + 123);
  sc::BlobUpload upload;
  upload.kind = sc::BlobKind::kHistoryTransfer;
  upload.total_size = archive.size();
  auto put = (*existing_api)->PutBlob(upload, archive);
  ASSERT_TRUE(put.ok()) << put.status().message();
  EXPECT_TRUE(put->complete);

  // The new device joins with a binding for the next id (no token).
  auto listed = (*existing_api)->ListDevices();
  ASSERT_TRUE(listed.ok());
  const size_t index = existing->GenerateDevice(2);
  const ::securebase::v1::NewDevice keys = existing->NewDeviceProto(index);
  sc::AddDeviceRequest join;
  join.user_id = existing->user_id();
  join.device_auth_key = keys.device_auth_key();
  join.device_binding_signature = keys.device_binding_signature();
  join.device_binding = existing->DeviceBinding(index, listed->next_device_id);
  join.signed_prekey = FromProto(keys.signed_prekey());
  for (const auto& k : keys.one_time_prekeys()) {
    join.one_time_prekeys.push_back(sc::OneTimePreKeyWire{k.key_id(), k.public_key()});
  }
  auto joined = (*new_api)->AddDevice(join);
  ASSERT_TRUE(joined.ok()) << joined.status().message();
  EXPECT_EQ(*joined, listed->next_device_id);
  EXPECT_EQ((*new_api)->AddDevice(join).status().code(), sc::ErrorCode::kFailedPrecondition)
      << "the same binding twice";
  (*new_api)->SetDevice(existing->user_id(), *joined, &existing->device(index).auth, "");

  // ... and downloads the archive, resuming part way, then deletes it.
  std::string got;
  auto total = (*new_api)->GetBlob(put->blob_id, 0, "", [&](const std::string& piece) {
    got += piece;
    return sc::Status::Ok();
  });
  ASSERT_TRUE(total.ok()) << total.status().message();
  EXPECT_EQ(*total, archive.size());
  EXPECT_EQ(got, archive);
  std::string tail;
  ASSERT_TRUE((*new_api)
                  ->GetBlob(put->blob_id, 70000, "",
                            [&](const std::string& piece) {
                              tail += piece;
                              return sc::Status::Ok();
                            })
                  .ok());
  EXPECT_EQ(tail, archive.substr(70000));
  ASSERT_TRUE((*new_api)->DeleteBlob(put->blob_id).ok());
  EXPECT_EQ(
      (*existing_api)->GetBlobInfo(put->blob_id, sc::BlobKind::kHistoryTransfer).status().code(),
      sc::ErrorCode::kNotFound);

  // The existing device removes it again: its calls are refused clearly.
  ASSERT_TRUE((*existing_api)->RemoveDevice(*joined).ok());
  auto after = (*new_api)->ListDevices();
  EXPECT_EQ(after.status().code(), sc::ErrorCode::kPermissionDenied);
  EXPECT_EQ((*existing_api)->RemoveDevice(existing->device_id(0)).code(),
            sc::ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace securebase::e2e
