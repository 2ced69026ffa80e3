// Archives (history transfer) and backups of a 10,000-item history against
// the cost floor of the same bytes through bare crypto_secretstream, in the
// crypto_bench binary and run, so the ratios are comparable. Pairs:
//   BM_<Case>_Archive  the library: ArchiveWriter/ArchiveReader, or
//                      BackupWriter/BackupReader (header, HKDF key
//                      derivations and key check included)
//   BM_<Case>_Floor    crypto_secretstream_xchacha20poly1305 init + one
//                      push (or pull) per 64 KiB of the items' bytes,
//                      concatenated beforehand, TAG_FINAL on the last
// Not in the floor: the 4-byte record framing, copying records into chunks,
// padding the last chunk, key derivation, headers, the sink and handler
// calls. Issue 12's target: a backup takes at most 1.5x the floor's time;
// scripts/crypto-bench.sh prints archive/floor as a time ratio.
//
// The items: 10,000 records of 40 to 940 bytes (488 on average, 4.9 MB),
// about the size of the messages, check-ins and reflections of a history.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "securebase/crypto/archive.h"
#include "securebase/crypto/backup.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/recovery_key.h"
#include "tests/testing/must.h"

namespace {

namespace sb = securebase::crypto;
using ::securebase::testing::Must;

constexpr int64_t kItems = 10'000;
constexpr size_t kChunk = sb::kDefaultArchiveChunkSize;

struct History {
  std::vector<sb::Bytes> items;
  sb::Bytes concatenated;  // The same bytes, for the floor.
};

const History& Items() {
  static const History history = [] {
    History h;
    for (int64_t i = 0; i < kItems; ++i) {
      sb::Bytes item(40 + (i * 37) % 901);
      randombytes_buf(item.data(), item.size());
      h.concatenated.insert(h.concatenated.end(), item.begin(), item.end());
      h.items.push_back(std::move(item));
    }
    return h;
  }();
  return history;
}

// Counts bytes, like a sink that hands them to a file or an upload.
class CountingSink final : public sb::ArchiveSink {
 public:
  sb::Status WriteHeader(sb::ByteSpan header) override {
    bytes += header.size();
    return sb::Status::Ok();
  }
  sb::Status WriteChunk(uint64_t, sb::ByteSpan chunk) override {
    bytes += chunk.size();
    benchmark::DoNotOptimize(chunk.data());
    return sb::Status::Ok();
  }
  uint64_t bytes = 0;
};

// Keeps the whole archive, to be read back.
class KeepingSink final : public sb::ArchiveSink {
 public:
  sb::Status WriteHeader(sb::ByteSpan header) override {
    bytes.assign(header.begin(), header.end());
    return sb::Status::Ok();
  }
  sb::Status WriteChunk(uint64_t, sb::ByteSpan chunk) override {
    bytes.insert(bytes.end(), chunk.begin(), chunk.end());
    return sb::Status::Ok();
  }
  sb::Bytes bytes;
};

class CountingHandler final : public sb::ArchiveRecordHandler {
 public:
  sb::Status OnRecord(sb::ByteSpan record) override {
    ++records;
    benchmark::DoNotOptimize(record.data());
    return sb::Status::Ok();
  }
  int64_t records = 0;
};

void SetCounters(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * kItems);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Items().concatenated.size()));
}

template <typename Writer>
bool AddAll(Writer& writer) {
  for (const auto& item : Items().items) {
    if (!writer.Add(item).ok()) return false;
  }
  return writer.Finish().ok();
}

template <typename Reader>
bool ReadAll(Reader& reader, const sb::Bytes& bytes) {
  CountingHandler handler;
  return reader.Feed(bytes, handler).ok() && reader.Finish().ok() && handler.records == kItems;
}

// --- The floor ------------------------------------------------------------------

// One bare secretstream pass over `plaintext`, 64 KiB per push, into one
// reused chunk buffer (as the library's writer hands each chunk to its sink);
// with `keep`, the stream is also collected (to be read back).
void FloorPush(const sb::Bytes& plaintext, const uint8_t* key, sb::Bytes* keep) {
  crypto_secretstream_xchacha20poly1305_state state;
  uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
  if (keep != nullptr) keep->assign(header, header + sizeof header);
  std::vector<uint8_t> chunk(kChunk + crypto_secretstream_xchacha20poly1305_ABYTES);
  for (size_t pos = 0; pos < plaintext.size(); pos += kChunk) {
    const size_t n = std::min(kChunk, plaintext.size() - pos);
    const bool last = pos + n == plaintext.size();
    unsigned long long written = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state, chunk.data(), &written, plaintext.data() + pos, n, nullptr, 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    benchmark::DoNotOptimize(chunk.data());
    if (keep != nullptr) {
      keep->insert(keep->end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(written));
    }
  }
}

