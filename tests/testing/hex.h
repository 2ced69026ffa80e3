// Hex decoding for test vectors (tests only).
#ifndef SECUREBASE_TESTS_TESTING_HEX_H_
#define SECUREBASE_TESTS_TESTING_HEX_H_

#include <string>
#include <string_view>

#include "securebase/crypto/secret.h"

namespace securebase::testing {

// Lower- or upper-case hex to bytes; aborts on anything else (a broken vector
// file is a bug in the test, not a finding).
crypto::Bytes FromHex(std::string_view hex);
// Lower-case hex.
std::string ToHex(crypto::ByteSpan bytes);

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_HEX_H_
