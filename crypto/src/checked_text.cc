#include "checked_text.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>

#include "securebase/crypto/random.h"

namespace securebase::crypto::internal {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32.

// The 5-bit value of a character, or -1. Crockford's decoding rules: either
// case, I and L are 1, O is 0; U is not a digit.
int Digit(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') return 0;
  if (c == 'I' || c == 'L') return 1;
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r'; }

void Checksum(const CheckedTextFormat& format, ByteSpan payload, std::span<uint8_t> out) {
  std::array<uint8_t, crypto_generichash_BYTES> hash;
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, hash.size());
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(format.checksum_label.data()),
                            format.checksum_label.size());
  const uint8_t separator = 0;
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, payload.data(), payload.size());
  crypto_generichash_final(&state, hash.data(), hash.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = hash[i];
  // The hash of a recovery key is as good as the key for a brute-force check.
  SecureWipe(hash.data(), hash.size());
  SecureWipe(&state, sizeof state);
}

}  // namespace

SecretBytes EncodeCheckedText(const CheckedTextFormat& format, ByteSpan payload) {
  EnsureSodiumInitialized();
  SecretBytes bytes = SecretBytes::CopyOf(payload);
  bytes.Resize(payload.size() + format.checksum_size);
  Checksum(format, payload, bytes.mutable_span().subspan(payload.size()));
  if (bytes.size() % 5 != 0) std::abort();  // A format definition error, not input.

  const size_t chars = bytes.size() / 5 * 8;
  SecretBytes text;
  text.Reserve(chars + chars / format.group_size);
  uint64_t buffer = 0;
  int bits = 0;
  size_t written = 0;
  for (uint8_t b : bytes.span()) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      if (written > 0 && written % format.group_size == 0) {
        const uint8_t dash = '-';
        text.Append(ByteSpan(&dash, 1));
      }
      const uint8_t c = static_cast<uint8_t>(kAlphabet[(buffer >> (bits - 5)) & 31]);
      text.Append(ByteSpan(&c, 1));
      ++written;
      bits -= 5;
    }
  }
  SecureWipe(&buffer, sizeof buffer);
  return text;
}

Result<SecretBytes> DecodeCheckedText(const CheckedTextFormat& format, std::string_view text) {
  EnsureSodiumInitialized();
  const std::string name(format.name);
  // Digits, validated, in wiped memory (a recovery key is secret).
  SecretBytes digits;
  digits.Reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsSeparator(text[i])) continue;
    const int d = Digit(text[i]);
    if (d < 0) {
      return Status::InvalidMessage("character " + std::to_string(i + 1) + " cannot be part of a " +
                                    name +
                                    " (it uses the digits 0-9 and the letters A-Z except U)");
    }
    const uint8_t v = static_cast<uint8_t>(d);
    digits.Append(ByteSpan(&v, 1));
  }
  const std::string length_error = "a " + name + " has " + std::to_string(format.text_length) +
                                   " characters; this one has " + std::to_string(digits.size());
  // Canonical base32 only: whole bytes, and any leftover bits zero.
  const size_t leftover_bits = digits.size() * 5 % 8;
  if (digits.size() == 0 || leftover_bits >= 5) return Status::InvalidMessage(length_error);
  SecretBytes bytes(digits.size() * 5 / 8);
  uint64_t buffer = 0;
  int bits = 0;
  size_t out = 0;
  for (uint8_t d : digits.span()) {
    buffer = (buffer << 5) | d;
    bits += 5;
    if (bits >= 8) {
      bytes.data()[out++] = static_cast<uint8_t>(buffer >> (bits - 8));
      bits -= 8;
    }
  }
  const bool padding_is_zero = (buffer & ((uint64_t{1} << bits) - 1)) == 0;
  SecureWipe(&buffer, sizeof buffer);
  if (!padding_is_zero || bytes.size() <= format.checksum_size) {
    return Status::InvalidMessage(length_error);
  }

  const size_t payload_size = bytes.size() - format.checksum_size;
  std::array<uint8_t, crypto_generichash_BYTES> expected{};
  Checksum(format, bytes.span().first(payload_size),
           std::span<uint8_t>(expected.data(), format.checksum_size));
  const bool matches = ConstantTimeEquals(bytes.span().subspan(payload_size),
                                          ByteSpan(expected.data(), format.checksum_size));
  SecureWipe(expected.data(), expected.size());
  if (!matches) {
    if (digits.size() != format.text_length) return Status::InvalidMessage(length_error);
    return Status::InvalidMessage("this " + name +
                                  " has a typo: its check characters do not match the rest; "
                                  "compare it character by character");
  }
  bytes.Resize(payload_size);
  return bytes;
}

}  // namespace securebase::crypto::internal