bool FloorPull(const sb::Bytes& stream, const uint8_t* key) {
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, stream.data(), key) != 0) {
    return false;
  }
  std::vector<uint8_t> chunk(kChunk);
  const size_t wire = kChunk + crypto_secretstream_xchacha20poly1305_ABYTES;
  unsigned char tag = 0;
  for (size_t pos = crypto_secretstream_xchacha20poly1305_HEADERBYTES; pos < stream.size();
       pos += wire) {
    const size_t n = std::min(wire, stream.size() - pos);
    if (crypto_secretstream_xchacha20poly1305_pull(&state, chunk.data(), nullptr, &tag,
                                                   stream.data() + pos, n, nullptr, 0) != 0) {
      return false;
    }
    benchmark::DoNotOptimize(chunk.data());
  }
  return tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
}

void BM_FloorWrite(benchmark::State& state) {
  uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  for (auto _ : state) FloorPush(Items().concatenated, key, nullptr);
  SetCounters(state);
}

void BM_FloorRead(benchmark::State& state) {
  uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  sb::Bytes stream;
  FloorPush(Items().concatenated, key, &stream);
  for (auto _ : state) {
    if (!FloorPull(stream, key)) {
      state.SkipWithError("floor pull failed");
      break;
    }
  }
  SetCounters(state);
}

// --- The library ----------------------------------------------------------------

void BM_TransferWrite_Archive(benchmark::State& state) {
  const sb::ArchiveKey key = sb::ArchiveKey::Generate(sb::SystemRandom());
  for (auto _ : state) {
    CountingSink sink;
    sb::ArchiveWriter writer = Must(
        sb::ArchiveWriter::Start(key, sb::ArchiveKind::kHistoryTransfer, sink, sb::SystemRandom()),
        "Start");
    if (!AddAll(writer)) {
      state.SkipWithError("archive write failed");
      break;
    }
    benchmark::DoNotOptimize(sink.bytes);
  }
  SetCounters(state);
}

void BM_TransferRead_Archive(benchmark::State& state) {
  const sb::ArchiveKey key = sb::ArchiveKey::Generate(sb::SystemRandom());
  KeepingSink sink;
  sb::ArchiveWriter writer = Must(
      sb::ArchiveWriter::Start(key, sb::ArchiveKind::kHistoryTransfer, sink, sb::SystemRandom()),
      "Start");
  if (!AddAll(writer)) std::abort();
  for (auto _ : state) {
    sb::ArchiveReader reader(key, sb::ArchiveKind::kHistoryTransfer);
    if (!ReadAll(reader, sink.bytes)) {
      state.SkipWithError("archive read failed");
      break;
    }
  }
  SetCounters(state);
}

void BM_BackupWrite_Archive(benchmark::State& state) {
  const sb::RecoveryKey key = sb::RecoveryKey::Generate(sb::SystemRandom());
  for (auto _ : state) {
    CountingSink sink;
    sb::BackupWriter writer =
        Must(sb::BackupWriter::Start(key, 1'767'225'600, sink, sb::SystemRandom()), "Start");
    if (!AddAll(writer)) {
      state.SkipWithError("backup write failed");
      break;
    }
    benchmark::DoNotOptimize(sink.bytes);
  }
  SetCounters(state);
}

void BM_BackupRead_Archive(benchmark::State& state) {
  const sb::RecoveryKey key = sb::RecoveryKey::Generate(sb::SystemRandom());
  KeepingSink sink;
  sb::BackupWriter writer =
      Must(sb::BackupWriter::Start(key, 1'767'225'600, sink, sb::SystemRandom()), "Start");
  if (!AddAll(writer)) std::abort();
  for (auto _ : state) {
    sb::BackupReader reader(key);
    if (!ReadAll(reader, sink.bytes)) {
      state.SkipWithError("backup read failed");
      break;
    }
  }
  SetCounters(state);
}

// The floors are registered once per pair, under the pair's name, so each
// ratio compares neighbours in the same (randomly interleaved) run.
void BM_TransferWrite_Floor(benchmark::State& state) { BM_FloorWrite(state); }
void BM_TransferRead_Floor(benchmark::State& state) { BM_FloorRead(state); }
void BM_BackupWrite_Floor(benchmark::State& state) { BM_FloorWrite(state); }
void BM_BackupRead_Floor(benchmark::State& state) { BM_FloorRead(state); }

BENCHMARK(BM_TransferWrite_Archive)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TransferWrite_Floor)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TransferRead_Archive)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TransferRead_Floor)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BackupWrite_Archive)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BackupWrite_Floor)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BackupRead_Archive)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BackupRead_Floor)->Unit(benchmark::kMillisecond);

}  // namespace
