// The linking known-answer transcript (transcript.h, BuildLinkingTranscript).
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/backup.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/provisioning.h"
#include "securebase/crypto/recovery_key.h"
#include "tests/testing/archive_doubles.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/hex.h"
#include "tests/testing/must.h"
#include "tests/vectors/transcript.h"

namespace securebase::vectors {
namespace {

using ::securebase::testing::Must;
namespace crypto = ::securebase::crypto;
using testing::ToHex;

constexpr uint64_t kCodeShownAt = 1'767'225'600;  // 2026-01-01 00:00:00 UTC
constexpr uint32_t kChunkSize = crypto::kMinArchiveChunkSize;

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Records of every shape the framing has: empty, short, spanning chunks.
std::vector<std::string> Records() {
  std::string reflection;
  for (int i = 0; i < 40; ++i) reflection += "I noticed the thought, and let it pass. ";
  return {"message 1: it was a hard week", "", "check-in: mood 4, sleep 5.5", reflection,
          "message 2: thank you for telling me"};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> BuildLinkingTranscript() {
  testing::DeterministicRandom rng(kLinkingSeed);
  std::vector<std::pair<std::string, std::string>> out;
  auto put = [&out](std::string name, std::string value) {
    out.emplace_back(std::move(name), std::move(value));
  };

  // The new device's link code.
  const crypto::PendingLink link = crypto::PendingLink::Generate(kCodeShownAt, rng);
  put("link_created_at", std::to_string(kCodeShownAt));
  put("link_private", ToHex(link.PrivateKeyForTesting()));
  put("link_public", ToHex(link.code().public_key.span()));
  put("link_channel_id", ToHex(link.code().channel_id.span()));
  put("link_code", ToHex(link.code().Serialize()));
  put("link_code_text", Quoted(link.code().ToText()));

  // The existing device's provisioning messages.
  const crypto::ArchiveKey history_key = crypto::ArchiveKey::Generate(rng);
  put("history_key", ToHex(history_key.bytes()));
  const std::string payload = "account, profile, contacts and their verification state";
  const uint64_t sealed_at = kCodeShownAt + 30;
  const auto sealed =
      Must(crypto::SealProvisioningMessage(
               link.code(), {sealed_at, &history_key, crypto::AsBytes(payload)}, rng),
           "Seal");
  put("provisioning_payload", Quoted(payload));
  put("provisioning_created_at", std::to_string(sealed_at));
  put("provisioning_id", ToHex(sealed.id.span()));
  put("provisioning_message", ToHex(sealed.bytes));
  const auto bare =
      Must(crypto::SealProvisioningMessage(link.code(), {sealed_at + 1, nullptr, {}}, rng), "Seal");
  put("provisioning_nohistory_id", ToHex(bare.id.span()));
  put("provisioning_nohistory_message", ToHex(bare.bytes));

  // The history archive under the key the first message carries.
  const auto records = Records();
  put("archive_chunk_size", std::to_string(kChunkSize));
  put("archive_record_count", std::to_string(records.size()));
  for (size_t i = 0; i < records.size(); ++i) {
    put("archive_record_" + std::to_string(i + 1), Quoted(records[i]));
  }
  {
    testing::MemoryArchiveSink sink;
    crypto::ArchiveWriter writer =
        Must(crypto::ArchiveWriter::Start(history_key, crypto::ArchiveKind::kHistoryTransfer, sink,
                                          rng, crypto::ArchiveOptions{kChunkSize}),
             "ArchiveWriter::Start");
    for (const auto& r : records) {
      if (!writer.Add(crypto::AsBytes(r)).ok()) std::abort();
    }
    if (!writer.Finish().ok()) std::abort();
    put("archive", ToHex(sink.All()));
  }

  // The recovery key and a backup of the same records under it.
  const crypto::RecoveryKey recovery = crypto::RecoveryKey::Generate(rng);
  put("recovery_key", ToHex(recovery.bytes()));
  put("recovery_key_text", Quoted(crypto::AsStringView(recovery.ToText().span())));
  const uint64_t backup_at = kCodeShownAt + 86'400;
  put("backup_created_at", std::to_string(backup_at));
  {
    testing::MemoryArchiveSink sink;
    crypto::BackupWriter writer =
        Must(crypto::BackupWriter::Start(recovery, backup_at, sink, rng,
                                         crypto::ArchiveOptions{kChunkSize}),
             "BackupWriter::Start");
    for (const auto& r : records) {
      if (!writer.Add(crypto::AsBytes(r)).ok()) std::abort();
    }
    if (!writer.Finish().ok()) std::abort();
    put("backup_id", ToHex(writer.info().backup_id.span()));
    put("backup", ToHex(sink.All()));
  }
  return out;
}

}  // namespace securebase::vectors
