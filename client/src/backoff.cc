#include "backoff.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace securebase::client {

std::chrono::milliseconds Backoff::Next() {
  const std::chrono::milliseconds ceiling = ceiling_;
  ceiling_ = std::min(ceiling_ * 2, kMax);
  std::array<uint8_t, 4> bytes{};
  rng_.Fill(bytes);
  const uint32_t r = uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 |
                     uint32_t{bytes[3]} << 24;
  const int64_t low = ceiling.count() / 2;
  const int64_t span = ceiling.count() - low + 1;
  return std::chrono::milliseconds(low + static_cast<int64_t>(r % static_cast<uint32_t>(span)));
}

}  // namespace securebase::client
