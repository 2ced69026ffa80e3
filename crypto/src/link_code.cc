// Link code v1 and its text form (provisioning.h).
#include <string>

#include "checked_text.h"
#include "securebase/crypto/provisioning.h"

namespace securebase::crypto {
namespace {

constexpr internal::CheckedTextFormat kLinkCodeText = {
    .name = "link code",
    .checksum_label = "SecureBase/v1/link-code-check",
    .checksum_size = 6,
    .group_size = 4,
    .text_length = kLinkCodeTextLength,
};
static_assert((kLinkCodeSize + 6) * 8 / 5 == kLinkCodeTextLength);

}  // namespace

Bytes LinkCode::Serialize() const {
  Bytes out;
  out.reserve(kLinkCodeSize);
  out.push_back(kLinkCodeVersion);
  out.insert(out.end(), public_key.span().begin(), public_key.span().end());
  out.insert(out.end(), channel_id.span().begin(), channel_id.span().end());
  return out;
}

Result<LinkCode> LinkCode::Parse(ByteSpan bytes) {
  if (!bytes.empty() && bytes[0] > kLinkCodeVersion) {
    return Status::UnsupportedVersion(
        "this link code was made by a newer SecureBase: update the app on this device");
  }
  if (bytes.size() != kLinkCodeSize || bytes[0] != kLinkCodeVersion) {
    return Status::InvalidMessage("not a SecureBase link code");
  }
  LinkCode code;
  code.public_key = DhPublicKey::FromBytes(bytes.subspan(1, kX25519PublicKeySize)).value();
  code.channel_id = ChannelId::FromBytes(bytes.subspan(1 + kX25519PublicKeySize)).value();
  return code;
}

std::string LinkCode::ToText() const {
  const SecretBytes text = internal::EncodeCheckedText(kLinkCodeText, Serialize());
  return std::string(text.span().begin(), text.span().end());
}

Result<LinkCode> LinkCode::ParseText(std::string_view text) {
  SB_ASSIGN_OR_RETURN(const SecretBytes bytes, internal::DecodeCheckedText(kLinkCodeText, text));
  return Parse(bytes.span());
}

}  // namespace securebase::crypto
