#include "securebase/crypto/random.h"

#include <sodium.h>

#include <cstdlib>

namespace securebase::crypto {
namespace {

class SodiumRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override {
    if (!out.empty()) randombytes_buf(out.data(), out.size());
  }
};

}  // namespace

void EnsureSodiumInitialized() {
  // sodium_init is itself idempotent and thread-safe; the static only avoids
  // the call on hot paths.
  static const bool initialized = [] { return sodium_init() >= 0; }();
  if (!initialized) std::abort();
}

RandomSource& SystemRandom() {
  EnsureSodiumInitialized();
  static SodiumRandom random;
  return random;
}

}  // namespace securebase::crypto
