// Injected randomness.
//
// Every function in this library that needs randomness takes a RandomSource&,
// so tests can make key generation and nonces reproducible. Production code
// uses SystemRandom(), which is libsodium's randombytes_buf (the OS CSPRNG).
// A deterministic source exists only under tests/testing/.
#ifndef SECUREBASE_CRYPTO_RANDOM_H_
#define SECUREBASE_CRYPTO_RANDOM_H_

#include <cstdint>
#include <span>

namespace securebase::crypto {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes. Never fails.
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// The process-wide CSPRNG (randombytes_buf). Thread-safe.
RandomSource& SystemRandom();

// Initialises libsodium once; safe to call repeatedly and from many threads.
// Every entry point of this library calls it, so callers rarely need to.
// Aborts if libsodium cannot initialise (no usable entropy source).
void EnsureSodiumInitialized();

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_RANDOM_H_
