// BackupReader (the world's recovery key) on arbitrary bytes: what a restore
// runs on a backup file or the server's backup blob. Seeds: the world's
// backups, one under another recovery key, and near misses (truncated inside
// the header, a newer version, an edited creation time, bytes after the end).
//
// Checks (stream_oracle.h): the same result whole or in pieces; refusals are
// kInvalidMessage, kUnsupportedVersion or kWrongKey and change nothing; only
// records of genuine chunks of a world backup come out, in order, and all of
// them when it finishes. Besides: kWrongKey exactly when the header's key
// check is not the world key's (a backup under another key, or an edited
// check), and the header a reader accepted is what ReadBackupInfo reads.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/backup.h"
#include "tests/fuzz/linking_world.h"
#include "tests/fuzz/stream_oracle.h"

namespace {

namespace crypto = securebase::crypto;
using securebase::fuzz::GetLinkingWorld;

constexpr size_t kKeyCheckOffset = 1 + 8 + crypto::kBackupIdSize;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetLinkingWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  const auto& w = GetLinkingWorld();
  const crypto::ByteSpan input(data, size);
  const crypto::Status status = securebase::fuzz::CheckStreamReader(
      input, [&] { return crypto::BackupReader(w.recovery_key); },
      [](const crypto::BackupReader& r) { return uint64_t{r.info()->header_size}; }, w.backups,
      {crypto::ErrorCode::kInvalidMessage, crypto::ErrorCode::kUnsupportedVersion,
       crypto::ErrorCode::kWrongKey});

  // A v1 header whose key check is the world key's is never a wrong key, and
  // one with any other check always is.
  if (size >= crypto::kBackupHeaderSize && data[0] == crypto::kBackupVersion) {
    const auto& genuine = w.backups[0].bytes;
    const bool world_check =
        std::equal(genuine.begin() + kKeyCheckOffset, genuine.begin() + crypto::kBackupHeaderSize,
                   data + kKeyCheckOffset);
    FUZZ_CHECK((status.code() == crypto::ErrorCode::kWrongKey) == !world_check);
  }
  crypto::BackupReader reader(w.recovery_key);
  securebase::testing::RecordCollector records;
  // Only the header is wanted here; how the reader refuses input was checked
  // above.
  reader.Feed(input.first(std::min(size, crypto::kBackupHeaderSize)), records).IgnoreError();
  if (reader.info()) {
    auto info = crypto::ReadBackupInfo(input);
    FUZZ_CHECK(info.ok() &&
               info->created_at_unix_seconds == reader.info()->created_at_unix_seconds &&
               info->backup_id == reader.info()->backup_id);
  }
  return 0;
}
