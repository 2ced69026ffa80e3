// The Double Ratchet with header encryption: Signal, "The Double Ratchet
// Algorithm" rev. 1, section 3 (state, KDF chains, DH ratchet), 3.5 (skipped
// message keys) and 4.2 (header encryption: RatchetInitAliceHE/BobHE,
// RatchetEncryptHE, RatchetDecryptHE, TrySkippedMessageKeysHE, DecryptHeader,
// DHRatchetHE).
//
// Recommended cryptographic functions (section 5.2) with these choices:
//   KDF_RK_HE: HKDF-SHA256(salt = RK, ikm = DH output, info = label) -> RK, CK, NHK
//   KDF_CK:    MK = HMAC-SHA256(CK, 0x01), CK' = HMAC-SHA256(CK, 0x02)
//   ENCRYPT / HENCRYPT: XChaCha20-Poly1305 with a random 192-bit nonce.
// The message key is used for exactly one message; the random nonce makes even
// an accidental reuse (e.g. state restored from an old backup) not catastrophic.
#include "securebase/crypto/session.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "byte_io.h"
#include "dh.h"
#include "ratchet_state.h"
#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/padding.h"
#include "wire_format.h"

namespace securebase::crypto {
namespace {

using internal::Key32;
using internal::kHeaderCipherSize;
using internal::kHeaderEnd;
using internal::kHeaderPlainSize;
using internal::kNonceSize;
using internal::kTagSize;
using internal::ParsedMessage;
using internal::RatchetCore;
using internal::ReceivingChain;
using internal::SkippedKey;

constexpr std::string_view kRootKdfInfo = "SecureBase/v1/ratchet-root";
constexpr uint8_t kMessageKeyConstant = 0x01;
constexpr uint8_t kChainKeyConstant = 0x02;

struct Header {
  DhPublicKey dh;
  uint32_t pn = 0;
  uint32_t n = 0;
};

// KDF_CK: advances `chain_key` in place and writes the message key.
void ChainStep(Key32& chain_key, Key32& message_key) {
  crypto_auth_hmacsha256(message_key.data(), &kMessageKeyConstant, 1, chain_key.data());
  Key32 next;
  crypto_auth_hmacsha256(next.data(), &kChainKeyConstant, 1, chain_key.data());
  chain_key = std::move(next);
}

// KDF_RK_HE.
[[nodiscard]] bool RootStep(Key32& root_key, ByteSpan dh_private, const DhPublicKey& dh_public,
                            Key32& chain_key, Key32& next_header_key) {
  SecretArray<internal::kDhOutputSize> dh_out;
  if (!internal::Dh(dh_private, dh_public, dh_out)) return false;
  SecretArray<96> okm;
  const ByteSpan info(reinterpret_cast<const uint8_t*>(kRootKdfInfo.data()), kRootKdfInfo.size());
  if (!Hkdf(root_key.span(), dh_out.span(), info, okm.mutable_span()).ok()) return false;
  std::copy_n(okm.data(), 32, root_key.data());
  std::copy_n(okm.data() + 32, 32, chain_key.data());
  std::copy_n(okm.data() + 64, 32, next_header_key.data());
  return true;
}

void GenerateRatchetKey(RatchetCore& core, RandomSource& rng) {
  rng.Fill(core.dhs_private.mutable_span());
  crypto_scalarmult_base(core.dhs_public.data(), core.dhs_private.data());
}

// The header's associated data: session AD || the message's lead bytes.
size_t HeaderAd(const std::array<uint8_t, kAssociatedDataSize>& ad, ByteSpan lead, uint8_t* out) {
  std::copy(ad.begin(), ad.end(), out);
  std::copy(lead.begin(), lead.end(), out + kAssociatedDataSize);
  return kAssociatedDataSize + lead.size();
}

// `message` holds the v3 lead bytes; the nonce and encrypted header follow them.
void EncryptHeader(const Key32& header_key, const Header& header,
                   const std::array<uint8_t, kAssociatedDataSize>& ad, uint8_t* message,
                   RandomSource& rng) {
  uint8_t plain[kHeaderPlainSize];
  std::copy(header.dh.array().begin(), header.dh.array().end(), plain);
  internal::PutU32(plain + 32, header.pn);
  internal::PutU32(plain + 36, header.n);
  uint8_t header_ad[kAssociatedDataSize + internal::kRatchetLeadSize];
  const size_t ad_size = HeaderAd(ad, ByteSpan(message, internal::kRatchetLeadSize), header_ad);
  uint8_t* nonce = message + internal::kRatchetLeadSize;
  rng.Fill(std::span<uint8_t>(nonce, kNonceSize));
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceSize, nullptr, plain, sizeof(plain),
                                             header_ad, ad_size, nullptr, nonce, header_key.data());
  SecureWipe(plain, sizeof(plain));
}

[[nodiscard]] bool DecryptHeader(const Key32& header_key, const ParsedMessage& message,
                                 const std::array<uint8_t, kAssociatedDataSize>& ad,
                                 Header& header) {
  uint8_t header_ad[kAssociatedDataSize + internal::kRatchetLeadSize];
  const size_t ad_size = HeaderAd(ad, message.lead, header_ad);
  uint8_t plain[kHeaderPlainSize];
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plain, nullptr, nullptr, message.encrypted_header.data(), message.encrypted_header.size(),
          header_ad, ad_size, message.header_nonce.data(), header_key.data()) != 0) {
    return false;
  }
  std::copy_n(plain, 32, header.dh.data());
  header.pn = internal::GetU32(plain + 32);
  header.n = internal::GetU32(plain + 36);
  SecureWipe(plain, sizeof(plain));
  return true;
}

