// Ratchet, ping-pong and X3DH throughput against the cost floor of the same
// primitive work done with bare libsodium calls, in one binary and one run so
// the ratios are comparable. BM_<Case>_Ratchet and BM_<Case>_Floor are pairs;
// scripts/crypto-bench.sh prints ratchet/floor for each pair. The target is a
// ratchet at >= 70% of its floor's throughput.
//
// The floors count the work that the formats and algorithms of session.h and
// x3dh.h require, not what the implementation happens to do:
//   ratchet message v3 = 0x03 0x01 | header nonce(24) | enc header(40 + 16) |
//                        body nonce(24) | enc body(PaddedSize(n) + 16)
//   header AD = both identities(64) | version and type(2)  =  66 bytes
//   body AD   = both identities(64) | bytes before body nonce(82) = 146 bytes
//               (+ the 76-byte cleartext prefix of an initial message)
//   KDF_CK    = 2 x HMAC-SHA256 per chain step (each side)
//   KDF_RK_HE = HKDF-SHA256, 96 bytes out: 1 extract + 3 expand HMACs
// Not counted in any floor: padding, framing, allocation, state copies.
//
// BM_Diag_FullStore{Valid,Junk} (finding 5 of issue 10): a receiver whose
// skipped-key stores are full (the current and every kept previous chain
// hold skipped keys, kMaxSkippedKeysTotal in all) decrypts a valid message,
// and refuses a junk message of the same size (right version and type bytes,
// random rest: what an anonymous flood or a malicious server can send). The
// junk costs at most 2 + kMaxPreviousReceivingChains header trials; the
// target is junk <= 10x valid, printed by scripts/crypto-bench.sh.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/padding.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/x3dh.h"
#include "tests/testing/must.h"

