// Provisioning message v1: ephemeral-static X25519, HKDF-SHA256 under a fixed
// versioned label, XChaCha20-Poly1305 (provisioning.h has the format).
#include "securebase/crypto/provisioning.h"

#include <sodium.h>

#include <string>

#include "byte_io.h"
#include "dh.h"
#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {
namespace {

constexpr std::string_view kKeyLabel = "SecureBase/v1/provisioning";
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kKeyOffset = 1;
constexpr size_t kNonceOffset = kKeyOffset + kX25519PublicKeySize;
constexpr size_t kCiphertextOffset = kNonceOffset + kNonceSize;
static_assert(kCiphertextOffset + kTagSize == kProvisioningOverhead);
constexpr uint8_t kHasHistoryKey = 0x01;
// created at | id | flags
constexpr size_t kInnerFixedSize = 8 + kProvisioningIdSize + 1;
static_assert(kMaxProvisioningMessageSize ==
              kProvisioningOverhead +
                  ((kInnerFixedSize + kArchiveKeySize + kMaxProvisioningPayloadSize) /
                       kProvisioningPaddingBlock +
                   1) *
                      kProvisioningPaddingBlock);

const Status& DoesNotOpen() {
  static const Status kStatus = Status::InvalidMessage(
      "this provisioning message does not open with this link code: it was sealed to another "
      "code or channel, or was modified on the way");
  return kStatus;
}

// The message key: HKDF over X25519(own secret, peer public) with both public
// keys and the channel bound into the info. False for a low-order peer key.
[[nodiscard]] bool MessageKey(ByteSpan own_private, const DhPublicKey& peer,
                              const DhPublicKey& ephemeral, const LinkCode& code,
                              SecretArray<crypto_aead_xchacha20poly1305_ietf_KEYBYTES>& key) {
  SecretArray<internal::kDhOutputSize> shared;
  if (!internal::Dh(own_private, peer, shared)) return false;
  Bytes info(kKeyLabel.begin(), kKeyLabel.end());
  info.push_back(kProvisioningMessageVersion);
  info.insert(info.end(), ephemeral.span().begin(), ephemeral.span().end());
  info.insert(info.end(), code.public_key.span().begin(), code.public_key.span().end());
  info.insert(info.end(), code.channel_id.span().begin(), code.channel_id.span().end());
  // Cannot fail: 32 bytes out.
  Hkdf(ByteSpan(), shared.span(), info, key.mutable_span()).IgnoreError();
  return true;
}

Bytes AssociatedData(const ChannelId& channel, const DhPublicKey& ephemeral) {
  Bytes ad;
  ad.reserve(1 + kChannelIdSize + kX25519PublicKeySize);
  ad.push_back(kProvisioningMessageVersion);
  ad.insert(ad.end(), channel.span().begin(), channel.span().end());
  ad.insert(ad.end(), ephemeral.span().begin(), ephemeral.span().end());
  return ad;
}

// Refuses a message outside [code made - skew, now + skew] or older than the
// maximum age.
Status CheckTime(uint64_t created_at, uint64_t code_created_at, uint64_t now) {
  if (created_at > now && created_at - now > kProvisioningClockSkewSeconds) {
    return Status::InvalidMessage(
        "this provisioning message is dated in the future: check the clocks of both devices");
  }
  if (created_at < code_created_at &&
      code_created_at - created_at > kProvisioningClockSkewSeconds) {
    return Status::InvalidMessage(
        "this provisioning message was made before this link code was shown: an old message "
        "replayed, or the other device's clock is wrong");
  }
  if (now > created_at &&
      now - created_at > kMaxProvisioningAgeSeconds + kProvisioningClockSkewSeconds) {
    return Status::InvalidMessage("this provisioning message is too old: link the device again");
  }
  return Status::Ok();
}

}  // namespace

Result<bool> InMemoryProvisioningReplayRecord::Contains(const ProvisioningId& id) const {
  return ids_.count(id) > 0;
}

Status InMemoryProvisioningReplayRecord::Remember(const ProvisioningId& id, uint64_t) {
  ids_.insert(id);
  return Status::Ok();
}

PendingLink PendingLink::Generate(uint64_t now_unix_seconds, RandomSource& rng) {
  EnsureSodiumInitialized();
  DhKeyPair key = DhKeyPair::Generate(rng);
  LinkCode code;
  code.public_key = key.public_key();
  std::array<uint8_t, kChannelIdSize> channel;
  rng.Fill(channel);
  code.channel_id = ChannelId(channel);
  return PendingLink(std::move(key), code, now_unix_seconds);
}

