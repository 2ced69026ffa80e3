#include "tests/fuzz/linking_world.h"

#include <cstdlib>
#include <memory>

#include "securebase/crypto/backup.h"
#include "securebase/crypto/encoding.h"
#include "tests/testing/archive_doubles.h"
#include "tests/testing/must.h"

namespace securebase::fuzz {
namespace {

using ::securebase::testing::MemoryArchiveSink;
using ::securebase::testing::Must;

std::vector<std::vector<std::string>> RecordSets() {
  std::string long_record;
  for (int i = 0; i < 20; ++i) long_record += "a reflection that spans chunks; ";
  return {
      {"message 1", "", "check-in: mood 4", long_record, "message 2"},
      {},
      {std::string(kFuzzChunkSize - 4, 'f')},  // Fills its chunk exactly.
  };
}

void Check(const crypto::Status& status) {
  if (!status.ok()) std::abort();
}

crypto::Bytes WriteArchive(const crypto::ArchiveKey& key, crypto::ArchiveKind kind,
                           const std::vector<std::string>& records, FuzzRandom& rng) {
  MemoryArchiveSink sink;
  crypto::ArchiveWriter writer = Must(
      crypto::ArchiveWriter::Start(key, kind, sink, rng, crypto::ArchiveOptions{kFuzzChunkSize}),
      "ArchiveWriter::Start");
  for (const auto& r : records) Check(writer.Add(crypto::AsBytes(r)));
  Check(writer.Finish());
  return sink.All();
}

crypto::Bytes WriteBackup(const crypto::RecoveryKey& key, const std::vector<std::string>& records,
                          FuzzRandom& rng) {
  MemoryArchiveSink sink;
  crypto::BackupWriter writer =
      Must(crypto::BackupWriter::Start(key, kLinkShownAt, sink, rng,
                                       crypto::ArchiveOptions{kFuzzChunkSize}),
           "BackupWriter::Start");
  for (const auto& r : records) Check(writer.Add(crypto::AsBytes(r)));
  Check(writer.Finish());
  return sink.All();
}

}  // namespace

LinkingWorld::LinkingWorld(FuzzRandom& rng)
    : link(crypto::PendingLink::Generate(kLinkShownAt, rng)),
      other_link(crypto::PendingLink::Generate(kLinkShownAt, rng)),
      history_key(crypto::ArchiveKey::Generate(rng)),
      recovery_key(crypto::RecoveryKey::Generate(rng)),
      other_recovery_key(crypto::RecoveryKey::Generate(rng)) {
  struct Content {
    uint64_t created_at;
    bool history;
    std::string payload;
  };
  const Content contents[] = {
      {kLinkShownAt + 30, true, "account, profile, contacts, settings"},
      {kLinkShownAt + 31, false, ""},
      {kLinkShownAt + 32, true, std::string(1500, 'c')},  // Two padding blocks.
  };
  for (const auto& c : contents) {
    const auto sealed = Must(
        crypto::SealProvisioningMessage(
            link.code(),
            {c.created_at, c.history ? &history_key : nullptr, crypto::AsBytes(c.payload)}, rng),
        "Seal");
    provisioning.push_back({sealed.bytes, sealed.id, c.created_at, c.history, c.payload});
  }
  sealed_to_other_link =
      Must(crypto::SealProvisioningMessage(
               other_link.code(), {kLinkShownAt + 30, &history_key, crypto::AsBytes("x")}, rng),
           "Seal")
          .bytes;
  for (const auto& records : RecordSets()) {
    archives.push_back(
        {WriteArchive(history_key, crypto::ArchiveKind::kHistoryTransfer, records, rng), records});
    backups.push_back({WriteBackup(recovery_key, records, rng), records});
  }
  backup_kind_archive =
      WriteArchive(history_key, crypto::ArchiveKind::kBackup, RecordSets()[0], rng);
  other_backup = WriteBackup(other_recovery_key, RecordSets()[0], rng);
}

const LinkingWorld& GetLinkingWorld() {
  static const std::unique_ptr<LinkingWorld> world = [] {
    FuzzRandom rng(kLinkingWorldSeed);
    return std::make_unique<LinkingWorld>(rng);
  }();
  return *world;
}

}  // namespace securebase::fuzz
