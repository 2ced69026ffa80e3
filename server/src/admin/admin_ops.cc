#include "server/src/admin/admin_ops.h"

#include <sys/stat.h>

#include <filesystem>

#include "securebase/crypto/secret.h"
#include "server/src/common/limits.h"
#include "server/src/common/secrets.h"

namespace securebase::server {

Status AdminOps::IssueTherapistToken(const v1::IssueTherapistTokenRequest& request,
                                     v1::IssueTherapistTokenResponse& response) {
  uint32_t hours = request.expires_hours() == 0 ? 24 : request.expires_hours();
  std::string token = RandomBytes(random_, kRegistrationTokenSize);
  v1::RegistrationTokenRecord record;
  int64_t now = clock_.NowUnixMs();
  record.set_created_at_unix_ms(now);
  record.set_expires_at_unix_ms(now + int64_t{hours} * 3600 * 1000);
  Status stored =
      store_.CreateRegistrationToken(HashSecret(SecretPurpose::kRegistrationToken, token), record);
  if (stored.ok()) {
    response.set_token(ToHex(token));
    response.set_expires_at_unix_ms(record.expires_at_unix_ms());
  }
  crypto::SecureWipe(token.data(), token.size());
  return stored;
}

Status AdminOps::Backup(const v1::BackupRequest& request) {
  if (request.to_dir().empty() || request.to_dir()[0] != '/') {
    return Status::InvalidArgument("to_dir must be an absolute path");
  }
  std::error_code ec;
  std::filesystem::create_directories(request.to_dir(), ec);
  if (ec) return Status::FailedPrecondition("cannot create " + request.to_dir() + ": " + ec.message());
  ::chmod(request.to_dir().c_str(), 0700);
  return store_.Backup(request.to_dir() + "/db");
}

Status AdminOps::ListAudit(const v1::ListAuditRequest& request, v1::ListAuditResponse& response) {
  SBS_ASSIGN_OR_RETURN(AuditPage page, store_.ReadAudit(request.after_key(), request.limit()));
  for (auto& record : page.records) *response.add_records() = std::move(record);
  response.set_next_key(page.next_key);
  return Status::Ok();
}

Status AdminOps::Stats(const v1::StatsRequest& request, v1::StatsResponse& response) {
  if (request.compact()) SBS_RETURN_IF_ERROR(store_.Compact());
  SBS_ASSIGN_OR_RETURN(StoreStats stats, store_.Stats());
  for (const auto& [kind, count] : stats.counts) {
    v1::RecordCount* entry = response.add_counts();
    entry->set_kind(kind);
    entry->set_count(count);
  }
  response.set_disk_bytes(stats.disk_bytes);
  response.set_sst_bytes(stats.sst_bytes);
  return Status::Ok();
}

}  // namespace securebase::server
