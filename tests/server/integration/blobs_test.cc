// The blob store (issue 12: history archives and backups; attachments
// later). The adversaries: another account reading or deleting a blob it
// does not own, an uploader exceeding its size and account quotas or sending
// malformed pieces, and a dropped upload or download (resumed at an offset).
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "securebase/v1/blobs.grpc.pb.h"
#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

constexpr size_t kChunk = 65536;

struct PutResult {
  grpc::Status status;
  v1::PutBlobResponse response;
};

// Sends `first` (header fields) then `pieces`, each its own message (the
// first piece in `first`'s message).
PutResult Put(const TestAccount& by, v1::PutBlobRequest first,
              const std::vector<std::string>& pieces) {
  auto stub = v1::Blobs::NewStub(by.api().channel);
  auto ctx = by.Context(0);
  PutResult out;
  auto writer = stub->PutBlob(ctx.get(), &out.response);
  if (!pieces.empty()) first.set_data(pieces[0]);
  bool ok = writer->Write(first);
  for (size_t i = 1; ok && i < pieces.size(); ++i) {
    v1::PutBlobRequest next;
    next.set_data(pieces[i]);
    ok = writer->Write(next);
  }
  writer->WritesDone();
  out.status = writer->Finish();
  return out;
}

std::vector<std::string> Pieces(const std::string& data, size_t from = 0) {
  std::vector<std::string> out;
  for (size_t at = from; at < data.size(); at += kChunk) out.push_back(data.substr(at, kChunk));
  return out;
}

v1::PutBlobRequest NewBlob(v1::BlobKind kind, uint64_t size, const std::string& capability = "") {
  v1::PutBlobRequest req;
  req.set_kind(kind);
  req.set_total_size(size);
  req.set_read_capability(capability);
  return req;
}

grpc::Status Get(const TestAccount* by, const std::string& blob_id, uint64_t offset,
                 std::string* data, const std::string& capability = "") {
  auto stub = v1::Blobs::NewStub(by != nullptr ? by->api().channel : nullptr);
  auto ctx = by != nullptr ? by->Context(0) : MakeContext();
  v1::GetBlobRequest req;
  req.set_blob_id(blob_id);
  req.set_offset(offset);
  req.set_read_capability(capability);
  auto reader = stub->GetBlob(ctx.get(), req);
  v1::GetBlobResponse message;
  data->clear();
  while (reader->Read(&message)) data->append(message.data());
  return reader->Finish();
}

grpc::Status Delete(const TestAccount& by, const std::string& blob_id) {
  auto stub = v1::Blobs::NewStub(by.api().channel);
  v1::DeleteBlobRequest req;
  req.set_blob_id(blob_id);
  v1::DeleteBlobResponse resp;
  return stub->DeleteBlob(by.Context(0).get(), req, &resp);
}

class BlobsTest : public ServerSuite<BlobsTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--max-blob-mb=1", "--max-account-blob-mb=2", "--max-blobs-per-account=3"});
  }
};

TEST_F(BlobsTest, UploadResumesDownloadResumesOnlyTheOwnerReads) {
  auto owner = NewClient();
  auto other = NewClient();
  ASSERT_TRUE(owner && other);
  const std::string archive = RandomBytes(3 * kChunk + 1000);
  const std::string capability = RandomBytes(32);
  // The upload drops after two pieces.
  std::vector<std::string> pieces = Pieces(archive);
  PutResult first = Put(*owner, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, archive.size(), capability),
                        {pieces[0], pieces[1]});
  ASSERT_GRPC_OK(first.status);
  EXPECT_EQ(first.response.stored_size(), 2 * kChunk);
  EXPECT_FALSE(first.response.complete());
  const std::string id = first.response.blob_id();
  std::string got;
  EXPECT_GRPC_CODE(Get(owner.get(), id, 0, &got), StatusCode::NOT_FOUND) << "incomplete";
  // Resuming anywhere but the stored size is refused.
  v1::PutBlobRequest resume;
  resume.set_resume_blob_id(id);
  resume.set_offset(kChunk);
  EXPECT_GRPC_CODE(Put(*owner, resume, {pieces[1]}).status, StatusCode::INVALID_ARGUMENT);
  resume.set_offset(2 * kChunk);
  EXPECT_GRPC_CODE(Put(*other, resume, {pieces[2]}).status, StatusCode::NOT_FOUND);
  PutResult rest = Put(*owner, resume, Pieces(archive, 2 * kChunk));
  ASSERT_GRPC_OK(rest.status);
  EXPECT_TRUE(rest.response.complete());
  EXPECT_GRPC_CODE(Put(*owner, resume, {"x"}).status, StatusCode::FAILED_PRECONDITION);

  ASSERT_GRPC_OK(Get(owner.get(), id, 0, &got));
  EXPECT_EQ(got, archive);
  ASSERT_GRPC_OK(Get(owner.get(), id, 100000, &got));  // A resumed download.
  EXPECT_EQ(got, archive.substr(100000));
  EXPECT_GRPC_CODE(Get(owner.get(), id, archive.size() + 1, &got), StatusCode::OUT_OF_RANGE);

  // Another account: not without the capability, and it cannot delete.
  EXPECT_GRPC_CODE(Get(other.get(), id, 0, &got), StatusCode::NOT_FOUND);
  EXPECT_GRPC_CODE(Get(other.get(), id, 0, &got, RandomBytes(32)), StatusCode::NOT_FOUND);
  ASSERT_GRPC_OK(Get(other.get(), id, 0, &got, capability));
  EXPECT_EQ(got, archive);
  EXPECT_GRPC_CODE(Delete(*other, id), StatusCode::NOT_FOUND);
  // No token at all: only with the capability (a device restoring a backup).
  {
    auto stub = v1::Blobs::NewStub(owner->api().channel);
    v1::GetBlobRequest req;
    req.set_blob_id(id);
    auto ctx = MakeContext();
    auto reader = stub->GetBlob(ctx.get(), req);
    v1::GetBlobResponse m;
    while (reader->Read(&m)) {
    }
    EXPECT_GRPC_CODE(reader->Finish(), StatusCode::UNAUTHENTICATED);
  }

  ASSERT_GRPC_OK(Delete(*owner, id));
  EXPECT_GRPC_CODE(Get(owner.get(), id, 0, &got), StatusCode::NOT_FOUND);
  EXPECT_GRPC_CODE(Get(other.get(), id, 0, &got, capability), StatusCode::NOT_FOUND);
}

