#include "tests/vectors/transcript.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/invite_proof.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/safety_number.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/x3dh.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/hex.h"
#include "tests/testing/must.h"

namespace securebase::vectors {
namespace {

using ::securebase::testing::Must;

namespace crypto = ::securebase::crypto;
using crypto::ByteSpan;
using testing::ToHex;

ByteSpan Text(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

crypto::DeviceAddress Device(uint8_t user_byte, uint32_t device_id) {
  std::array<uint8_t, crypto::kUserIdSize> user{};
  for (size_t i = 0; i < user.size(); ++i) user[i] = static_cast<uint8_t>(user_byte + i);
  return crypto::DeviceAddress{crypto::UserId(user), device_id};
}

// The current X25519 ratchet private key of a session: state blob v2 puts it
// after version, flags and three 32-byte public values (ratchet_state.cc).
std::string RatchetPrivate(const crypto::Session& session) {
  const crypto::SecretBytes state = session.Serialize();
  return ToHex(state.span().subspan(2 + 3 * 32, 32));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> BuildTranscript() {
  testing::DeterministicRandom rng(kTranscriptSeed);
  std::vector<std::pair<std::string, std::string>> out;
  auto put = [&out](std::string name, std::string value) {
    out.emplace_back(std::move(name), std::move(value));
  };

  crypto::IdentityKeyPair alice = crypto::IdentityKeyPair::Generate(rng);
  crypto::IdentityKeyPair bob = crypto::IdentityKeyPair::Generate(rng);
  const crypto::DeviceAddress alice_device = Device(0xA0, 1);
  const crypto::DeviceAddress bob_device = Device(0xB0, 2);
  crypto::SignedPreKey spk = crypto::SignedPreKey::GenerateForDevice(bob, bob_device, 7, rng);
  crypto::OneTimePreKey otk = crypto::OneTimePreKey::Generate(42, rng);
  crypto::DeviceAuthKeyPair bob_auth = crypto::DeviceAuthKeyPair::Generate(rng);

  put("alice_identity_seed", ToHex(alice.ExportSeed().span()));
  put("alice_identity_public", ToHex(alice.public_key().span()));
  put("alice_user_id", ToHex(alice_device.user_id.span()));
  put("alice_device_id", std::to_string(alice_device.device_id));
  put("bob_identity_seed", ToHex(bob.ExportSeed().span()));
  put("bob_identity_public", ToHex(bob.public_key().span()));
  put("bob_user_id", ToHex(bob_device.user_id.span()));
  put("bob_device_id", std::to_string(bob_device.device_id));
  put("bob_spk_id", std::to_string(spk.id));
  put("bob_spk_private", ToHex(spk.key.private_key()));
  put("bob_spk_public", ToHex(spk.key.public_key().span()));
  put("bob_spk_signature", ToHex(spk.signature.span()));
  put("bob_otk_id", std::to_string(otk.id));
  put("bob_otk_private", ToHex(otk.key.private_key()));
  put("bob_otk_public", ToHex(otk.key.public_key().span()));
  put("bob_device_auth_public", ToHex(bob_auth.public_key().span()));
  const crypto::DeviceBinding binding{bob_device, bob_auth.public_key(), 1'767'225'600};
  put("bob_device_binding",
      ToHex(crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(bob, binding))));

  crypto::PreKeyBundle bundle = crypto::MakePreKeyBundle(bob, spk, &otk);
  bundle.device = bob_device;
  put("bob_bundle", ToHex(crypto::SerializePreKeyBundle(bundle)));

  // X3DH with the one-time prekey, and the first three messages each way.
  crypto::Session a =
      Must(crypto::Session::Initiate(alice, alice_device, bundle, bob_device, rng), "Initiate");
  std::vector<crypto::Bytes> from_alice;
  for (int i = 1; i <= 3; ++i) {
    const std::string text = "alice " + std::to_string(i);
    from_alice.push_back(Must(a.Encrypt(Text(text), rng), "Encrypt"));
    put("plaintext_a" + std::to_string(i), "\"" + text + "\"");
    put("message_a" + std::to_string(i), ToHex(from_alice.back()));
  }
  const crypto::InitialMessage first = Must(crypto::ParseInitialMessage(from_alice[0]), "Parse");
  const crypto::X3dhSecrets secrets =
      Must(crypto::X3dhRespond(bob, spk, &otk, first.header), "X3dhRespond");
  put("x3dh_base_key", ToHex(first.header.base_key.span()));
  put("x3dh_root_key", ToHex(secrets.root_key.span()));
  put("x3dh_initiator_header_key", ToHex(secrets.initiator_header_key.span()));
  put("x3dh_responder_next_header_key", ToHex(secrets.responder_next_header_key.span()));

  crypto::Session::Accepted accepted =
      Must(crypto::Session::Accept(bob, spk, &otk, from_alice[0], rng), "Accept");
  crypto::Session b = std::move(accepted.session);
  for (size_t i = 1; i < from_alice.size(); ++i) Must(b.Decrypt(from_alice[i], rng), "Decrypt");
  put("bob_ratchet_private", RatchetPrivate(b));
  for (int i = 1; i <= 3; ++i) {
    const std::string text = "bob " + std::to_string(i);
    const crypto::Bytes message = Must(b.Encrypt(Text(text), rng), "Encrypt");
    put("plaintext_b" + std::to_string(i), "\"" + text + "\"");
    put("message_b" + std::to_string(i), ToHex(message));
    Must(a.Decrypt(message, rng), "Decrypt");
  }

  // X3DH without a one-time prekey.
  crypto::PreKeyBundle no_otk = crypto::MakePreKeyBundle(bob, spk, nullptr);
  no_otk.device = bob_device;
  const crypto::X3dhInitiation plain =
      Must(crypto::X3dhInitiate(alice, alice_device, no_otk, bob_device, rng), "X3dhInitiate");
  put("nootk_base_key", ToHex(plain.header.base_key.span()));
  put("nootk_root_key", ToHex(plain.secrets.root_key.span()));
  put("nootk_initiator_header_key", ToHex(plain.secrets.initiator_header_key.span()));
  put("nootk_responder_next_header_key", ToHex(plain.secrets.responder_next_header_key.span()));

  // Safety numbers and the identity fingerprint.
  const crypto::IdentityKeyPair carol = crypto::IdentityKeyPair::Generate(rng);
  const crypto::IdentityKeyPair dave = crypto::IdentityKeyPair::Generate(rng);
  const crypto::IdentityPublicKey* pairs[][2] = {
      {&alice.public_key(), &bob.public_key()},
      {&bob.public_key(), &carol.public_key()},
      {&dave.public_key(), &carol.public_key()},
  };
  put("carol_identity_public", ToHex(carol.public_key().span()));
  put("dave_identity_public", ToHex(dave.public_key().span()));
  for (size_t i = 0; i < std::size(pairs); ++i) {
    const std::string n = std::to_string(i + 1);
    put("safety_" + n + "_a", ToHex(pairs[i][0]->span()));
    put("safety_" + n + "_b", ToHex(pairs[i][1]->span()));
    put("safety_" + n + "_number", "\"" + crypto::SafetyNumber(*pairs[i][0], *pairs[i][1]) + "\"");
  }
  const crypto::IdentityFingerprint fingerprint = crypto::FingerprintIdentity(bob.public_key());
  put("bob_identity_fingerprint", ToHex(ByteSpan(fingerprint.data(), fingerprint.size())));

  // An invite from Bob (therapist) redeemed by Alice (client): the subkeys of
  // the invite key and Alice's proof of her identity key.
  const crypto::InviteKey invite_key = crypto::InviteKey::Generate(rng);
  const crypto::InviteKeys invite = crypto::DeriveInviteKeys(invite_key);
  const crypto::InviteProof proof = crypto::MakeInviteProof(
      invite.proof_key, crypto::InviteProofStatement{bob_device.user_id, bob.public_key(),
                                                     alice_device.user_id, alice.public_key()});
  put("invite_key", ToHex(invite_key.bytes()));
  put("invite_profile_key", ToHex(invite.profile_key.bytes()));
  put("invite_proof_key", ToHex(invite.proof_key.bytes()));
  put("invite_id", ToHex(invite.invite_id.span()));
  put("invite_proof", ToHex(ByteSpan(proof.data(), proof.size())));
  return out;
}

namespace {

std::string Format(std::string header,
                   const std::vector<std::pair<std::string, std::string>>& entries) {
  for (const auto& [name, value] : entries) header += name + " = " + value + "\n";
  return header;
}

}  // namespace

std::string FormatTranscript(const std::vector<std::pair<std::string, std::string>>& entries) {
  return Format(
      "# SecureBase crypto known-answer transcript (formats: message v3, bundle v2,\n"
      "# device binding v1). Written by make_crypto_vectors from\n"
      "# DeterministicRandom(0x7EC70125) (tests/vectors/transcript.cc); checked by\n"
      "# crypto_vectors_test (C++) and reference_model.py (Python, PyNaCl).\n"
      "# Regenerate only for a deliberate format or KDF change.\n",
      entries);
}

std::string FormatLinkingTranscript(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  return Format(
      "# SecureBase linking known-answer transcript (formats: link code v1,\n"
      "# provisioning message v1, archive v1, recovery key v1, backup v1; issue 12).\n"
      "# Written by make_crypto_vectors --linking from DeterministicRandom(0x11AC0012)\n"
      "# (tests/vectors/linking_transcript.cc); checked by crypto_vectors_test (C++),\n"
      "# which also reads these blobs back with today's readers, and by\n"
      "# reference_model.py (Python, PyNaCl). Regenerate only for a deliberate format\n"
      "# or KDF change: old versions must keep reading.\n",
      entries);
}

bool ParseTranscript(const std::string& text,
                     std::vector<std::pair<std::string, std::string>>& entries) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos || eq == 0) return false;
    entries.emplace_back(line.substr(0, eq), line.substr(eq + 3));
  }
  return true;
}

}  // namespace securebase::vectors
