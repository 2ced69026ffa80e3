// The fixed world of the linking fuzz targets (issue 12): a pending link and
// the provisioning messages sealed to it, archives under a fixed history key,
// and backups under a fixed recovery key, each with what it carries, so a
// target can check that whatever its input made the library accept is one of
// these (nothing can be forged) and carries exactly what was put in.
//
// A pure function of kLinkingWorldSeed and the library's code, built with its
// own random stream so it does not disturb fuzz_support.h's world; the seeds
// of the linking targets stay valid until a format or KDF label changes
// (then regenerate them with make_fuzz_corpus, README.md).
#ifndef SECUREBASE_TESTS_FUZZ_LINKING_WORLD_H_
#define SECUREBASE_TESTS_FUZZ_LINKING_WORLD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/provisioning.h"
#include "securebase/crypto/recovery_key.h"
#include "tests/fuzz/fuzz_support.h"

namespace securebase::fuzz {

inline constexpr uint64_t kLinkingWorldSeed = 0x5ec0'ba5e'11ac'0001;
inline constexpr uint64_t kLinkShownAt = 1'767'225'600;
// When the targets open provisioning messages: inside every known message's
// time window.
inline constexpr uint64_t kLinkOpenedAt = kLinkShownAt + 120;
// Small chunks, so that short inputs hold several.
inline constexpr uint32_t kFuzzChunkSize = crypto::kMinArchiveChunkSize;

struct KnownProvisioning {
  crypto::Bytes bytes;
  crypto::ProvisioningId id;
  uint64_t created_at = 0;
  bool has_history_key = false;
  std::string payload;
};

// An archive or backup stream and the records it carries.
struct KnownStream {
  crypto::Bytes bytes;
  std::vector<std::string> records;
};

struct LinkingWorld {
  explicit LinkingWorld(FuzzRandom& rng);

  crypto::PendingLink link;
  crypto::PendingLink other_link;
  crypto::ArchiveKey history_key;
  crypto::RecoveryKey recovery_key;
  crypto::RecoveryKey other_recovery_key;

  std::vector<KnownProvisioning> provisioning;  // Sealed to `link`.
  crypto::Bytes sealed_to_other_link;
  std::vector<KnownStream> archives;  // kHistoryTransfer under history_key.
  crypto::Bytes backup_kind_archive;  // kBackup under history_key.
  std::vector<KnownStream> backups;   // Under recovery_key.
  crypto::Bytes other_backup;         // Under other_recovery_key.
};

// Built on first use; aborts if the library cannot build it.
const LinkingWorld& GetLinkingWorld();

}  // namespace securebase::fuzz

#endif  // SECUREBASE_TESTS_FUZZ_LINKING_WORLD_H_
