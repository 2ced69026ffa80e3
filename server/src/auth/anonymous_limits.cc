#include "server/src/auth/anonymous_limits.h"

#include <string>

namespace securebase::server {
namespace {

constexpr std::string_view kGlobal = "";

}  // namespace

AnonymousLimits::AnonymousLimits(const Clock& clock, const Limits& limits)
    : register_per_source_(clock, limits.register_rps_per_source, limits.register_burst_per_source,
                           kMaxTrackedSources),
      register_global_(clock, limits.register_rps, limits.register_burst),
      login_per_source_(clock, limits.login_rps_per_source, limits.login_burst_per_source,
                        kMaxTrackedSources),
      new_tokens_global_(clock, limits.login_rps, limits.login_burst),
      source_failures_(clock, limits.max_failed_logins_per_source,
                       int64_t{limits.failed_login_window_seconds} * 1000,
                       int64_t{limits.failed_login_window_seconds} * 1000) {}

Status AnonymousLimits::AdmitRegister(std::string_view source) {
  if (!register_per_source_.TryAcquire(source)) {
    return Status::ResourceExhausted("too many registrations from this address; retry later");
  }
  if (!register_global_.TryAcquire(kGlobal)) {
    return Status::ResourceExhausted("too many registrations right now; retry later");
  }
  return Status::Ok();
}

Status AnonymousLimits::AdmitLogin(std::string_view source) {
  if (int64_t wait_ms = source_failures_.BackoffMs(source); wait_ms > 0) {
    return Status::ResourceExhausted("too many failed logins from this address; retry in " +
                                     std::to_string((wait_ms + 999) / 1000) + " s");
  }
  if (!login_per_source_.TryAcquire(source)) {
    return Status::ResourceExhausted("too many logins from this address; retry later");
  }
  return Status::Ok();
}

Status AnonymousLimits::AdmitNewToken() {
  if (!new_tokens_global_.TryAcquire(kGlobal)) {
    return Status::ResourceExhausted("too many logins right now; retry later");
  }
  return Status::Ok();
}

void AnonymousLimits::RecordLoginFailure(std::string_view source) {
  source_failures_.RecordFailure(source);
}

void AnonymousLimits::Prune() {
  register_per_source_.Prune();
  register_global_.Prune();
  login_per_source_.Prune();
  new_tokens_global_.Prune();
  source_failures_.Prune();
}

}  // namespace securebase::server