namespace {

namespace sb = securebase::crypto;
using ::securebase::testing::Must;

constexpr size_t kMessageSize = 1024;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr size_t kHeaderSize = 32 + 4 + 4;                                   // dh | pn | n
constexpr size_t kLeadSize = 2;                                              // Version and type.
constexpr size_t kHeaderAdSize = 2 * 32 + kLeadSize;
constexpr size_t kBodyAdSize = 2 * 32 + kLeadSize + kNonceSize + kHeaderSize + kTagSize;
// An initial message binds its cleartext prefix into the body AD as well.
constexpr size_t kInitialPrefixSize = 2 + 1 + 32 + 32 + 4 + 1 + 4;
constexpr std::string_view kRootInfo = "SecureBase/v1/ratchet-root";
constexpr std::string_view kX3dhInfo = "SecureBase/v1/x3dh";
constexpr std::string_view kSignedPreKeyLabel = "SecureBase/v1/signed-prekey";

const std::vector<uint8_t>& Plaintext() {
  static const std::vector<uint8_t> plaintext(kMessageSize, 0x5a);
  return plaintext;
}

// ---------------------------------------------------------------------------
// The library.

struct Parties {
  sb::IdentityKeyPair alice = sb::IdentityKeyPair::Generate(sb::SystemRandom());
  sb::IdentityKeyPair bob = sb::IdentityKeyPair::Generate(sb::SystemRandom());
  sb::SignedPreKey bob_spk = sb::SignedPreKey::Generate(bob, 1, sb::SystemRandom());
  sb::OneTimePreKey bob_otk = sb::OneTimePreKey::Generate(1, sb::SystemRandom());
  sb::PreKeyBundle bundle = sb::MakePreKeyBundle(bob, bob_spk, &bob_otk);
};

// Alice and Bob after the handshake and one reply, so Alice sends ratchet
// (not initial) messages.
struct Conversation {
  Parties parties;
  sb::Session alice;
  sb::Session bob;
};

Conversation Establish() {
  auto& rng = sb::SystemRandom();
  Parties parties;
  sb::Session alice = Must(sb::Session::Initiate(parties.alice, parties.bundle, rng), "Initiate");
  sb::Bytes first = Must(alice.Encrypt(Plaintext(), rng), "Encrypt");
  sb::Session::Accepted accepted = Must(
      sb::Session::Accept(parties.bob, parties.bob_spk, &parties.bob_otk, first, rng), "Accept");
  sb::Session bob = std::move(accepted.session);
  sb::Bytes reply = Must(bob.Encrypt(Plaintext(), rng), "Encrypt");
  Must(alice.Decrypt(reply, rng), "Decrypt");
  return Conversation{std::move(parties), std::move(alice), std::move(bob)};
}

// Moves one message through the library; false on any error.
bool Send(sb::Session& from, sb::Session& to, sb::RandomSource& rng) {
  auto message = from.Encrypt(Plaintext(), rng);
  if (!message.ok()) return false;
  auto plaintext = to.Decrypt(*message, rng);
  if (!plaintext.ok() || plaintext->size() != kMessageSize) return false;
  benchmark::DoNotOptimize(plaintext->data());
  return true;
}

void SetCounters(benchmark::State& state, int64_t items_per_iteration) {
  state.SetItemsProcessed(state.iterations() * items_per_iteration);
  state.SetBytesProcessed(state.iterations() * items_per_iteration *
                          static_cast<int64_t>(kMessageSize));
}

// (a) 1 KiB messages Alice -> Bob; a symmetric-chain step each, no DH step.
void BM_OneWay_Ratchet(benchmark::State& state) {
  Conversation c = Establish();
  auto& rng = sb::SystemRandom();
  for (auto _ : state) {
    if (!Send(c.alice, c.bob, rng)) {
      state.SkipWithError("ratchet message failed");
      break;
    }
  }
  SetCounters(state, 1);
}

// (b) Alice -> Bob, Bob -> Alice: every message carries a new ratchet key, so
// every receive is a DH ratchet step. Two messages per iteration.
void BM_PingPong_Ratchet(benchmark::State& state) {
  Conversation c = Establish();
  auto& rng = sb::SystemRandom();
  for (auto _ : state) {
    if (!Send(c.alice, c.bob, rng) || !Send(c.bob, c.alice, rng)) {
      state.SkipWithError("ratchet message failed");
      break;
    }
  }
  SetCounters(state, 2);
}

// (c) X3DH with a one-time prekey: Alice's Initiate and 1 KiB first message,
// Bob's ParseInitialMessage (to find the prekeys) and Accept.
void BM_X3dh_Ratchet(benchmark::State& state) {
  Parties p;
  auto& rng = sb::SystemRandom();
  for (auto _ : state) {
    auto alice = sb::Session::Initiate(p.alice, p.bundle, rng);
    if (!alice.ok()) {
      state.SkipWithError("Initiate failed");
      break;
    }
    auto first = alice->Encrypt(Plaintext(), rng);
    if (!first.ok()) {
      state.SkipWithError("Encrypt failed");
      break;
    }
    auto parsed = sb::ParseInitialMessage(*first);
    if (!parsed.ok() || parsed->header.signed_prekey_id != p.bob_spk.id) {
      state.SkipWithError("ParseInitialMessage failed");
      break;
    }
    auto accepted = sb::Session::Accept(p.bob, p.bob_spk, &p.bob_otk, *first, rng);
    if (!accepted.ok() || accepted->plaintext.size() != kMessageSize) {
      state.SkipWithError("Accept failed");
      break;
    }
    benchmark::DoNotOptimize(accepted->plaintext.data());
  }
  SetCounters(state, 1);
}

// ---------------------------------------------------------------------------
// The floor: bare libsodium calls.

using Key = std::array<uint8_t, 32>;

Key RandomKey() {
  Key k;
  randombytes_buf(k.data(), k.size());
  return k;
}

// KDF_CK: message key and next chain key, 2 HMACs.
void FloorChainStep(Key& chain_key, Key& message_key) {
  static constexpr uint8_t kMessageKeyConstant = 0x01;
  static constexpr uint8_t kChainKeyConstant = 0x02;
  crypto_auth_hmacsha256(message_key.data(), &kMessageKeyConstant, 1, chain_key.data());
  crypto_auth_hmacsha256(chain_key.data(), &kChainKeyConstant, 1, chain_key.data());
}

// HKDF-SHA256 with a 96-byte output: 1 extract + 3 expand HMACs.
void FloorHkdf96(const uint8_t* salt, size_t salt_size, const uint8_t* ikm, size_t ikm_size,
                 std::string_view info, uint8_t out[96]) {
  uint8_t prk[32];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, salt, salt_size);
  crypto_auth_hmacsha256_update(&st, ikm, ikm_size);
  crypto_auth_hmacsha256_final(&st, prk);
  const uint8_t* previous = nullptr;
  for (uint8_t i = 1; i <= 3; ++i) {
    crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
    if (previous != nullptr) crypto_auth_hmacsha256_update(&st, previous, 32);
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const uint8_t*>(info.data()), info.size());
    crypto_auth_hmacsha256_update(&st, &i, 1);
    crypto_auth_hmacsha256_final(&st, out + 32 * (i - 1));
    previous = out + 32 * (i - 1);
  }
}

