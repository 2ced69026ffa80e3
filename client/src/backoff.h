// How long to wait before trying the server again after it could not be
// reached: exponential, bounded, with jitter (so that many clients cut off
// together do not all come back in the same instant). Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_BACKOFF_H_
#define SECUREBASE_CLIENT_SRC_BACKOFF_H_

#include <chrono>

#include "securebase/crypto/random.h"

namespace securebase::client {

class Backoff {
 public:
  static constexpr std::chrono::milliseconds kInitial{250};
  static constexpr std::chrono::milliseconds kMax{30000};

  // `rng` (which must outlive this object) draws the jitter.
  explicit Backoff(crypto::RandomSource& rng) : rng_(rng) {}

  // The next pause: a random duration in [d/2, d], where d starts at
  // kInitial and doubles with every call, up to kMax.
  std::chrono::milliseconds Next();
  // After a connection that worked: the next pause starts at kInitial again.
  void Reset() { ceiling_ = kInitial; }

 private:
  crypto::RandomSource& rng_;
  std::chrono::milliseconds ceiling_ = kInitial;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_BACKOFF_H_
