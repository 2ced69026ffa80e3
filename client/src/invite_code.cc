#include "invite_code.h"

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/secret_box.h"

namespace securebase::client {

using crypto::AsBytes;
namespace {

constexpr std::string_view kPrefix = "sb1-";
constexpr uint8_t kVersion = 1;
constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";  // RFC 4648 base32.
constexpr size_t kPayloadSize =
    1 + kInviteSecretSize + crypto::kSecretBoxKeySize + kInviteKeyPinSize;

std::string Base32(crypto::ByteSpan bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<crypto::SecretBytes> FromBase32(std::string_view text) {
  crypto::SecretBytes out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'a' && c <= 'z')
      value = c - 'a';
    else if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= '2' && c <= '7')
      value = c - '2' + 26;
    else
      return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      uint8_t byte = static_cast<uint8_t>(buffer >> (bits - 8));
      out.Append(crypto::ByteSpan(&byte, 1));
      bits -= 8;
    }
  }
  // Leftover bits must be zero padding (canonical encoding only).
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string FormatInviteCode(const InviteCode& code) {
  crypto::SecretBytes payload;
  const uint8_t version = kVersion;
  payload.Append(crypto::ByteSpan(&version, 1));
  payload.Append(AsBytes(code.invite_secret));
  payload.Append(code.profile_key.span());
  payload.Append(AsBytes(code.key_pin));
  std::string encoded = Base32(payload.span());
  std::string out(kPrefix);
  for (size_t i = 0; i < encoded.size(); i += 8) {
    if (i > 0) out += '-';
    out += encoded.substr(i, 8);
  }
  crypto::SecureWipe(encoded.data(), encoded.size());
  return out;
}

std::optional<InviteCode> ParseInviteCode(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != '-' && c != ' ' && c != '\n' && c != '\t') compact += c;
  }
  // The prefix in any case: phone keyboards capitalise the first letter.
  if (compact.size() < 3 || (compact[0] != 's' && compact[0] != 'S') ||
      (compact[1] != 'b' && compact[1] != 'B') || compact[2] != '1') {
    return std::nullopt;
  }
  auto payload = FromBase32(std::string_view(compact).substr(3));
  crypto::SecureWipe(compact.data(), compact.size());
  if (!payload || payload->size() != kPayloadSize || payload->data()[0] != kVersion) {
    return std::nullopt;
  }
  const char* p = reinterpret_cast<const char*>(payload->data()) + 1;
  InviteCode code;
  code.invite_secret.assign(p, kInviteSecretSize);
  code.profile_key = crypto::SecretBytes::CopyOf(
      crypto::ByteSpan(payload->data() + 1 + kInviteSecretSize, crypto::kSecretBoxKeySize));
  code.key_pin.assign(p + kInviteSecretSize + crypto::kSecretBoxKeySize, kInviteKeyPinSize);
  return code;
}

std::string KeyPin(const crypto::IdentityPublicKey& key) {
  crypto::IdentityFingerprint fingerprint = crypto::FingerprintIdentity(key);
  return std::string(reinterpret_cast<const char*>(fingerprint.data()), kInviteKeyPinSize);
}

bool KeyPinMatches(std::string_view pin, const crypto::IdentityPublicKey& key) {
  const std::string expected = KeyPin(key);
  return crypto::ConstantTimeEquals(AsBytes(pin), AsBytes(expected));
}

}  // namespace securebase::client
