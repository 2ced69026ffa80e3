#include "tests/testing/deterministic_random.h"

#include <sodium.h>

#include <array>

namespace securebase::testing {

void DeterministicRandom::Fill(std::span<uint8_t> out) {
  crypto::EnsureSodiumInitialized();
  std::array<uint8_t, randombytes_SEEDBYTES> seed{};
  for (int i = 0; i < 8; ++i) {
    seed[i] = static_cast<uint8_t>(seed_ >> (8 * i));
    seed[8 + i] = static_cast<uint8_t>(counter_ >> (8 * i));
  }
  ++counter_;
  randombytes_buf_deterministic(out.data(), out.size(), seed.data());
}

}  // namespace securebase::testing
