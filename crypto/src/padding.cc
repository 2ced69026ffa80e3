#include "securebase/crypto/padding.h"

#include <sodium.h>

#include <bit>

#include "securebase/crypto/limits.h"

namespace securebase::crypto {

size_t PaddedSize(size_t length) {
  // One byte more for the 0x80 marker of ISO/IEC 7816-4 padding.
  const size_t needed = length + 1;
  if (needed <= kMinPaddedSize) return kMinPaddedSize;
  // Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
  // Communication with PURBs", 2019): keep the top floor(log2(E))+1 bits of
  // the length's binary exponent E, round the rest up.
  const unsigned exponent = std::bit_width(needed) - 1;             // floor(log2(needed))
  const unsigned exponent_bits = std::bit_width(exponent);          // floor(log2(E)) + 1
  const unsigned dropped_bits = exponent - exponent_bits;
  const size_t mask = (size_t{1} << dropped_bits) - 1;
  return (needed + mask) & ~mask;
}

Result<SecretBytes> Pad(ByteSpan plaintext) {
  if (plaintext.size() > kMaxPlaintextSize) {
    return Status::InvalidArgument("plaintext larger than kMaxPlaintextSize");
  }
  const size_t bucket = PaddedSize(plaintext.size());
  SecretBytes padded(bucket);
  std::copy(plaintext.begin(), plaintext.end(), padded.data());
  size_t padded_size = 0;
  if (sodium_pad(&padded_size, padded.data(), plaintext.size(), bucket, bucket) != 0 ||
      padded_size != bucket) {
    return Status::InvalidArgument("padding failed");  // Unreachable: bucket > size.
  }
  return padded;
}

Status Unpad(SecretBytes& padded) {
  size_t unpadded_size = 0;
  if (padded.empty() ||
      sodium_unpad(&unpadded_size, padded.data(), padded.size(), padded.size()) != 0) {
    return Status::InvalidMessage("malformed padding");
  }
  padded.Resize(unpadded_size);
  return Status::Ok();
}

}  // namespace securebase::crypto