// KDF_RK_HE over one DH: X25519 + HKDF. `root` is updated in place.
bool FloorRootStep(Key& root, const uint8_t* private_key, const uint8_t* public_key) {
  uint8_t dh[32];
  if (crypto_scalarmult(dh, private_key, public_key) != 0) return false;
  uint8_t okm[96];
  FloorHkdf96(root.data(), root.size(), dh, sizeof dh, kRootInfo, okm);
  std::memcpy(root.data(), okm, 32);
  benchmark::DoNotOptimize(okm);
  return true;
}

// Everything one message needs on the wire and at both ends, without a DH
// step: two chain steps, two random nonces, header and body AEAD both ways.
struct FloorChannel {
  Key sender_chain = RandomKey();
  Key receiver_chain = sender_chain;
  Key header_key = RandomKey();
  Key wrong_header_key = RandomKey();
  std::array<uint8_t, kHeaderSize> header{};
  std::array<uint8_t, kHeaderAdSize> header_ad{};
  std::vector<uint8_t> body_ad;
  std::vector<uint8_t> padded = std::vector<uint8_t>(sb::PaddedSize(kMessageSize), 0x5a);
  std::vector<uint8_t> wire = std::vector<uint8_t>(kLeadSize + kNonceSize + kHeaderSize + kTagSize +
                                                   kNonceSize + padded.size() + kTagSize);
  std::vector<uint8_t> received = std::vector<uint8_t>(padded.size());

  explicit FloorChannel(size_t body_ad_size = kBodyAdSize) : body_ad(body_ad_size) {}

  uint8_t* header_nonce() { return wire.data() + kLeadSize; }
  uint8_t* enc_header() { return header_nonce() + kNonceSize; }
  uint8_t* body_nonce() { return enc_header() + kHeaderSize + kTagSize; }
  uint8_t* enc_body() { return body_nonce() + kNonceSize; }

  void Send() {
    Key message_key;
    FloorChainStep(sender_chain, message_key);
    randombytes_buf(header_nonce(), kNonceSize);
    crypto_aead_xchacha20poly1305_ietf_encrypt(enc_header(), nullptr, header.data(), header.size(),
                                               header_ad.data(), header_ad.size(), nullptr,
                                               header_nonce(), header_key.data());
    randombytes_buf(body_nonce(), kNonceSize);
    crypto_aead_xchacha20poly1305_ietf_encrypt(enc_body(), nullptr, padded.data(), padded.size(),
                                               body_ad.data(), body_ad.size(), nullptr,
                                               body_nonce(), message_key.data());
  }

  // The header trial that fails before the right key is found (after a DH
  // step the receiver tries HKr, then NHKr).
  bool FailedHeaderTrial() {
    uint8_t plain[kHeaderSize];
    return crypto_aead_xchacha20poly1305_ietf_decrypt(
               plain, nullptr, nullptr, enc_header(), kHeaderSize + kTagSize, header_ad.data(),
               header_ad.size(), header_nonce(), wrong_header_key.data()) != 0;
  }

  bool ReceiveHeader() {
    uint8_t plain[kHeaderSize];
    return crypto_aead_xchacha20poly1305_ietf_decrypt(
               plain, nullptr, nullptr, enc_header(), kHeaderSize + kTagSize, header_ad.data(),
               header_ad.size(), header_nonce(), header_key.data()) == 0;
  }

  bool ReceiveBody() {
    Key message_key;
    FloorChainStep(receiver_chain, message_key);
    const bool ok = crypto_aead_xchacha20poly1305_ietf_decrypt(
                        received.data(), nullptr, nullptr, enc_body(), padded.size() + kTagSize,
                        body_ad.data(), body_ad.size(), body_nonce(), message_key.data()) == 0;
    benchmark::DoNotOptimize(received.data());
    return ok;
  }
};

// The receiver's DH ratchet step: DH with the old ratchet key, a new key pair,
// DH with the new one; a root KDF after each DH.
struct FloorDhRatchet {
  Key root = RandomKey();
  Key own_private = RandomKey();
  Key own_public{};
  Key peer_public{};