// Decrypts and unpads the body under a one-time message key.
Result<SecretBytes> DecryptBody(const Key32& message_key, const ParsedMessage& message,
                                const std::array<uint8_t, kAssociatedDataSize>& ad) {
  uint8_t body_ad[internal::kMaxBodyAdSize];
  std::copy(ad.begin(), ad.end(), body_ad);
  uint8_t* end =
      std::copy(message.prefix.begin(), message.prefix.end(), body_ad + kAssociatedDataSize);
  end = std::copy(message.initial_prefix.begin(), message.initial_prefix.end(), end);
  const size_t body_ad_size = static_cast<size_t>(end - body_ad);
  SecretBytes plaintext(message.encrypted_body.size() - kTagSize);
  // libsodium verifies the tag in constant time before producing plaintext.
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.data(), nullptr, nullptr, message.encrypted_body.data(),
          message.encrypted_body.size(), body_ad, body_ad_size, message.body_nonce.data(),
          message_key.data()) != 0) {
    return Status::InvalidMessage("message does not decrypt");
  }
  SB_RETURN_IF_ERROR(Unpad(plaintext));
  return plaintext;
}

// SkipMessageKeysHE on a staged core: derives the keys of messages
// core.nr .. until-1 of the current receiving chain into `out`. Only called
// for a header that authenticated, so a refusal is kUndecryptableMessage.
Status SkipMessageKeys(RatchetCore& core, uint32_t until, std::vector<SkippedKey>& out) {
  if (!core.has_ckr || until <= core.nr) return Status::Ok();
  if (until - core.nr > kMaxSkipPerChain) {
    return Status::UndecryptableMessage("message is too far ahead in its chain");
  }
  while (core.nr < until) {
    SkippedKey skipped;
    skipped.n = core.nr;
    ChainStep(core.ckr, skipped.message_key);
    out.push_back(std::move(skipped));
    ++core.nr;
  }
  return Status::Ok();
}

