// ArchiveReader (kind kHistoryTransfer, the world's history key) on arbitrary
// bytes: what a newly linked device runs on the history blob the server
// hands it. Seeds: the world's archives (records spanning chunks, empty, a
// chunk filled exactly), an archive of the other kind under the same key,
// and near misses (truncated, reordered chunks, bytes after the end, a newer
// version).
//
// Checks (stream_oracle.h): the same result whole or in pieces; refusals are
// kInvalidMessage or kUnsupportedVersion and change nothing; only records of
// genuine chunks of a world archive come out, in order, and all of them when
// it finishes.
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/archive.h"
#include "tests/fuzz/linking_world.h"
#include "tests/fuzz/stream_oracle.h"

namespace {

namespace crypto = securebase::crypto;
using securebase::fuzz::GetLinkingWorld;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetLinkingWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  const auto& w = GetLinkingWorld();
  // The oracle checks the status itself; nothing archive-specific is left.
  securebase::fuzz::CheckStreamReader(
      crypto::ByteSpan(data, size),
      [&] { return crypto::ArchiveReader(w.history_key, crypto::ArchiveKind::kHistoryTransfer); },
      [](const crypto::ArchiveReader&) { return uint64_t{0}; }, w.archives,
      {crypto::ErrorCode::kInvalidMessage, crypto::ErrorCode::kUnsupportedVersion})
      .IgnoreError();
  return 0;
}
