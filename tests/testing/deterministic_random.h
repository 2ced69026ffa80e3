// A reproducible RandomSource for tests only: a ChaCha20 stream
// (randombytes_buf_deterministic) keyed by a seed and a call counter.
#ifndef SECUREBASE_TESTS_TESTING_DETERMINISTIC_RANDOM_H_
#define SECUREBASE_TESTS_TESTING_DETERMINISTIC_RANDOM_H_

#include <cstdint>

#include "securebase/crypto/random.h"

namespace securebase::testing {

class DeterministicRandom final : public crypto::RandomSource {
 public:
  explicit DeterministicRandom(uint64_t seed) : seed_(seed) {}
  void Fill(std::span<uint8_t> out) override;

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_DETERMINISTIC_RANDOM_H_