// DHRatchetHE on a staged core.
[[nodiscard]] bool DhRatchet(RatchetCore& core, const Header& header, RandomSource& rng) {
  core.pn = core.ns;
  core.ns = 0;
  core.nr = 0;
  core.has_hks = true;
  core.hks = core.nhks.Clone();
  core.has_hkr = true;
  core.hkr = core.nhkr.Clone();
  core.has_dhr = true;
  core.dhr = header.dh;
  core.has_ckr = true;
  if (!RootStep(core.rk, core.dhs_private.span(), core.dhr, core.ckr, core.nhkr)) return false;
  GenerateRatchetKey(core, rng);
  core.has_cks = true;
  return RootStep(core.rk, core.dhs_private.span(), core.dhr, core.cks, core.nhks);
}

}  // namespace

Session::Session(std::unique_ptr<State> state) : state_(std::move(state)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

const IdentityPublicKey& Session::local_identity() const { return state_->local_identity; }
const IdentityPublicKey& Session::remote_identity() const { return state_->remote_identity; }
const DhPublicKey& Session::base_key() const { return state_->base_key; }
bool Session::awaiting_reply() const { return state_->core.awaiting_reply; }
size_t Session::skipped_key_count() const { return state_->SkippedTotal(); }

Result<Session> Session::Initiate(const IdentityKeyPair& self, const DeviceAddress& self_device,
                                  const PreKeyBundle& peer, const DeviceAddress& peer_device,
                                  RandomSource& rng) {
  SB_ASSIGN_OR_RETURN(X3dhInitiation x3dh, X3dhInitiate(self, self_device, peer, peer_device, rng));
  return FromInitiation(self, peer, std::move(x3dh), rng);
}

Result<Session> Session::Initiate(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                  RandomSource& rng) {
  SB_ASSIGN_OR_RETURN(X3dhInitiation x3dh, X3dhInitiate(self, peer, rng));
  return FromInitiation(self, peer, std::move(x3dh), rng);
}

Result<Session> Session::FromInitiation(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                        X3dhInitiation x3dh, RandomSource& rng) {
  auto state = std::make_unique<State>();
  state->initiator = true;
  state->local_identity = self.public_key();
  state->remote_identity = peer.identity_key;
  state->base_key = x3dh.header.base_key;
  state->signed_prekey_id = x3dh.header.signed_prekey_id;
  state->one_time_prekey_id = x3dh.header.one_time_prekey_id;
  // RatchetInitAliceHE.
  RatchetCore& core = state->core;
  GenerateRatchetKey(core, rng);
  core.has_dhr = true;
  core.dhr = peer.signed_prekey;
  core.rk = std::move(x3dh.secrets.root_key);
  core.has_cks = true;
  if (!RootStep(core.rk, core.dhs_private.span(), core.dhr, core.cks, core.nhks)) {
    return Status::InvalidArgument("prekey bundle contains an invalid X25519 key");
  }
  core.has_hks = true;
  core.hks = std::move(x3dh.secrets.initiator_header_key);
  core.nhkr = std::move(x3dh.secrets.responder_next_header_key);
  core.awaiting_reply = true;
  return Session(std::move(state));
}

Result<Session::Accepted> Session::Accept(const IdentityKeyPair& self,
                                          const SignedPreKey& signed_prekey,
                                          const OneTimePreKey* one_time_prekey,
                                          ByteSpan initial_message, RandomSource& rng) {
  SB_ASSIGN_OR_RETURN(InitialMessage parsed, ParseInitialMessage(initial_message));
  SB_ASSIGN_OR_RETURN(X3dhSecrets secrets,
                      X3dhRespond(self, signed_prekey, one_time_prekey, parsed.header));
  auto state = std::make_unique<State>();
  state->initiator = false;
  state->local_identity = self.public_key();
  state->remote_identity = parsed.header.initiator_identity;
  state->base_key = parsed.header.base_key;
  // RatchetInitBobHE: the signed prekey is the first ratchet key.
  RatchetCore& core = state->core;
  if (!core.dhs_private.Assign(signed_prekey.key.private_key())) {
    return Status::InvalidArgument("signed prekey has a malformed private key");
  }
  core.dhs_public = signed_prekey.key.public_key();
  core.rk = std::move(secrets.root_key);
  core.nhks = std::move(secrets.responder_next_header_key);
  core.nhkr = std::move(secrets.initiator_header_key);
  Session session(std::move(state));
  SB_ASSIGN_OR_RETURN(SecretBytes plaintext, session.Decrypt(initial_message, rng));
  return Accepted{std::move(session), std::move(plaintext)};
}

Result<Bytes> Session::Encrypt(ByteSpan plaintext, RandomSource& rng) {
  RatchetCore& core = state_->core;
  if (!core.has_cks || !core.has_hks) {
    return Status::InvalidState("this side cannot send before it has received a message");
  }
  if (core.ns == UINT32_MAX) return Status::InvalidState("sending chain exhausted");
  SB_ASSIGN_OR_RETURN(SecretBytes padded, Pad(plaintext));

  const bool initial = core.awaiting_reply;
  const size_t prefix = initial ? internal::kInitialPrefixSize : 0;
  Bytes out(prefix + internal::kRatchetOverhead + padded.size());
  if (initial) {
    InitialHeader header;
    header.initiator_identity = state_->local_identity;
    header.base_key = state_->base_key;
    header.signed_prekey_id = state_->signed_prekey_id;
    header.one_time_prekey_id = state_->one_time_prekey_id;
    internal::WriteInitialPrefix(header, out.data());
  }
  uint8_t* message = out.data() + prefix;
  message[0] = kMessageVersion;
  message[1] = kRatchetMessageType;
  const auto ad = state_->AssociatedData();
  EncryptHeader(core.hks, Header{core.dhs_public, core.pn, core.ns}, ad, message, rng);

  Key32 message_key;
  ChainStep(core.cks, message_key);
  ++core.ns;

  uint8_t body_ad[internal::kMaxBodyAdSize];
  std::copy(ad.begin(), ad.end(), body_ad);
  std::copy_n(message, kHeaderEnd, body_ad + kAssociatedDataSize);
  // The initial prefix, if any.
  std::copy_n(out.data(), prefix, body_ad + kAssociatedDataSize + kHeaderEnd);
  uint8_t* body_nonce = message + kHeaderEnd;
  rng.Fill(std::span<uint8_t>(body_nonce, kNonceSize));
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      body_nonce + kNonceSize, nullptr, padded.data(), padded.size(), body_ad,
      kAssociatedDataSize + kHeaderEnd + prefix, nullptr, body_nonce, message_key.data());
  return out;
}