  FloorDhRatchet() {
    crypto_scalarmult_base(own_public.data(), own_private.data());
    Key peer_private = RandomKey();
    crypto_scalarmult_base(peer_public.data(), peer_private.data());
  }

  bool Step() {
    if (!FloorRootStep(root, own_private.data(), peer_public.data())) return false;
    randombytes_buf(own_private.data(), own_private.size());
    crypto_scalarmult_base(own_public.data(), own_private.data());
    return FloorRootStep(root, own_private.data(), peer_public.data());
  }
};

void BM_OneWay_Floor(benchmark::State& state) {
  FloorChannel channel;
  for (auto _ : state) {
    channel.Send();
    if (!channel.ReceiveHeader() || !channel.ReceiveBody()) {
      state.SkipWithError("floor decrypt failed");
      break;
    }
  }
  SetCounters(state, 1);
}

void BM_PingPong_Floor(benchmark::State& state) {
  FloorChannel a_to_b, b_to_a;
  FloorDhRatchet bob, alice;
  auto one_turn = [](FloorChannel& channel, FloorDhRatchet& receiver) {
    channel.Send();
    return channel.FailedHeaderTrial() && channel.ReceiveHeader() && receiver.Step() &&
           channel.ReceiveBody();
  };
  for (auto _ : state) {
    if (!one_turn(a_to_b, bob) || !one_turn(b_to_a, alice)) {
      state.SkipWithError("floor decrypt failed");
      break;
    }
  }
  SetCounters(state, 2);
}

// X3DH with a one-time prekey (4 DHs each side) plus the ratchet start and
// the first message, as BM_X3dh_Ratchet does:
//   Alice: verify the signed prekey; Bob's identity Ed25519 -> X25519; EK
//          keygen; DH1..DH4; HKDF; ratchet key keygen + root step (DH + HKDF);
//          chain step, header and body encryption of the first message.
//   Bob:   Alice's identity Ed25519 -> X25519; DH1..DH4; HKDF; header
//          decryption; DH ratchet step (2 DH, keygen, 2 HKDF); chain step and
//          body decryption.
struct FloorX3dh {
  // Ed25519 identities and their X25519 forms (precomputed once: a key pair
  // holds its X25519 form).
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> alice_ed_pk{}, bob_ed_pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> alice_ed_sk{}, bob_ed_sk{};
  Key alice_x_sk{}, bob_x_sk{};
  Key spk_sk = RandomKey(), spk_pk{};
  Key otk_sk = RandomKey(), otk_pk{};
  std::vector<uint8_t> signed_message;
  std::array<uint8_t, crypto_sign_BYTES> signature{};
  FloorChannel first{kBodyAdSize + kInitialPrefixSize};

  FloorX3dh() {
    crypto_sign_keypair(alice_ed_pk.data(), alice_ed_sk.data());
    crypto_sign_keypair(bob_ed_pk.data(), bob_ed_sk.data());
    crypto_sign_ed25519_sk_to_curve25519(alice_x_sk.data(), alice_ed_sk.data());
    crypto_sign_ed25519_sk_to_curve25519(bob_x_sk.data(), bob_ed_sk.data());
    crypto_scalarmult_base(spk_pk.data(), spk_sk.data());
    crypto_scalarmult_base(otk_pk.data(), otk_sk.data());
    // label | 0x00 | spk id (4) | spk (32)
    signed_message.assign(kSignedPreKeyLabel.begin(), kSignedPreKeyLabel.end());
    signed_message.push_back(0);
    signed_message.insert(signed_message.end(), {0, 0, 0, 1});
    signed_message.insert(signed_message.end(), spk_pk.begin(), spk_pk.end());
    crypto_sign_detached(signature.data(), nullptr, signed_message.data(), signed_message.size(),
                         bob_ed_sk.data());
  }

  // KDF input F || DH1..DH4 with F = 32 0xFF bytes; zero salt.
  static void Kdf(const uint8_t ikm[32 + 4 * 32], Key& root) {
    static const Key kZeroSalt{};
    uint8_t okm[96];
    FloorHkdf96(kZeroSalt.data(), kZeroSalt.size(), ikm, 32 + 4 * 32, kX3dhInfo, okm);
    std::memcpy(root.data(), okm, 32);
    benchmark::DoNotOptimize(okm);
  }

