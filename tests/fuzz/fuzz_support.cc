#include "tests/fuzz/fuzz_support.h"

#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "tests/testing/must.h"

namespace securebase::fuzz {

using crypto::Bytes;
using crypto::ByteSpan;
using crypto::IdentityKeyPair;
using crypto::OneTimePreKey;
using crypto::Session;
using crypto::SignedPreKey;

void FuzzRandom::Fill(std::span<uint8_t> out) {
  crypto::EnsureSodiumInitialized();
  std::array<uint8_t, randombytes_SEEDBYTES> seed{};
  for (int i = 0; i < 8; ++i) {
    seed[i] = static_cast<uint8_t>(seed_ >> (8 * i));
    seed[8 + i] = static_cast<uint8_t>(counter_ >> (8 * i));
  }
  ++counter_;
  randombytes_buf_deterministic(out.data(), out.size(), seed.data());
}

void Fail(const char* file, int line, const char* what) {
  std::fprintf(stderr, "%s:%d: contract violated: %s\n", file, line, what);
  std::abort();
}

namespace {

using ::securebase::testing::Must;

Bytes Encrypt(Session& session, std::string_view text, FuzzRandom& rng) {
  return Must(session.Encrypt(AsSpan(text), rng), "Encrypt");
}

void Decrypt(Session& session, const Bytes& message, FuzzRandom& rng) {
  Must(session.Decrypt(message, rng), "Decrypt");
}

std::unique_ptr<World> BuildWorld() {
  FuzzRandom rng(kWorldSeed);
  IdentityKeyPair alice_identity = IdentityKeyPair::Generate(rng);
  IdentityKeyPair bob_identity = IdentityKeyPair::Generate(rng);
  IdentityKeyPair carol_identity = IdentityKeyPair::Generate(rng);
  SignedPreKey bob_spk = SignedPreKey::Generate(bob_identity, kSignedPreKeyId, rng);
  OneTimePreKey bob_otk = OneTimePreKey::Generate(kOneTimePreKeyId, rng);
  SignedPreKey alice_spk = SignedPreKey::Generate(alice_identity, 1, rng);

  std::array<uint8_t, crypto::kUserIdSize> bob_user{};
  bob_user.fill(0xB0);
  std::array<uint8_t, crypto::kUserIdSize> carol_user{};
  carol_user.fill(0xCA);
  const crypto::DeviceAddress bob_device{crypto::UserId(bob_user), 3};
  SignedPreKey bob_device_spk =
      SignedPreKey::GenerateForDevice(bob_identity, bob_device, kSignedPreKeyId + 1, rng);
  crypto::DeviceAuthKeyPair bob_device_auth = crypto::DeviceAuthKeyPair::Generate(rng);

  auto world = std::unique_ptr<World>(new World{
      .alice_identity = std::move(alice_identity),
      .bob_identity = std::move(bob_identity),
      .carol_identity = std::move(carol_identity),
      .bob_signed_prekey = std::move(bob_spk),
      .bob_one_time_prekey = std::move(bob_otk),
      .bob_device = bob_device,
      .bob_device_signed_prekey = std::move(bob_device_spk),
      .bob_device_auth = std::move(bob_device_auth),
      .carol_device = crypto::DeviceAddress{crypto::UserId(carol_user), 1},
  });
  World& w = *world;
  w.bob_bundle = MakePreKeyBundle(w.bob_identity, w.bob_signed_prekey, &w.bob_one_time_prekey);
  w.bob_bundle_no_otk = MakePreKeyBundle(w.bob_identity, w.bob_signed_prekey, nullptr);
  w.alice_bundle = MakePreKeyBundle(w.alice_identity, alice_spk, nullptr);
  w.bob_device_bundle =
      MakePreKeyBundle(w.bob_identity, w.bob_device_signed_prekey, &w.bob_one_time_prekey);
  w.bob_device_bundle.device = w.bob_device;
  w.bob_device_binding = crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(
      w.bob_identity,
      crypto::DeviceBinding{w.bob_device, w.bob_device_auth.public_key(), 1'767'225'600}));

  Session alice = Must(Session::Initiate(w.alice_identity, w.bob_bundle, rng), "Initiate");
  w.a0 = Encrypt(alice, "hello, this is Alice", rng);
  w.a0b = Encrypt(alice, "are you there?", rng);
  w.alice_awaiting_state = alice.Serialize();

  Session::Accepted accepted =
      Must(Session::Accept(w.bob_identity, w.bob_signed_prekey, &w.bob_one_time_prekey, w.a0, rng),
           "Accept");
  Session bob = std::move(accepted.session);
  w.bob_fresh_state = bob.Serialize();

  w.b0 = Encrypt(bob, "hi Alice", rng);
  Decrypt(alice, w.b0, rng);
  w.a1 = Encrypt(alice, "one", rng);
  w.a2 = Encrypt(alice, "two", rng);
  w.a3 = Encrypt(alice, "three", rng);
  w.a4 = Encrypt(alice, "four", rng);
  Decrypt(bob, w.a1, rng);
  Decrypt(bob, w.a3, rng);
  w.bob_mid_state = bob.Serialize();
  w.alice_mid_state = alice.Serialize();

  w.b1 = Encrypt(bob, "got one and three", rng);
  Decrypt(alice, w.b1, rng);
  w.a5 = Encrypt(alice, "five, after a DH step", rng);
  w.alice_after_state = alice.Serialize();

  Session carol = Must(Session::Initiate(w.carol_identity, w.bob_bundle_no_otk, rng), "Initiate");
  w.c0 = Encrypt(carol, "hello from Carol", rng);

  w.vault_key = std::make_unique<crypto::VaultKey>(crypto::VaultKey::Generate(rng));
  return world;
}

}  // namespace

const World& GetWorld() {
  static const std::unique_ptr<World> world = BuildWorld();
  return *world;
}

}  // namespace securebase::fuzz