namespace {

// TrySkippedMessageKeysHE for a header that authenticated under `chain`'s
// header key: decrypts with the held key and commits its use, or says why
// the message cannot be decrypted. State changes only on success.
Result<SecretBytes> DecryptFromChain(ReceivingChain& chain, uint32_t chain_end, uint32_t n,
                                     const ParsedMessage& parsed,
                                     const std::array<uint8_t, kAssociatedDataSize>& ad,
                                     bool& awaiting_reply) {
  size_t index = 0;
  switch (chain.Find(n, chain_end, index)) {
    case ReceivingChain::Lookup::kDecrypted:
      return Status::DuplicateMessage("message was already decrypted");
    case ReceivingChain::Lookup::kEvicted:
      return Status::UndecryptableMessage(
          "message arrived after its key was evicted by the skipped-key bounds");
    case ReceivingChain::Lookup::kNotDerived:
      // Past the end of a closed chain: the peer never sends there.
      return Status::InvalidMessage("message does not decrypt");
    case ReceivingChain::Lookup::kSkipped:
      break;
  }
  SB_ASSIGN_OR_RETURN(SecretBytes plaintext,
                      DecryptBody(chain.skipped[index].message_key, parsed, ad));
  // Commit: the key is used up.
  chain.skipped.erase(chain.skipped.begin() + static_cast<std::ptrdiff_t>(index));
  awaiting_reply = false;
  return plaintext;
}

}  // namespace

