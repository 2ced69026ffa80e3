// Linking a device: the new device's one-time link code, and the
// provisioning message an existing device of the account seals to it. What
// the caller may rely on: a provisioning message opens only with the secret
// of the very link code it was sealed to and only for that code's channel,
// exactly as it was sealed (or not at all: one error, nothing partial); a
// typo in a link code is reported as a typo, before any cryptography.
//
// The flow (DESIGN.md "Identity, devices, authentication"; docs/LINKING.md
// has the byte-level formats):
//   new device:      PendingLink link = PendingLink::Generate(now, rng);
//                    show link.code().ToText() (and the same text as a QR
//                    code); wait at the server's provisioning slot named by
//                    link.code().channel_id.
//   existing device: LinkCode code = LinkCode::ParseText(typed or scanned);
//                    SealProvisioningMessage(code, {now, &history_key,
//                    payload}, rng) and put the bytes into the slot named by
//                    code.channel_id. The payload is the client's own
//                    serialized records (identity key, account, profile,
//                    contacts with verification state, settings).
//   new device:      link.Open(bytes, now, replay_record) gives the payload,
//                    the history archive's key (archive.h) and the message's
//                    id and creation time; commit the linked state and
//                    replay_record.Remember(id, created_at) together.
//
// Who can seal: anyone who knows the code's public key, i.e. whoever saw the
// code. The public key must therefore never be sent to the server: the
// server sees only the channel id (the slot's name) and ciphertext, so it can
// neither read a provisioning message nor forge or swap one. The channel id
// is random and independent of the key.
//
// Formats, version 1 (integers big-endian):
//   link code (49 bytes):
//     version(1) = 0x01 | ephemeral X25519 public key(32) | channel id(16)
//   link code text: Crockford base32 of  link code | check(6)  = 88
//     characters, upper case, in groups of 4 joined by '-'; check = the first
//     6 bytes of BLAKE2b-256("SecureBase/v1/link-code-check" | 0x00 | link
//     code). Parsing ignores case, spaces and dashes and reads I, L as 1 and
//     O as 0.
//   provisioning message:
//     version(1) = 0x01 | sender's ephemeral X25519 public key E(32) |
//     nonce(24) | XChaCha20-Poly1305 ciphertext of the padded inner part
//   key:   HKDF-SHA256(salt = none, ikm = X25519(e, code key),
//                      info = "SecureBase/v1/provisioning" | version | E |
//                             code key | channel id)       (32 bytes)
//   AD:    version | channel id | E
//   inner: created at(8, seconds since the Unix epoch) | provisioning id(16)
//          | flags(1: bit 0 = a history key follows; other bits zero)
//          | [history archive key(32)] | payload,
//          padded ISO/IEC 7816-4 (sodium_pad) to a multiple of 1024 bytes so
//          the ciphertext's length says little about the payload's.
//
// Replays. The code's key is ephemeral and single-use, so a message sealed
// to any earlier code never opens. Within one code's life, Open refuses a
// message created before the code was made (minus clock skew), dated in the
// future, or older than kMaxProvisioningAgeSeconds (limits.h), and one whose
// id the caller's ProvisioningReplayRecord already holds.
//
// Thread-safety: none; PendingLink's key is wiped on destruction.
#ifndef SECUREBASE_CRYPTO_PROVISIONING_H_
#define SECUREBASE_CRYPTO_PROVISIONING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr uint8_t kLinkCodeVersion = 1;
inline constexpr uint8_t kProvisioningMessageVersion = 1;
inline constexpr size_t kChannelIdSize = 16;
inline constexpr size_t kProvisioningIdSize = 16;
inline constexpr size_t kLinkCodeSize = 1 + kX25519PublicKeySize + kChannelIdSize;
// Characters of a link code's text, without the dashes between groups.
inline constexpr size_t kLinkCodeTextLength = 88;
// Bytes a provisioning message adds to its inner part (before padding).
inline constexpr size_t kProvisioningOverhead = 1 + kX25519PublicKeySize + 24 + 16;
inline constexpr size_t kProvisioningPaddingBlock = 1024;
// The largest provisioning message there can be (a payload of
// kMaxProvisioningPayloadSize with a history key, padded): what a server's
// provisioning slot must accept, and the most Open reads.
inline constexpr size_t kMaxProvisioningMessageSize =
    kProvisioningOverhead +
    ((8 + 16 + 1 + kArchiveKeySize + kMaxProvisioningPayloadSize) / kProvisioningPaddingBlock + 1) *
        kProvisioningPaddingBlock;

struct ChannelIdTag {};
struct ProvisioningIdTag {};
// Names the server's single-use provisioning slot. Not secret.
using ChannelId = FixedBytes<ChannelIdTag, kChannelIdSize>;
// Random, sealed inside a provisioning message: what a replay record keeps.
using ProvisioningId = FixedBytes<ProvisioningIdTag, kProvisioningIdSize>;