  bool Handshake() {
    uint8_t ikm[32 + 4 * 32];
    std::memset(ikm, 0xFF, 32);
    // Alice.
    if (crypto_sign_verify_detached(signature.data(), signed_message.data(), signed_message.size(),
                                    bob_ed_pk.data()) != 0) {
      return false;
    }
    Key bob_x_pk;
    if (crypto_sign_ed25519_pk_to_curve25519(bob_x_pk.data(), bob_ed_pk.data()) != 0) return false;
    Key ek_sk, ek_pk;
    randombytes_buf(ek_sk.data(), ek_sk.size());
    crypto_scalarmult_base(ek_pk.data(), ek_sk.data());
    if (crypto_scalarmult(ikm + 32, alice_x_sk.data(), spk_pk.data()) != 0 ||
        crypto_scalarmult(ikm + 64, ek_sk.data(), bob_x_pk.data()) != 0 ||
        crypto_scalarmult(ikm + 96, ek_sk.data(), spk_pk.data()) != 0 ||
        crypto_scalarmult(ikm + 128, ek_sk.data(), otk_pk.data()) != 0) {
      return false;
    }
    Key alice_root;
    Kdf(ikm, alice_root);
    Key ratchet_sk, ratchet_pk;
    randombytes_buf(ratchet_sk.data(), ratchet_sk.size());
    crypto_scalarmult_base(ratchet_pk.data(), ratchet_sk.data());
    if (!FloorRootStep(alice_root, ratchet_sk.data(), spk_pk.data())) return false;
    first.Send();

    // Bob.
    Key alice_x_pk;
    if (crypto_sign_ed25519_pk_to_curve25519(alice_x_pk.data(), alice_ed_pk.data()) != 0) {
      return false;
    }
    if (crypto_scalarmult(ikm + 32, spk_sk.data(), alice_x_pk.data()) != 0 ||
        crypto_scalarmult(ikm + 64, bob_x_sk.data(), ek_pk.data()) != 0 ||
        crypto_scalarmult(ikm + 96, spk_sk.data(), ek_pk.data()) != 0 ||
        crypto_scalarmult(ikm + 128, otk_sk.data(), ek_pk.data()) != 0) {
      return false;
    }
    Key bob_root;
    Kdf(ikm, bob_root);
    if (!first.ReceiveHeader()) return false;
    if (!FloorRootStep(bob_root, spk_sk.data(), ratchet_pk.data())) return false;
    Key bob_ratchet_sk, bob_ratchet_pk;
    randombytes_buf(bob_ratchet_sk.data(), bob_ratchet_sk.size());
    crypto_scalarmult_base(bob_ratchet_pk.data(), bob_ratchet_sk.data());
    if (!FloorRootStep(bob_root, bob_ratchet_sk.data(), ratchet_pk.data())) return false;
    return first.ReceiveBody();
  }
};

void BM_X3dh_Floor(benchmark::State& state) {
  FloorX3dh x3dh;
  for (auto _ : state) {
    if (!x3dh.Handshake()) {
      state.SkipWithError("floor handshake failed");
      break;
    }
  }
  SetCounters(state, 1);
}

// ---------------------------------------------------------------------------
// Diagnostics (no floor; scripts/crypto-bench.sh lists them separately): the
// library's padding round trip for one 1 KiB message, which the floors leave
// out, so the ratchet-floor gap can be attributed in time, not only in
// instructions.
void BM_Diag_PadUnpad(benchmark::State& state) {
  for (auto _ : state) {
    auto padded = sb::Pad(Plaintext());
    if (!padded.ok() || !sb::Unpad(*padded).ok() || padded->size() != kMessageSize) {
      state.SkipWithError("padding failed");
      break;
    }
    benchmark::DoNotOptimize(padded->data());
  }
  SetCounters(state, 1);
}

