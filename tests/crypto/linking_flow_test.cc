// The whole of issue 12's crypto, as the client will drive it, through the
// public headers only: a new device shows a link code, an existing device
// types it and seals the account and a history key to it, the history
// follows as an archive whose download drops and resumes; then a backup
// under a recovery key typed back by hand restores the same records. The
// server in between is a map of slots and blobs that the test plays
// honestly, then maliciously (a forged slot entry, a replay, a swapped
// history blob).
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/backup.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/provisioning.h"
#include "securebase/crypto/recovery_key.h"
#include "tests/testing/archive_doubles.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/must.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::MemoryArchiveSink;
using ::securebase::testing::Must;
using ::securebase::testing::RecordCollector;

constexpr uint64_t kNow = 1'767'225'600;

std::vector<std::string> History() {
  std::vector<std::string> items;
  for (int i = 0; i < 300; ++i) items.push_back("item " + std::to_string(i) + std::string(i, '.'));
  return items;
}

// What the server holds: provisioning slots by channel id, blobs by name.
struct Server {
  std::map<ChannelId, Bytes> slots;
  std::map<std::string, Bytes> blobs;
};

TEST(LinkingFlow, ANewDeviceGetsTheAccountAndTheWholeHistoryDespiteADroppedConnection) {
  DeterministicRandom new_device_rng(1), old_device_rng(2);
  Server server;

  // New device: a code, shown as text (and QR).
  const PendingLink link = PendingLink::Generate(kNow, new_device_rng);
  const std::string shown = link.code().ToText();

  // Existing device: the user types it, lower case and with spaces.
  std::string typed;
  for (char c : shown) typed += c == '-' ? ' ' : static_cast<char>(std::tolower(c));
  const LinkCode code = Must(LinkCode::ParseText(typed), "ParseText");
  const ArchiveKey history_key = ArchiveKey::Generate(old_device_rng);
  const std::string account = "identity key seed, account, contacts (verified), settings";
  const auto sealed = Must(
      SealProvisioningMessage(code, {kNow + 20, &history_key, AsBytes(account)}, old_device_rng),
      "Seal");
  server.slots[code.channel_id] = sealed.bytes;
  MemoryArchiveSink sink;
  ArchiveWriter writer = Must(ArchiveWriter::Start(history_key, ArchiveKind::kHistoryTransfer, sink,
                                                   old_device_rng, ArchiveOptions{1024}),
                              "Start");
  for (const auto& item : History()) ASSERT_TRUE(writer.Add(AsBytes(item)).ok());
  ASSERT_TRUE(writer.Finish().ok());
  server.blobs["history"] = sink.All();

  // New device: open the slot's message, remember it with the linked state.
  InMemoryProvisioningReplayRecord seen;
  const auto opened =
      Must(link.Open(server.slots.at(link.code().channel_id), kNow + 25, seen), "Open");
  EXPECT_EQ(AsStringView(opened.payload.span()), account);
  ASSERT_TRUE(opened.history_key.has_value());
  ASSERT_TRUE(seen.Remember(opened.id, opened.created_at_unix_seconds).ok());
  // The server replays it: refused.
  EXPECT_EQ(link.Open(server.slots.at(link.code().channel_id), kNow + 30, seen).status().code(),
            ErrorCode::kDuplicateMessage);

  // The history download drops twice mid-chunk and resumes from the offset
  // the reader names; the records are staged and committed after Finish.
  const Bytes& blob = server.blobs.at("history");
  ArchiveReader reader(*opened.history_key, ArchiveKind::kHistoryTransfer);
  RecordCollector staged;
  for (size_t drop : {blob.size() / 3 + 5, blob.size() / 2 + 77}) {
    const size_t from = reader.next_offset();
    ASSERT_TRUE(reader.Feed(ByteSpan(blob).subspan(from, drop - from), staged).ok());
    reader.DiscardIncompleteChunk();
    EXPECT_EQ(reader.next_offset() % (1024 + kArchiveChunkOverhead),
              kArchiveHeaderSize % (1024 + kArchiveChunkOverhead));
  }
  ASSERT_TRUE(reader.Feed(ByteSpan(blob).subspan(reader.next_offset()), staged).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(staged.records, History());
}

TEST(LinkingFlow, AMaliciousServerCannotForgeOrSwapWhatTheNewDeviceReceives) {
  DeterministicRandom rng(3);
  Server server;
  const PendingLink link = PendingLink::Generate(kNow, rng);
  const PendingLink other_attempt = PendingLink::Generate(kNow, rng);
  const ArchiveKey history_key = ArchiveKey::Generate(rng);
  const ArchiveKey other_key = ArchiveKey::Generate(rng);

  // The server knows the channel id but not the code's key: whatever it
  // seals to a key of its own does not open.
  const auto forged = Must(
      SealProvisioningMessage(other_attempt.code(), {kNow + 5, &other_key, AsBytes("evil")}, rng),
      "Seal");
  InMemoryProvisioningReplayRecord seen;
  EXPECT_EQ(link.Open(forged.bytes, kNow + 6, seen).status().code(), ErrorCode::kInvalidMessage);

  // A history blob swapped for another archive (here: one under another key)
  // is refused at its first chunk, before any record.
  MemoryArchiveSink other_sink;
  ArchiveWriter other = Must(
      ArchiveWriter::Start(other_key, ArchiveKind::kHistoryTransfer, other_sink, rng), "Start");
  ASSERT_TRUE(other.Add(AsBytes("planted")).ok());
  ASSERT_TRUE(other.Finish().ok());
  ArchiveReader reader(history_key, ArchiveKind::kHistoryTransfer);
  RecordCollector staged;
  EXPECT_EQ(reader.Feed(other_sink.All(), staged).code(), ErrorCode::kInvalidMessage);
  EXPECT_TRUE(staged.records.empty());
}

TEST(LinkingFlow, ABackupRestoresWithTheRecoveryKeyTypedBackByHand) {
  DeterministicRandom rng(4);
  const RecoveryKey key = RecoveryKey::Generate(rng);
  const std::string shown(AsStringView(key.ToText().span()));  // Printed once.
  MemoryArchiveSink file;
  BackupWriter writer = Must(BackupWriter::Start(key, kNow, file, rng), "Start");
  for (const auto& item : History()) ASSERT_TRUE(writer.Add(AsBytes(item)).ok());
  ASSERT_TRUE(writer.Finish().ok());

  // On a fresh device: the date is shown before the key is asked for.
  const Bytes bytes = file.All();
  EXPECT_EQ(Must(ReadBackupInfo(bytes), "Info").created_at_unix_seconds, kNow);
  std::string typed = shown;
  typed[3] = typed[3] == 'Q' ? 'R' : 'Q';  // A typo first ...
  EXPECT_EQ(RecoveryKey::Parse(typed).status().code(), ErrorCode::kInvalidMessage);
  const RecoveryKey restored_key = Must(RecoveryKey::Parse(shown), "Parse");  // ... then right.
  BackupReader reader(restored_key);
  RecordCollector staged;
  ASSERT_TRUE(reader.Feed(bytes, staged).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(staged.records, History());

  // Someone else's recovery key is a wrong key, not a broken file.
  BackupReader wrong(RecoveryKey::Generate(rng));
  EXPECT_EQ(wrong.Feed(bytes, staged).code(), ErrorCode::kWrongKey);
}

}  // namespace
}  // namespace securebase::crypto
