// Recovery key v1 and its text form (recovery_key.h).
#include "securebase/crypto/recovery_key.h"

#include "checked_text.h"

namespace securebase::crypto {
namespace {

constexpr internal::CheckedTextFormat kRecoveryKeyText = {
    .name = "recovery key",
    .checksum_label = "SecureBase/v1/recovery-key-check",
    .checksum_size = 7,
    .group_size = 4,
    .text_length = kRecoveryKeyTextLength,
};
static_assert((1 + kRecoveryKeySize + 7) * 8 / 5 == kRecoveryKeyTextLength);

}  // namespace

RecoveryKey RecoveryKey::Generate(RandomSource& rng) {
  SecureBuffer key(kRecoveryKeySize);
  rng.Fill(key.mutable_span());
  return RecoveryKey(std::move(key));
}

Result<RecoveryKey> RecoveryKey::Parse(std::string_view text) {
  SB_ASSIGN_OR_RETURN(const SecretBytes bytes, internal::DecodeCheckedText(kRecoveryKeyText, text));
  // The checksum verified: a version byte this library does not know means a
  // key from a newer SecureBase, not a typo.
  if (bytes.data()[0] > kRecoveryKeyVersion) {
    return Status::UnsupportedVersion(
        "this recovery key was made by a newer SecureBase: update the app to use it");
  }
  if (bytes.size() != 1 + kRecoveryKeySize || bytes.data()[0] != kRecoveryKeyVersion) {
    return Status::InvalidMessage("this is not a SecureBase recovery key");
  }
  return RecoveryKey(SecureBuffer::CopyOf(bytes.span().subspan(1)));
}

SecretBytes RecoveryKey::ToText() const {
  SecretBytes payload(1 + kRecoveryKeySize);
  payload.data()[0] = kRecoveryKeyVersion;
  std::copy(key_.span().begin(), key_.span().end(), payload.data() + 1);
  return internal::EncodeCheckedText(kRecoveryKeyText, payload.span());
}

}  // namespace securebase::crypto
