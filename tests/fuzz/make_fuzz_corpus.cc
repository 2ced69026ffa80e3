// Writes the seed corpora for the fuzz targets:
//   make_fuzz_corpus <dir>   ->  <dir>/fuzz_<target>/<seed name>
// The seeds are valid (or deliberately almost valid) inputs for the fixed
// world of fuzz_support.h, so the fuzzers start deep inside each parser.
// Deterministic: the same library code writes the same bytes.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/x3dh.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/linking_world.h"
#include "tests/testing/hex.h"
#include "tests/testing/must.h"
#include "tests/vectors/legacy_e8ce7d0.h"

namespace {

using ::securebase::testing::Must;

namespace fs = std::filesystem;
namespace crypto = securebase::crypto;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::fuzz::GetWorld;

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  void Write(std::string_view target, std::string_view name, crypto::ByteSpan bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "make_fuzz_corpus: cannot write %s\n", (dir / name).c_str());
      std::exit(1);
    }
    ++files_;
  }
  int files() const { return files_; }

 private:
  fs::path root_;
  int files_ = 0;
};

void PutU64(crypto::Bytes& b, size_t offset, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) b[offset + i] = static_cast<uint8_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  CorpusWriter out{fs::path(argv[1])};
  const auto& w = GetWorld();
  FuzzRandom rng(0xc0de);

  // Ratchet messages against bob_mid_state.
  {
    constexpr std::string_view t = "fuzz_ratchet_message";
    out.Write(t, "a0b_initial_skipped", w.a0b);
    out.Write(t, "a1_replay", w.a1);
    out.Write(t, "a2_skipped", w.a2);
    out.Write(t, "a4_next", w.a4);
    out.Write(t, "a5_dh_step", w.a5);
    out.Write(t, "b1_own_message", w.b1);
    out.Write(t, "legacy_a2", securebase::testing::FromHex(securebase::vectors::legacy::kA2));
    out.Write(t, "a4_truncated", crypto::ByteSpan(w.a4).first(w.a4.size() / 2));
    // Alice's chain continued from a4: Bob has Nr = 3 (he took a3), so the
    // message with n = 3 + kMaxSkipPerChain is the furthest he accepts and the
    // next one is too far ahead.
    crypto::Session alice =
        Must(crypto::Session::Deserialize(w.alice_mid_state.span()), "Deserialize");
    crypto::Bytes message;
    for (uint32_t n = 4; n <= 3 + crypto::kMaxSkipPerChain + 1; ++n) {
      message = Must(alice.Encrypt(AsSpan("far"), rng), "Encrypt");
      if (n == 3 + crypto::kMaxSkipPerChain) out.Write(t, "at_skip_bound", message);
    }
    out.Write(t, "beyond_skip_bound", message);
  }

  // Initial messages for Bob's Accept.
  {
    constexpr std::string_view t = "fuzz_initial_message";
    out.Write(t, "a0_with_otk", w.a0);
    out.Write(t, "a0b_with_otk", w.a0b);
    out.Write(t, "c0_without_otk", w.c0);
    out.Write(t, "a4_ratchet_type", w.a4);
    // Legacy initial message of commit e8ce7d0 (another world's keys): the
    // legacy parser.
    out.Write(t, "legacy_a0b", securebase::testing::FromHex(securebase::vectors::legacy::kA0b));
  }

  // State blobs.
  {
    constexpr std::string_view t = "fuzz_session_state";
    out.Write(t, "alice_awaiting", w.alice_awaiting_state.span());
    out.Write(t, "alice_mid", w.alice_mid_state.span());
    out.Write(t, "alice_after", w.alice_after_state.span());
    out.Write(t, "bob_fresh", w.bob_fresh_state.span());
    out.Write(t, "bob_mid", w.bob_mid_state.span());
    // A v1 blob of commit e8ce7d0 (another world's keys): the legacy loader.
    out.Write(t, "legacy_v1_bob",
              securebase::testing::FromHex(securebase::vectors::legacy::kBobStateV1));
  }

  // Prekey bundles.
  {
    constexpr std::string_view t = "fuzz_prekey_bundle";
    out.Write(t, "bob_with_otk", crypto::SerializePreKeyBundle(w.bob_bundle));
    out.Write(t, "bob_without_otk", crypto::SerializePreKeyBundle(w.bob_bundle_no_otk));
    out.Write(t, "alice_without_otk", crypto::SerializePreKeyBundle(w.alice_bundle));
    out.Write(t, "bob_device_v2", crypto::SerializePreKeyBundle(w.bob_device_bundle));
    crypto::PreKeyBundle no_otk = w.bob_device_bundle;
    no_otk.one_time_prekey.reset();
    out.Write(t, "bob_device_v2_without_otk", crypto::SerializePreKeyBundle(no_otk));
  }

  // Device binding records.
  {
    constexpr std::string_view t = "fuzz_device_binding";
    out.Write(t, "bob_device", w.bob_device_binding);
    crypto::Bytes other_device = w.bob_device_binding;
    other_device[20] ^= 0x01;  // Device id: a server re-labelling the record.
    out.Write(t, "relabelled_device", other_device);
    crypto::Bytes v2 = w.bob_device_binding;
    v2[0] = 2;
    out.Write(t, "unknown_version", v2);
  }

  // Sealed records under the fixed key and name.
  {
    constexpr std::string_view t = "fuzz_sealed_record";
    const auto& key = *w.vault_key;
    const std::string kilobyte(1024, 'k');
    out.Write(t, "empty",
              Must(crypto::SealRecord(key, securebase::fuzz::kRecordName, {}, rng), "Seal"));
    out.Write(
        t, "short",
        Must(crypto::SealRecord(key, securebase::fuzz::kRecordName, AsSpan("session notes"), rng),
             "Seal"));
    out.Write(t, "1k",
              Must(crypto::SealRecord(key, securebase::fuzz::kRecordName, AsSpan(kilobyte), rng),
                   "Seal"));
    out.Write(t, "other_name",
              Must(crypto::SealRecord(key, "fuzz/other", AsSpan("x"), rng), "Seal"));
  }

  // Wrapped vault keys (minimal Argon2id cost).
  {
    constexpr std::string_view t = "fuzz_wrapped_key";
    const auto& key = *w.vault_key;
    const auto minimum = crypto::PassphraseHashParams::MinimumForTesting();
    const auto right = AsSpan(securebase::fuzz::kPassphrase);
    crypto::Bytes wrapped = Must(crypto::WrapVaultKey(key, right, minimum, rng), "Wrap");
    out.Write(t, "minimum_params", wrapped);
    out.Write(t, "cheap_params",
              Must(crypto::WrapVaultKey(key, right, {2, 16 * 1024}, rng), "Wrap"));
    out.Write(t, "wrong_passphrase",
              Must(crypto::WrapVaultKey(key, AsSpan("wrong"), minimum, rng), "Wrap"));
    crypto::Bytes huge = wrapped;
    PutU64(huge, 1, crypto::kMaxPassphraseOpsLimit + 1);
    out.Write(t, "ops_out_of_bounds", huge);
    huge = wrapped;
    PutU64(huge, 9, uint64_t{crypto::kMaxPassphraseMemLimit} * 2);
    out.Write(t, "mem_out_of_bounds", huge);
  }

  // Linking (issue 12): the world of linking_world.h.
  const auto& lw = securebase::fuzz::GetLinkingWorld();
  auto with = [](crypto::Bytes bytes, size_t at, uint8_t value) {
    bytes[at] = value;
    return bytes;
  };
  auto first = [](const crypto::Bytes& bytes, size_t n) {
    return crypto::Bytes(bytes.begin(), bytes.begin() + std::min(n, bytes.size()));
  };
  auto write_all = [&out](std::string_view target, std::string_view name, const auto& known) {
    for (size_t i = 0; i < known.size(); ++i) {
      out.Write(target, std::string(name) + "_" + std::to_string(i), known[i].bytes);
    }
  };
  {
    constexpr std::string_view t = "fuzz_link_code";
    const std::string text = lw.link.code().ToText();
    out.Write(t, "link_code_text", AsSpan(text));
    std::string lower;
    for (char c : text) {
      if (c != '-') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out.Write(t, "link_code_lower_compact", AsSpan(lower));
    std::string typo = text;
    typo[10] = typo[10] == 'A' ? 'B' : 'A';
    out.Write(t, "link_code_typo", AsSpan(typo));
    out.Write(t, "link_code_bytes", lw.link.code().Serialize());
    const crypto::SecretBytes recovery = lw.recovery_key.ToText();
    out.Write(t, "recovery_key_text", recovery.span());
  }
  {
    constexpr std::string_view t = "fuzz_provisioning_message";
    write_all(t, "sealed", lw.provisioning);
    const crypto::Bytes& m = lw.provisioning[0].bytes;
    out.Write(t, "sealed_to_other_link", lw.sealed_to_other_link);
    out.Write(t, "truncated", first(m, m.size() - 1024));
    out.Write(t, "newer_version", with(m, 0, 2));
    out.Write(t, "flipped_bit", with(m, 100, m[100] ^ 1));
  }
  {
    constexpr std::string_view t = "fuzz_archive_reader";
    write_all(t, "archive", lw.archives);
    const crypto::Bytes& a = lw.archives[0].bytes;
    out.Write(t, "other_kind", lw.backup_kind_archive);
    out.Write(t, "truncated", first(a, a.size() - 100));
    const size_t wire = securebase::fuzz::kFuzzChunkSize + crypto::kArchiveChunkOverhead;
    crypto::Bytes swapped = a;
    std::swap_ranges(swapped.begin() + crypto::kArchiveHeaderSize,
                     swapped.begin() + crypto::kArchiveHeaderSize + wire,
                     swapped.begin() + crypto::kArchiveHeaderSize + wire);
    out.Write(t, "chunks_swapped", swapped);
    crypto::Bytes longer = a;
    longer.push_back(0);
    out.Write(t, "data_after_end", longer);
    out.Write(t, "newer_version", with(a, 0, 2));
  }
  {
    constexpr std::string_view t = "fuzz_backup_reader";
    write_all(t, "backup", lw.backups);
    const crypto::Bytes& b = lw.backups[0].bytes;
    out.Write(t, "other_recovery_key", lw.other_backup);
    out.Write(t, "truncated_header", first(b, 30));
    out.Write(t, "newer_version", with(b, 0, 2));
    out.Write(t, "edited_created_at", with(b, 8, b[8] ^ 1));
    crypto::Bytes longer = b;
    longer.push_back(0);
    out.Write(t, "data_after_end", longer);
  }

  std::printf("wrote %d seed files under %s\n", out.files(), argv[1]);
  return 0;
}