TEST_F(BlobsTest, LimitsAndMalformedUploadsAreRefused) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const uint64_t kMb = 1 << 20;
  EXPECT_GRPC_CODE(Put(*a, NewBlob(v1::BLOB_KIND_BACKUP, kMb + 1), {}).status,
                   StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_GRPC_CODE(Put(*a, NewBlob(v1::BLOB_KIND_UNSPECIFIED, 10), {}).status,
                   StatusCode::INVALID_ARGUMENT);
  EXPECT_GRPC_CODE(Put(*a, NewBlob(v1::BLOB_KIND_BACKUP, 0), {}).status,
                   StatusCode::INVALID_ARGUMENT);
  EXPECT_GRPC_CODE(Put(*a, NewBlob(v1::BLOB_KIND_BACKUP, 10, "short"), {}).status,
                   StatusCode::INVALID_ARGUMENT);
  // A piece that is neither a whole chunk nor the blob's last.
  EXPECT_GRPC_CODE(Put(*a, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, 2 * kChunk), {"abc"}).status,
                   StatusCode::INVALID_ARGUMENT);
  // More data than declared.
  EXPECT_GRPC_CODE(
      Put(*a, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, 10), {std::string(11, 'z')}).status,
      StatusCode::INVALID_ARGUMENT);
  // A message above the chunk size is refused before it is parsed.
  EXPECT_GRPC_CODE(
      Put(*a, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, 4 * kChunk), {std::string(2 * kChunk, 'z')})
          .status,
      StatusCode::RESOURCE_EXHAUSTED);

  // The account quota: 2 MiB declared across its blobs, at most 3 blobs
  // (the refused ones above may have created blobs that count too: start over).
  auto b = NewClient();
  ASSERT_TRUE(b);
  ASSERT_GRPC_OK(Put(*b, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, kMb), {}).status);
  ASSERT_GRPC_OK(Put(*b, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, kMb), {}).status);
  grpc::Status over = Put(*b, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, 1), {}).status;
  EXPECT_GRPC_CODE(over, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over.error_message().find("quota"), std::string::npos) << over.error_message();
}

TEST_F(BlobsTest, ACompleteBackupReplacesThePreviousOne) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const std::string one = RandomBytes(5000), two = RandomBytes(7000);
  PutResult first = Put(*a, NewBlob(v1::BLOB_KIND_BACKUP, one.size()), {one});
  ASSERT_GRPC_OK(first.status);
  // An unfinished second backup leaves the first in place.
  PutResult partial = Put(*a, NewBlob(v1::BLOB_KIND_BACKUP, two.size()), {});
  ASSERT_GRPC_OK(partial.status);
  std::string got;
  ASSERT_GRPC_OK(Get(a.get(), first.response.blob_id(), 0, &got));
  v1::PutBlobRequest resume;
  resume.set_resume_blob_id(partial.response.blob_id());
  ASSERT_GRPC_OK(Put(*a, resume, {two}).status);
  EXPECT_GRPC_CODE(Get(a.get(), first.response.blob_id(), 0, &got), StatusCode::NOT_FOUND);
  auto stub = v1::Blobs::NewStub(a->api().channel);
  v1::GetBlobInfoRequest req;
  req.set_kind(v1::BLOB_KIND_BACKUP);
  v1::GetBlobInfoResponse info;
  ASSERT_GRPC_OK(stub->GetBlobInfo(a->Context().get(), req, &info));
  EXPECT_EQ(info.blob_id(), partial.response.blob_id());
  EXPECT_TRUE(info.complete());
  EXPECT_EQ(info.expires_at_unix_ms(), 0) << "a complete backup does not expire";
  ASSERT_GRPC_OK(Get(a.get(), info.blob_id(), 0, &got));
  EXPECT_EQ(got, two);
}

class BlobExpiryTest : public ServerSuite<BlobExpiryTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--blob-transfer-seconds=1", "--sweep-interval-seconds=1"});
  }
};

TEST_F(BlobExpiryTest, HistoryArchiveExpires) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const std::string archive = RandomBytes(1000);
  PutResult put = Put(*a, NewBlob(v1::BLOB_KIND_HISTORY_TRANSFER, archive.size()), {archive});
  ASSERT_GRPC_OK(put.status);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::string got;
  EXPECT_GRPC_CODE(Get(a.get(), put.response.blob_id(), 0, &got), StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace securebase::integration
