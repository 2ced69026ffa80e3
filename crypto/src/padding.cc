#include "securebase/crypto/padding.h"

#include <sodium.h>

#include <algorithm>
#include <bit>

#include "securebase/crypto/limits.h"

namespace securebase::crypto {
namespace {

// Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", 2019) rounds a length L up to a multiple of
// 2^(E - S), with E = floor(log2 L) and S = floor(log2 E) + 1. That step is
// also the block size handed to sodium_pad: the smallest multiple of it above
// the plaintext is exactly the Padmé bucket, and sodium_pad's constant-time
// loop then covers one block (64 bytes for a 1 KiB message) rather than the
// whole bucket.
size_t PadmeStep(size_t length) {
  if (length <= kMinPaddedSize) return kMinPaddedSize;
  const unsigned exponent = std::bit_width(length) - 1;     // floor(log2(length))
  const unsigned exponent_bits = std::bit_width(exponent);  // floor(log2(E)) + 1
  return size_t{1} << (exponent - exponent_bits);
}

}  // namespace

size_t PaddedSize(size_t length) {
  // One byte more for the 0x80 marker of ISO/IEC 7816-4 padding.
  const size_t needed = length + 1;
  const size_t step = PadmeStep(needed);
  return (needed + step - 1) / step * step;
}

Result<SecretBytes> Pad(ByteSpan plaintext) {
  if (plaintext.size() > kMaxPlaintextSize) {
    return Status::InvalidArgument("plaintext larger than kMaxPlaintextSize");
  }
  const size_t bucket = PaddedSize(plaintext.size());
  SecretBytes padded(bucket);
  std::copy(plaintext.begin(), plaintext.end(), padded.data());
  size_t padded_size = 0;
  if (sodium_pad(&padded_size, padded.data(), plaintext.size(), PadmeStep(plaintext.size() + 1),
                 bucket) != 0 ||
      padded_size != bucket) {
    std::abort();  // Unreachable: the Padmé step divides the bucket (see above).
  }
  return padded;
}

Status Unpad(SecretBytes& padded) {
  // The step of a bucket is never smaller than the step used to pad into it
  // (E - S does not decrease as the length grows), so the marker lies within
  // the last PadmeStep(size) bytes.
  const size_t block = std::min(padded.size(), PadmeStep(padded.size()));
  size_t unpadded_size = 0;
  if (padded.empty() ||
      sodium_unpad(&unpadded_size, padded.data(), padded.size(), block) != 0) {
    return Status::InvalidMessage("malformed padding");
  }
  padded.Resize(unpadded_size);
  return Status::Ok();
}

}  // namespace securebase::crypto
