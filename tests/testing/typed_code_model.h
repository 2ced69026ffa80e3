// An independent model of the typed-code text form that link codes and
// recovery keys use (crypto/src/checked_text.h), written from the spec in
// provisioning.h and recovery_key.h, for tests that check the library's
// output against it: Crockford base32 (upper case) of
//   bytes | BLAKE2b-256(label | 0x00 | bytes)[0 .. check_size)
// in groups of 4 joined by '-'. (bytes + check_size) must be a multiple of 5.
#ifndef SECUREBASE_TESTS_TESTING_TYPED_CODE_MODEL_H_
#define SECUREBASE_TESTS_TESTING_TYPED_CODE_MODEL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "securebase/crypto/secret.h"

namespace securebase::testing {

std::string TypedCodeText(std::string_view label, size_t check_size, const crypto::Bytes& bytes);

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_TYPED_CODE_MODEL_H_