// The public part of a link code: what the new device shows.
struct LinkCode {
  DhPublicKey public_key;
  ChannelId channel_id;

  // The kLinkCodeSize-byte form.
  Bytes Serialize() const;
  // kUnsupportedVersion for a newer version byte; kInvalidMessage for
  // anything else that is not a v1 link code.
  static Result<LinkCode> Parse(ByteSpan bytes);

  // The text form (88 characters in 22 groups of 4, e.g. "04XK-..."): what
  // the new device prints and puts in a QR code (upper-case letters, digits
  // and '-' fit the QR alphanumeric mode).
  std::string ToText() const;
  // Reads a typed or scanned code. kInvalidMessage, with a message for a
  // person, for a character that cannot be in a code (by position), a
  // missing or extra character, or a typo (the check characters do not
  // match); kUnsupportedVersion for a code made by a newer SecureBase.
  static Result<LinkCode> ParseText(std::string_view text);

  friend bool operator==(const LinkCode&, const LinkCode&) = default;
};

// What the existing device puts into a provisioning message.
struct ProvisioningContent {
  // The sender's clock.
  uint64_t created_at_unix_seconds = 0;
  // The key of the history archive that follows (archive.h, kind
  // kHistoryTransfer), or null when the user declined history.
  const ArchiveKey* history_key = nullptr;
  // The client's serialized records; at most kMaxProvisioningPayloadSize.
  ByteSpan payload;
};

struct SealedProvisioningMessage {
  Bytes bytes;
  ProvisioningId id;  // The random id sealed inside (for the sender's logs).
};

// Seals `content` to `code`. kInvalidArgument if the payload is over
// kMaxProvisioningPayloadSize; kInvalidMessage if the code's public key is
// unusable (a low-order point: a forged code).
Result<SealedProvisioningMessage> SealProvisioningMessage(const LinkCode& code,
                                                          const ProvisioningContent& content,
                                                          RandomSource& rng);

struct OpenedProvisioningMessage {
  ProvisioningId id;
  uint64_t created_at_unix_seconds = 0;
  std::optional<ArchiveKey> history_key;
  SecretBytes payload;
};

// Which provisioning messages a device has accepted. The client owns it:
// kept in memory for one link attempt (InMemoryProvisioningReplayRecord), or
// in its vault.
class ProvisioningReplayRecord {
 public:
  virtual ~ProvisioningReplayRecord() = default;
  // Whether a message with `id` was accepted before. kStorageFailure if that
  // cannot be told.
  virtual Result<bool> Contains(const ProvisioningId& id) const = 0;
  // Remembers an accepted message. Call it in the same commit that stores
  // what the message carried. Entries older than kMaxProvisioningAgeSeconds
  // + kProvisioningClockSkewSeconds may be forgotten: Open refuses such
  // messages as too old anyway.
  virtual Status Remember(const ProvisioningId& id, uint64_t created_at_unix_seconds) = 0;
};

class InMemoryProvisioningReplayRecord final : public ProvisioningReplayRecord {
 public:
  Result<bool> Contains(const ProvisioningId& id) const override;
  Status Remember(const ProvisioningId& id, uint64_t created_at_unix_seconds) override;

 private:
  std::set<ProvisioningId> ids_;
};

// The new device's side of one link attempt: the link code and its
// ephemeral X25519 secret (sodium_malloc memory, read-only). Single use:
// make a new one for every attempt; the secret cannot be exported.
class PendingLink {
 public:
  // A fresh key pair and random channel id. `now_unix_seconds` is this
  // device's clock: messages created before it (minus the skew) are refused.
  static PendingLink Generate(uint64_t now_unix_seconds, RandomSource& rng);

  const LinkCode& code() const { return code_; }
  uint64_t created_at_unix_seconds() const { return created_at_; }

  // Opens a provisioning message from the slot. Changes nothing, and records
  // nothing in `seen` (the caller does, see ProvisioningReplayRecord).
  //   kUnsupportedVersion  sealed by a newer SecureBase;
  //   kInvalidMessage      does not open (sealed to another code or channel,
  //                        modified, swapped, truncated: one message for all),
  //                        or opens but is malformed, or was created outside
  //                        the accepted window (too old, before this code, or
  //                        in the future: the message says which);
  //   kDuplicateMessage    `seen` holds its id (a replay);
  //   kStorageFailure      from `seen`.
  Result<OpenedProvisioningMessage> Open(ByteSpan sealed, uint64_t now_unix_seconds,
                                         const ProvisioningReplayRecord& seen) const;

  // Secret. For known-answer vectors and tests that check the format with
  // bare libsodium.
  ByteSpan PrivateKeyForTesting() const { return key_.private_key(); }

 private:
  PendingLink(DhKeyPair key, const LinkCode& code, uint64_t created_at)
      : key_(std::move(key)), code_(code), created_at_(created_at) {}
  DhKeyPair key_;
  LinkCode code_;
  uint64_t created_at_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_PROVISIONING_H_