Result<SealedProvisioningMessage> SealProvisioningMessage(const LinkCode& code,
                                                          const ProvisioningContent& content,
                                                          RandomSource& rng) {
  EnsureSodiumInitialized();
  if (content.payload.size() > kMaxProvisioningPayloadSize) {
    return Status::InvalidArgument(
        "provisioning payload of " + std::to_string(content.payload.size()) +
        " bytes is over the limit of " + std::to_string(kMaxProvisioningPayloadSize));
  }
  const DhKeyPair ephemeral = DhKeyPair::Generate(rng);
  SecretArray<crypto_aead_xchacha20poly1305_ietf_KEYBYTES> key;
  if (!MessageKey(ephemeral.private_key(), code.public_key, ephemeral.public_key(), code, key)) {
    return Status::InvalidMessage("this link code's key is not usable: it is not a real code");
  }

  SealedProvisioningMessage sealed;
  std::array<uint8_t, kProvisioningIdSize> id;
  rng.Fill(id);
  sealed.id = ProvisioningId(id);

  // Inner part, padded: wiped memory (it holds the payload and the history key).
  SecretBytes inner;
  inner.Reserve(kInnerFixedSize + kArchiveKeySize + content.payload.size() +
                kProvisioningPaddingBlock);
  internal::Writer<SecretBytes> w(inner);
  w.U64(content.created_at_unix_seconds);
  w.Raw(sealed.id.span());
  w.U8(content.history_key != nullptr ? kHasHistoryKey : 0);
  if (content.history_key != nullptr) w.Raw(content.history_key->bytes());
  w.Raw(content.payload);
  const size_t unpadded = inner.size();
  inner.Resize((unpadded / kProvisioningPaddingBlock + 1) * kProvisioningPaddingBlock);
  size_t padded = 0;
  if (sodium_pad(&padded, inner.data(), unpadded, kProvisioningPaddingBlock, inner.size()) != 0 ||
      padded != inner.size()) {
    std::abort();  // The buffer was sized for exactly this.
  }

  Bytes& out = sealed.bytes;
  out.resize(kProvisioningOverhead + inner.size());
  out[0] = kProvisioningMessageVersion;
  std::copy(ephemeral.public_key().span().begin(), ephemeral.public_key().span().end(),
            out.begin() + kKeyOffset);
  rng.Fill(std::span<uint8_t>(out.data() + kNonceOffset, kNonceSize));
  const Bytes ad = AssociatedData(code.channel_id, ephemeral.public_key());
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kCiphertextOffset, nullptr, inner.data(),
                                             inner.size(), ad.data(), ad.size(), nullptr,
                                             out.data() + kNonceOffset, key.data());
  return sealed;
}

Result<OpenedProvisioningMessage> PendingLink::Open(ByteSpan sealed, uint64_t now_unix_seconds,
                                                    const ProvisioningReplayRecord& seen) const {
  EnsureSodiumInitialized();
  if (!sealed.empty() && sealed[0] > kProvisioningMessageVersion) {
    return Status::UnsupportedVersion(
        "this provisioning message was sealed by a newer SecureBase: update the app on this "
        "device");
  }
  // A whole number of padding blocks, within the size limit: checked before
  // any X25519 work.
  if (sealed.size() < kProvisioningOverhead + kProvisioningPaddingBlock ||
      sealed.size() > kMaxProvisioningMessageSize ||
      (sealed.size() - kProvisioningOverhead) % kProvisioningPaddingBlock != 0 ||
      sealed[0] != kProvisioningMessageVersion) {
    return DoesNotOpen();
  }
  const DhPublicKey ephemeral =
      DhPublicKey::FromBytes(sealed.subspan(kKeyOffset, kX25519PublicKeySize)).value();
  SecretArray<crypto_aead_xchacha20poly1305_ietf_KEYBYTES> key;
  if (!MessageKey(key_.private_key(), ephemeral, ephemeral, code_, key)) return DoesNotOpen();
  const Bytes ad = AssociatedData(code_.channel_id, ephemeral);
  const ByteSpan ciphertext = sealed.subspan(kCiphertextOffset);
  SecretBytes inner(ciphertext.size() - kTagSize);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(inner.data(), nullptr, nullptr, ciphertext.data(),
                                                 ciphertext.size(), ad.data(), ad.size(),
                                                 sealed.data() + kNonceOffset, key.data()) != 0) {
    return DoesNotOpen();
  }

  // Authenticated: the sender knew this code. Still parsed strictly.
  const Status malformed = Status::InvalidMessage("this provisioning message is malformed");
  size_t unpadded = 0;
  if (sodium_unpad(&unpadded, inner.data(), inner.size(), kProvisioningPaddingBlock) != 0) {
    return malformed;
  }
  internal::Reader r(inner.span().first(unpadded));
  OpenedProvisioningMessage opened;
  std::array<uint8_t, kProvisioningIdSize> id{};
  uint8_t flags = 0;
  if (!r.U64(opened.created_at_unix_seconds) || !r.Raw(id) || !r.U8(flags) ||
      (flags & ~kHasHistoryKey) != 0) {
    return malformed;
  }
  opened.id = ProvisioningId(id);
  if (flags & kHasHistoryKey) {
    ByteSpan history_key;
    if (!r.View(kArchiveKeySize, history_key)) return malformed;
    opened.history_key = ArchiveKey::FromBytes(history_key).value();
  }
  const ByteSpan payload = r.Rest();
  if (payload.size() > kMaxProvisioningPayloadSize) return malformed;

  SB_RETURN_IF_ERROR(CheckTime(opened.created_at_unix_seconds, created_at_, now_unix_seconds));
  SB_ASSIGN_OR_RETURN(const bool replayed, seen.Contains(opened.id));
  if (replayed) {
    return Status::DuplicateMessage(
        "this provisioning message was accepted before: a replay, refused");
  }
  opened.payload = SecretBytes::CopyOf(payload);
  return opened;
}

}  // namespace securebase::crypto