// One-way messages after `lost` earlier chains each lost one message, so the
// receiver holds `lost` skipped keys under `lost` distinct header keys (a
// long conversation over a lossy network). Shows how the skipped-key lookup
// scales; compare with BM_OneWay_Ratchet.
void BM_Diag_OneWayWithLostChains(benchmark::State& state) {
  Conversation c = Establish();
  auto& rng = sb::SystemRandom();
  for (int64_t i = 0; i < state.range(0); ++i) {
    bool ok = c.alice.Encrypt(Plaintext(), rng).ok();  // Never delivered.
    ok = ok && Send(c.alice, c.bob, rng) && Send(c.bob, c.alice, rng);
    if (!ok) {
      state.SkipWithError("setup failed");
      return;
    }
  }
  // Bob keeps the current chain and kMaxPreviousReceivingChains before it.
  const size_t kept =
      std::min(static_cast<size_t>(state.range(0)), sb::kMaxPreviousReceivingChains + 1);
  if (c.bob.skipped_key_count() != kept) {
    state.SkipWithError("unexpected skipped key count");
    return;
  }
  for (auto _ : state) {
    if (!Send(c.alice, c.bob, rng)) {
      state.SkipWithError("ratchet message failed");
      break;
    }
  }
  SetCounters(state, 1);
}

// Bob with full skipped-key stores: the current chain and every kept previous
// chain hold skipped keys, kMaxSkippedKeysTotal in all.
Conversation FullStores() {
  Conversation c = Establish();
  auto& rng = sb::SystemRandom();
  constexpr size_t kChains = sb::kMaxPreviousReceivingChains + 1;
  constexpr size_t kPerChain = sb::kMaxSkippedKeysTotal / kChains + 1;  // Evicts a few.
  for (size_t chain = 0; chain < kChains; ++chain) {
    for (size_t i = 0; i < kPerChain; ++i) {
      if (!c.alice.Encrypt(Plaintext(), rng).ok()) std::abort();  // Never delivered.
    }
    if (!Send(c.alice, c.bob, rng)) std::abort();
    if (chain + 1 < kChains && !Send(c.bob, c.alice, rng)) std::abort();
  }
  if (c.bob.skipped_key_count() != sb::kMaxSkippedKeysTotal) std::abort();
  return c;
}

// Decrypt only: Alice's messages are encrypted in batches outside the timing.
void BM_Diag_FullStoreValid(benchmark::State& state) {
  Conversation c = FullStores();
  auto& rng = sb::SystemRandom();
  std::vector<sb::Bytes> batch;
  size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (int i = 0; i < 1024; ++i)
        batch.push_back(Must(c.alice.Encrypt(Plaintext(), rng), "Encrypt"));
      next = 0;
      state.ResumeTiming();
    }
    auto plaintext = c.bob.Decrypt(batch[next++], rng);
    if (!plaintext.ok() || plaintext->size() != kMessageSize) {
      state.SkipWithError("ratchet message failed");
      break;
    }
    benchmark::DoNotOptimize(plaintext->data());
  }
  SetCounters(state, 1);
}

void BM_Diag_FullStoreJunk(benchmark::State& state) {
  Conversation c = FullStores();
  auto& rng = sb::SystemRandom();
  sb::Bytes junk = Must(c.alice.Encrypt(Plaintext(), rng), "Encrypt");  // The valid size.
  randombytes_buf(junk.data() + kLeadSize, junk.size() - kLeadSize);
  for (auto _ : state) {
    auto refused = c.bob.Decrypt(junk, rng);
    if (refused.ok() || refused.status().code() != sb::ErrorCode::kInvalidMessage) {
      state.SkipWithError("junk was not refused as invalid");
      break;
    }
    benchmark::DoNotOptimize(refused);
  }
  SetCounters(state, 1);
}

// Pairs are registered next to each other so they run close in time.
BENCHMARK(BM_OneWay_Ratchet);
BENCHMARK(BM_OneWay_Floor);
BENCHMARK(BM_PingPong_Ratchet);
BENCHMARK(BM_PingPong_Floor);
BENCHMARK(BM_X3dh_Ratchet);
BENCHMARK(BM_X3dh_Floor);
BENCHMARK(BM_Diag_PadUnpad);
BENCHMARK(BM_Diag_OneWayWithLostChains)->Arg(10)->Arg(100);
BENCHMARK(BM_Diag_FullStoreValid);
BENCHMARK(BM_Diag_FullStoreJunk);

}  // namespace

int main(int argc, char** argv) {
  sb::EnsureSodiumInitialized();
  benchmark::AddCustomContext("libsodium", sodium_version_string());
  benchmark::AddCustomContext("message_size", std::to_string(kMessageSize));
  benchmark::AddCustomContext("padded_size", std::to_string(sb::PaddedSize(kMessageSize)));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
