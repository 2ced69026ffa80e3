// Must(result, "what"): the value of a Result that cannot fail unless the
// library is broken, for building fixed test worlds, vectors and seeds (tests,
// fuzz seeds and vector writers only). Prints `what` and the status, then
// aborts, on an error. Header-only, so fuzz builds use it without
// securebase_testing.
#ifndef SECUREBASE_TESTS_TESTING_MUST_H_
#define SECUREBASE_TESTS_TESTING_MUST_H_

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "securebase/crypto/status.h"

namespace securebase::testing {

template <typename T>
T Must(crypto::Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, result.status().ToString().c_str());
    std::abort();
  }
  return std::move(result).value();
}

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_MUST_H_
