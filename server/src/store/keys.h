// Binary keys of the RocksDB column families: fixed width, big-endian
// integers, so that byte order is numeric order and prefix scans come back
// sorted (e.g. a mailbox's envelopes in seq order).
#ifndef SECUREBASE_SERVER_STORE_KEYS_H_
#define SECUREBASE_SERVER_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace securebase::server::keys {

void AppendBe32(std::string& out, uint32_t value);
void AppendBe64(std::string& out, uint64_t value);
// Reads a big-endian integer at `offset`; `in` must be long enough.
uint32_t ReadBe32(std::string_view in, size_t offset);
uint64_t ReadBe64(std::string_view in, size_t offset);
std::string EncodeBe64(uint64_t value);

// accounts: user_id.   identity_keys: identity_key -> user_id.
// devices: user_id || device_id.
std::string Device(std::string_view user_id, uint32_t device_id);

// prekeys: user_id || device_id || key_id. Prefixes per device and per user.
std::string PreKey(std::string_view user_id, uint32_t device_id, uint32_t key_id);
std::string PreKeyDevicePrefix(std::string_view user_id, uint32_t device_id);
uint32_t PreKeyIdOf(std::string_view key);  // Last 4 bytes.

// invites: 0x01 || hash -> InviteRecord;  0x02 || therapist || hash -> BE64 expiry.
inline constexpr char kInviteRecordTag = 0x01;
inline constexpr char kInviteIndexTag = 0x02;
std::string Invite(std::string_view secret_hash);
std::string InviteIndex(std::string_view therapist_id, std::string_view secret_hash);
std::string InviteIndexPrefix(std::string_view therapist_id);

// links: user_id || peer_user_id.
std::string Link(std::string_view user_id, std::string_view peer_id);

// mailboxes: 0x01 || user_id || device_id || seq -> EnvelopeRecord;
//            0x02 || user_id || device_id -> BE64 last assigned seq.
inline constexpr char kEnvelopeTag = 0x01;
inline constexpr char kHighWaterTag = 0x02;
inline constexpr size_t kMailboxPrefixSize = 1 + 16 + 4;
inline constexpr size_t kEnvelopeKeySize = kMailboxPrefixSize + 8;
std::string MailboxPrefix(std::string_view user_id, uint32_t device_id);
std::string Envelope(std::string_view user_id, uint32_t device_id, uint64_t seq);
std::string HighWater(std::string_view user_id, uint32_t device_id);
// mailbox_usage: user_id || device_id -> BE64 envelope count || BE64 bytes
// of the stored records (merged deltas; mailbox_usage.h).
std::string MailboxUsage(std::string_view user_id, uint32_t device_id);
uint64_t EnvelopeSeqOf(std::string_view key);  // Last 8 bytes.

// idempotency: user_id || device_id || client_message_id.
std::string Idempotency(std::string_view user_id, uint32_t device_id,
                        std::string_view client_message_id);

// device_tokens: user_id || device_id || created_ms (8) || token hash (32)
//   -> BE64 expiry. The device's live tokens, oldest first.
std::string TokenIndex(std::string_view user_id, uint32_t device_id, uint64_t created_ms,
                       std::string_view token_hash);
inline constexpr size_t kTokenIndexPrefixSize = 16 + 4;
inline constexpr size_t kTokenIndexKeySize = kTokenIndexPrefixSize + 8 + 32;

// audit: time_ms || counter.
std::string Audit(uint64_t time_ms, uint64_t counter);

// The smallest key greater than every key starting with `prefix`; nullopt
// if there is none (prefix all 0xff).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace securebase::server::keys

#endif  // SECUREBASE_SERVER_STORE_KEYS_H_