Result<SecretBytes> Session::Decrypt(ByteSpan message, RandomSource& rng) {
  SB_ASSIGN_OR_RETURN(MessageType type, PeekMessageType(message));
  ByteSpan ratchet_bytes = message;
  if (type == MessageType::kInitial) {
    SB_ASSIGN_OR_RETURN(InitialMessage initial, ParseInitialMessage(message));
    if (state_->initiator || !(initial.header.base_key == state_->base_key) ||
        !(initial.header.initiator_identity == state_->remote_identity)) {
      return Status::InvalidMessage("initial message belongs to another session");
    }
    ratchet_bytes = initial.ratchet_message;
  }
  SB_ASSIGN_OR_RETURN(ParsedMessage parsed, internal::ParseRatchetMessage(ratchet_bytes));
  if (type == MessageType::kInitial) {
    parsed.initial_prefix = message.first(message.size() - ratchet_bytes.size());
  }
  const auto ad = state_->AssociatedData();
  State& s = *state_;

  // The live header keys first (one trial on the common path), then the kept
  // previous chains', newest first: at most 2 + kMaxPreviousReceivingChains
  // trials for a message that matches none.
  // State not committed yet: every change below happens on `core`/`new_*`.
  Header header;
  const RatchetCore& live = s.core;
  bool dh_step = false;
  if (live.has_hkr && DecryptHeader(live.hkr, parsed, ad, header)) {
    if (header.n < live.nr) {
      return DecryptFromChain(s.current, live.nr, header.n, parsed, ad, s.core.awaiting_reply);
    }
  } else if (DecryptHeader(live.nhkr, parsed, ad, header)) {
    dh_step = true;
  } else {
    for (auto chain = s.previous.rbegin(); chain != s.previous.rend(); ++chain) {
      if (DecryptHeader(chain->header_key, parsed, ad, header)) {
        return DecryptFromChain(*chain, chain->end, header.n, parsed, ad, s.core.awaiting_reply);
      }
    }
    return Status::InvalidMessage("message does not decrypt");
  }
  RatchetCore core = live.Clone();
  std::vector<SkippedKey> skipped_in_old_chain;
  std::vector<SkippedKey> skipped_in_chain;
  if (dh_step) {
    SB_RETURN_IF_ERROR(SkipMessageKeys(core, header.pn, skipped_in_old_chain));
    if (!DhRatchet(core, header, rng)) return Status::InvalidMessage("message does not decrypt");
  }
  SB_RETURN_IF_ERROR(SkipMessageKeys(core, header.n, skipped_in_chain));
  if (!core.has_ckr) return Status::InvalidMessage("message does not decrypt");
  Key32 message_key;
  ChainStep(core.ckr, message_key);
  ++core.nr;
  SB_ASSIGN_OR_RETURN(SecretBytes plaintext, DecryptBody(message_key, parsed, ad));

  // Commit.
  if (dh_step) {
    if (live.has_hkr) {
      // The chain that was current becomes the newest previous chain.
      ReceivingChain closed = std::move(s.current);
      closed.header_key = live.hkr.Clone();
      closed.end = std::max(live.nr, header.pn);
      for (SkippedKey& key : skipped_in_old_chain) closed.skipped.push_back(std::move(key));
      s.previous.push_back(std::move(closed));
    }
    s.current = ReceivingChain();
  }
  for (SkippedKey& key : skipped_in_chain) s.current.skipped.push_back(std::move(key));
  core.awaiting_reply = false;
  s.core = std::move(core);
  s.EnforceBounds();
  return plaintext;
}

}  // namespace securebase::crypto
