// Every limit the server enforces, in one place. Configurable limits are
// fields of Limits (flags of the same name, see docs/SERVER.md); fixed
// protocol sizes are constants.
#ifndef SECUREBASE_SERVER_COMMON_LIMITS_H_
#define SECUREBASE_SERVER_COMMON_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace securebase::server {

// Fixed by the wire protocol.
inline constexpr size_t kUserIdSize = 16;
inline constexpr size_t kClientMessageIdSize = 16;
inline constexpr size_t kInviteSecretSize = 16;
inline constexpr size_t kSessionTokenSize = 32;        // 64 hex characters on the wire.
inline constexpr size_t kRegistrationTokenSize = 32;   // 64 hex characters.
inline constexpr size_t kChallengeSize = 32;
inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kMaxSealedProfileBytes = 4096;
// Source addresses whose request rates are tracked at once, per limit; past
// it, calls from new addresses are refused until buckets refill.
inline constexpr size_t kMaxTrackedSources = 100000;
// Fetch paging.
inline constexpr uint32_t kDefaultFetchLimit = 100;
inline constexpr uint32_t kMaxFetchLimit = 1000;
// A Fetch answer or a stream read batch stays below gRPC's default client
// receive limit (4 MiB), but always carries at least one envelope.
inline constexpr size_t kMaxFetchResponseBytes = 3 * 1024 * 1024;
// A stream reads at most this many envelopes and about this many bytes of
// ciphertext at a time (always at least one envelope): what one stream may
// hold in memory besides the envelope being written.
inline constexpr uint32_t kStreamReadBatch = 64;
inline constexpr size_t kStreamReadBytes = 256 * 1024;
// Default invite lifetime when CreateInvite asks for 0.
inline constexpr uint32_t kDefaultInviteSeconds = 72 * 3600;

// Operator-tunable limits. Defaults are what `securebase-server` uses without
// flags. Raising a limit costs memory or disk per request/account.
struct Limits {
  uint32_t max_envelope_bytes = 262144;        // Per ciphertext.
  uint32_t max_ciphertexts_per_send = 64;      // Per Send request.
  uint32_t max_prekeys_per_upload = 100;       // Register, AddDevice, UploadPreKeys.
  uint32_t max_prekeys_per_device = 1000;      // One-time prekey pool size.
  uint32_t max_outstanding_invites = 20;       // Unexpired, unredeemed, per therapist.
  uint32_t max_invite_seconds = 7 * 86400;     // Upper bound for CreateInvite.
  uint32_t max_streams_per_device = 4;         // Concurrent Subscribe streams; oldest gives way.
  uint32_t max_streams_per_account = 16;       // Across an account's devices; then refused.
  uint32_t max_streams = 20000;                // The whole server; then refused.
  uint32_t stream_write_timeout_seconds = 60;  // A write pending longer cancels the stream.
  double rate_limit_rps = 50;                  // Token bucket per account,
  double rate_limit_burst = 100;               //   on every authenticated RPC.
  // Unauthenticated calls (token buckets per source address and global).
  double register_rps_per_source = 0.1;        // Register: 6 a minute
  double register_burst_per_source = 10;       //   after a burst of 10,
  double register_rps = 5;                     //   and 5 a second server-wide
  double register_burst = 50;                  //   after a burst of 50.
  double login_rps_per_source = 2;             // GetChallenge + Authenticate,
  double login_burst_per_source = 20;          //   one token each, per source;
  double login_rps = 200;                      // successful logins (tokens
  double login_burst = 400;                    //   issued) server-wide.
  uint32_t max_failed_logins = 5;              // Per device, per window; then its failures back off
                                               //   (a correct signature always logs in).
  uint32_t max_failed_logins_per_source = 20;  // Per source, per window; then the source backs off.
  uint32_t failed_login_window_seconds = 900;  // Failures are remembered this long.
  uint32_t max_tokens_per_device = 10;         // Live tokens; a new login revokes the oldest.
  uint32_t max_devices_per_account = 5;        // Linked devices (AddDevice); then RESOURCE_EXHAUSTED.
  uint32_t token_ttl_seconds = 86400;
  uint32_t challenge_ttl_seconds = 60;
  uint32_t retention_days = 30;                // Undelivered envelopes, idempotency records.
  // Storage (undelivered envelopes count until acknowledged or expired).
  uint32_t max_mailbox_envelopes = 20000;  // Per device mailbox; then sends to it are refused.
  uint32_t max_mailbox_mb = 256;           // Per device mailbox (stored bytes).
  uint32_t max_account_mb_per_day = 512;   // What one account's sends may store per UTC day.
  uint32_t min_free_disk_mb = 1024;        // Below this, calls that store more are refused.
  uint32_t disk_reserve_mb = 64;           // Held back (DATA_DIR/reserve) for acks and logins.
  uint32_t audit_retention_days = 90;      // Audit records (security events).
  // Linking devices (provisioning slots live in memory; see docs/SERVER.md).
  uint32_t provisioning_slot_seconds = 600;  // A slot's lifetime from its first open.
  uint32_t max_provisioning_slots = 10000;   // Open slots server-wide; then refused.
  double provisioning_rps_per_source = 0.2;  // New slots per source address: 12 a minute
  double provisioning_burst_per_source = 10; //   after a burst of 10.
  // Blobs (history archives, backups; stored bytes count at the declared size).
  uint32_t max_blob_mb = 256;                 // One blob.
  uint32_t max_account_blob_mb = 512;         // All of an account's blobs.
  uint32_t max_blobs_per_account = 8;         // Blobs one account holds at once.
  uint32_t blob_transfer_seconds = 86400;     // History archives and unfinished uploads expire.

  // Connections (gRPC transport). Each bounds what an idle, silent or slow
  // peer can hold.
  uint32_t keepalive_seconds = 30;              // Server pings an idle transport this often;
  uint32_t keepalive_timeout_seconds = 10;      //   no answer within this closes it.
  uint32_t connection_idle_seconds = 300;       // A connection without calls is closed.
  uint32_t connection_age_seconds = 86400;      // Every connection is closed after this
  uint32_t connection_age_grace_seconds = 300;  //   plus this for calls in flight.
  uint32_t handshake_timeout_seconds = 10;      // TLS + HTTP/2 preface must complete in this.
  uint32_t max_streams_per_connection = 128;    // Concurrent calls on one connection.
  uint32_t max_metadata_bytes = 8192;           // Request headers of one call.
  uint32_t memory_quota_mb = 1024;              // gRPC's memory for all connections.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_LIMITS_H_
