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
#include <deque>
#include <string_view>
#include <vector>

#include "byte_io.h"
#include "dh.h"
#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/padding.h"

namespace securebase::crypto {
namespace {

using Key32 = SecretArray<32>;

constexpr std::string_view kRootKdfInfo = "SecureBase/v1/ratchet-root";
constexpr uint8_t kMessageKeyConstant = 0x01;
constexpr uint8_t kChainKeyConstant = 0x02;

constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kHeaderPlainSize = DhPublicKey::kSize + 4 + 4;  // dh || pn || n
constexpr size_t kHeaderCipherSize = kHeaderPlainSize + kTagSize;
constexpr size_t kHeaderEnd = 1 + kNonceSize + kHeaderCipherSize;  // type, nonce, header
constexpr size_t kMinRatchetMessageSize = kHeaderEnd + kNonceSize + kTagSize;
constexpr size_t kMaxRatchetMessageSize =
    kHeaderEnd + kNonceSize + kMaxPlaintextSize + kMaxPlaintextSize / 8 + kTagSize;
constexpr size_t kInitialPrefixSize = 1 + 32 + 32 + 4 + 1 + 4;
// Associated data for the body: session AD, then the message's version byte,
// header nonce and encrypted header (everything before the body nonce), then
// the initial-message prefix when there is one.
constexpr size_t kBodyAdSize = kAssociatedDataSize + kHeaderEnd;
constexpr size_t kMaxBodyAdSize = kBodyAdSize + kInitialPrefixSize;

struct Header {
  DhPublicKey dh;
  uint32_t pn = 0;
  uint32_t n = 0;
};

// A ratchet message split into its parts (views into the input buffer).
struct ParsedMessage {
  ByteSpan header_nonce;
  ByteSpan encrypted_header;
  ByteSpan prefix;  // Version byte, header nonce and encrypted header.
  ByteSpan body_nonce;
  ByteSpan encrypted_body;
  // For a ratchet message inside an initial message: the cleartext initial
  // prefix, bound into the body's associated data so it cannot be altered or
  // stripped.
  ByteSpan initial_prefix;
};

Result<ParsedMessage> ParseRatchetMessage(ByteSpan message) {
  if (message.size() < kMinRatchetMessageSize || message.size() > kMaxRatchetMessageSize ||
      message[0] != kRatchetMessageType) {
    return Status::InvalidMessage("malformed ratchet message");
  }
  ParsedMessage parsed;
  parsed.header_nonce = message.subspan(1, kNonceSize);
  parsed.encrypted_header = message.subspan(1 + kNonceSize, kHeaderCipherSize);
  parsed.prefix = message.first(kHeaderEnd);
  parsed.body_nonce = message.subspan(kHeaderEnd, kNonceSize);
  parsed.encrypted_body = message.subspan(kHeaderEnd + kNonceSize);
  return parsed;
}

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

struct SkippedKey {
  Key32 header_key;
  uint32_t n = 0;
  Key32 message_key;
};

}  // namespace

// Everything that one message can change apart from the skipped-key store.
// Decrypt works on a Clone() of it and moves it back only on success.
struct RatchetCore {
  Key32 dhs_private;
  DhPublicKey dhs_public;
  bool has_dhr = false;
  DhPublicKey dhr;
  Key32 rk;
  bool has_cks = false;
  Key32 cks;
  bool has_ckr = false;
  Key32 ckr;
  bool has_hks = false;
  Key32 hks;
  bool has_hkr = false;
  Key32 hkr;
  Key32 nhks;
  Key32 nhkr;
  uint32_t ns = 0, nr = 0, pn = 0;
  bool awaiting_reply = false;

  RatchetCore Clone() const {
    RatchetCore c;
    c.dhs_private = dhs_private.Clone();
    c.dhs_public = dhs_public;
    c.has_dhr = has_dhr;
    c.dhr = dhr;
    c.rk = rk.Clone();
    c.has_cks = has_cks;
    c.cks = cks.Clone();
    c.has_ckr = has_ckr;
    c.ckr = ckr.Clone();
    c.has_hks = has_hks;
    c.hks = hks.Clone();
    c.has_hkr = has_hkr;
    c.hkr = hkr.Clone();
    c.nhks = nhks.Clone();
    c.nhkr = nhkr.Clone();
    c.ns = ns;
    c.nr = nr;
    c.pn = pn;
    c.awaiting_reply = awaiting_reply;
    return c;
  }
};

struct Session::State {
  bool initiator = false;
  IdentityPublicKey local_identity;
  IdentityPublicKey remote_identity;
  DhPublicKey base_key;
  // Only meaningful while core.awaiting_reply: what the initial message names.
  uint32_t signed_prekey_id = 0;
  std::optional<uint32_t> one_time_prekey_id;
  RatchetCore core;
  std::deque<SkippedKey> skipped;  // Oldest first.

  std::array<uint8_t, kAssociatedDataSize> AssociatedData() const {
    std::array<uint8_t, kAssociatedDataSize> ad{};
    const IdentityPublicKey& first = initiator ? local_identity : remote_identity;
    const IdentityPublicKey& second = initiator ? remote_identity : local_identity;
    std::copy(first.array().begin(), first.array().end(), ad.begin());
    std::copy(second.array().begin(), second.array().end(), ad.begin() + 32);
    return ad;
  }
};

namespace {

void GenerateRatchetKey(RatchetCore& core, RandomSource& rng) {
  rng.Fill(core.dhs_private.mutable_span());
  crypto_scalarmult_base(core.dhs_public.data(), core.dhs_private.data());
}

void EncryptHeader(const Key32& header_key, const Header& header,
                   const std::array<uint8_t, kAssociatedDataSize>& ad, uint8_t* nonce_out,
                   uint8_t* ciphertext_out, RandomSource& rng) {
  uint8_t plain[kHeaderPlainSize];
  std::copy(header.dh.array().begin(), header.dh.array().end(), plain);
  internal::PutU32(plain + 32, header.pn);
  internal::PutU32(plain + 36, header.n);
  uint8_t header_ad[kAssociatedDataSize + 1];
  std::copy(ad.begin(), ad.end(), header_ad);
  header_ad[kAssociatedDataSize] = kRatchetMessageType;
  rng.Fill(std::span<uint8_t>(nonce_out, kNonceSize));
  crypto_aead_xchacha20poly1305_ietf_encrypt(ciphertext_out, nullptr, plain, sizeof(plain),
                                             header_ad, sizeof(header_ad), nullptr, nonce_out,
                                             header_key.data());
  SecureWipe(plain, sizeof(plain));
}

[[nodiscard]] bool DecryptHeader(const Key32& header_key, const ParsedMessage& message,
                                 const std::array<uint8_t, kAssociatedDataSize>& ad,
                                 Header& header) {
  uint8_t header_ad[kAssociatedDataSize + 1];
  std::copy(ad.begin(), ad.end(), header_ad);
  header_ad[kAssociatedDataSize] = kRatchetMessageType;
  uint8_t plain[kHeaderPlainSize];
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plain, nullptr, nullptr, message.encrypted_header.data(),
          message.encrypted_header.size(), header_ad, sizeof(header_ad),
          message.header_nonce.data(), header_key.data()) != 0) {
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
  uint8_t body_ad[kMaxBodyAdSize];
  std::copy(ad.begin(), ad.end(), body_ad);
  std::copy(message.prefix.begin(), message.prefix.end(), body_ad + kAssociatedDataSize);
  std::copy(message.initial_prefix.begin(), message.initial_prefix.end(), body_ad + kBodyAdSize);
  const size_t body_ad_size = kBodyAdSize + message.initial_prefix.size();
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
// core.nr .. until-1 of the current receiving chain into `out`.
Status SkipMessageKeys(RatchetCore& core, uint32_t until, std::vector<SkippedKey>& out) {
  if (!core.has_ckr || until <= core.nr) return Status::Ok();
  if (until - core.nr > kMaxSkipPerChain) {
    return Status::InvalidMessage("message is too far ahead in its chain");
  }
  while (core.nr < until) {
    SkippedKey skipped;
    skipped.header_key = core.hkr.Clone();
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

Result<MessageType> PeekMessageType(ByteSpan message) {
  if (message.empty()) return Status::InvalidMessage("empty message");
  if (message[0] == kRatchetMessageType) return MessageType::kRatchet;
  if (message[0] == kInitialMessageType) return MessageType::kInitial;
  return Status::InvalidMessage("unknown message type");
}

Result<InitialMessage> ParseInitialMessage(ByteSpan message) {
  internal::Reader reader(message);
  InitialMessage parsed;
  uint8_t type = 0, has_otk = 0;
  uint32_t otk_id = 0;
  if (!reader.U8(type) || type != kInitialMessageType ||
      !reader.Raw(std::span<uint8_t>(parsed.header.initiator_identity.data(), 32)) ||
      !reader.Raw(std::span<uint8_t>(parsed.header.base_key.data(), 32)) ||
      !reader.U32(parsed.header.signed_prekey_id) || !reader.U8(has_otk) || !reader.U32(otk_id)) {
    return Status::InvalidMessage("malformed initial message");
  }
  if (has_otk == 1) {
    parsed.header.one_time_prekey_id = otk_id;
  } else if (has_otk != 0 || otk_id != 0) {
    return Status::InvalidMessage("malformed initial message");
  }
  parsed.ratchet_message = reader.Rest();
  SB_RETURN_IF_ERROR(ParseRatchetMessage(parsed.ratchet_message).status());
  return parsed;
}

Session::Session(std::unique_ptr<State> state) : state_(std::move(state)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

const IdentityPublicKey& Session::local_identity() const { return state_->local_identity; }
const IdentityPublicKey& Session::remote_identity() const { return state_->remote_identity; }
const DhPublicKey& Session::base_key() const { return state_->base_key; }
bool Session::awaiting_reply() const { return state_->core.awaiting_reply; }
size_t Session::skipped_key_count() const { return state_->skipped.size(); }

Result<Session> Session::Initiate(const IdentityKeyPair& self, const DeviceAddress& self_device,
                                  const PreKeyBundle& peer, const DeviceAddress& peer_device,
                                  RandomSource& rng) {
  SB_ASSIGN_OR_RETURN(X3dhInitiation x3dh,
                      X3dhInitiate(self, self_device, peer, peer_device, rng));
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
  const size_t prefix = initial ? kInitialPrefixSize : 0;
  Bytes out(prefix + kHeaderEnd + kNonceSize + padded.size() + kTagSize);
  if (initial) {
    uint8_t* p = out.data();
    *p++ = kInitialMessageType;
    p = std::copy(state_->local_identity.array().begin(), state_->local_identity.array().end(), p);
    p = std::copy(state_->base_key.array().begin(), state_->base_key.array().end(), p);
    internal::PutU32(p, state_->signed_prekey_id);
    p[4] = state_->one_time_prekey_id ? 1 : 0;
    internal::PutU32(p + 5, state_->one_time_prekey_id.value_or(0));
  }
  uint8_t* message = out.data() + prefix;
  message[0] = kRatchetMessageType;
  const auto ad = state_->AssociatedData();
  EncryptHeader(core.hks, Header{core.dhs_public, core.pn, core.ns}, ad, message + 1,
                message + 1 + kNonceSize, rng);

  Key32 message_key;
  ChainStep(core.cks, message_key);
  ++core.ns;

  uint8_t body_ad[kMaxBodyAdSize];
  std::copy(ad.begin(), ad.end(), body_ad);
  std::copy_n(message, kHeaderEnd, body_ad + kAssociatedDataSize);
  std::copy_n(out.data(), prefix, body_ad + kBodyAdSize);  // The initial prefix, if any.
  uint8_t* body_nonce = message + kHeaderEnd;
  rng.Fill(std::span<uint8_t>(body_nonce, kNonceSize));
  crypto_aead_xchacha20poly1305_ietf_encrypt(body_nonce + kNonceSize, nullptr, padded.data(),
                                             padded.size(), body_ad, kBodyAdSize + prefix, nullptr,
                                             body_nonce, message_key.data());
  return out;
}

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
  SB_ASSIGN_OR_RETURN(ParsedMessage parsed, ParseRatchetMessage(ratchet_bytes));
  if (type == MessageType::kInitial) parsed.initial_prefix = message.first(kInitialPrefixSize);
  const auto ad = state_->AssociatedData();

  // The live chains first (one header trial on the common path), then the
  // skipped keys of older chains (TrySkippedMessageKeysHE), one trial per
  // distinct header key: a chain's skipped keys are stored contiguously.
  auto use_skipped = [&](const Key32& header_key, uint32_t n) -> Result<SecretBytes> {
    auto match = std::find_if(state_->skipped.begin(), state_->skipped.end(),
                              [&](const SkippedKey& k) {
                                return k.n == n && k.header_key.Equals(header_key);
                              });
    if (match == state_->skipped.end()) {
      return Status::DuplicateMessage("message was already decrypted");
    }
    SB_ASSIGN_OR_RETURN(SecretBytes plaintext, DecryptBody(match->message_key, parsed, ad));
    state_->skipped.erase(match);  // Commit: the key is used up.
    state_->core.awaiting_reply = false;
    return plaintext;
  };

  // State not committed yet: every change below happens on `core`/`new_skipped`.
  Header header;
  const RatchetCore& live = state_->core;
  bool dh_step = false;
  if (live.has_hkr && DecryptHeader(live.hkr, parsed, ad, header)) {
    if (header.n < live.nr) return use_skipped(live.hkr, header.n);
  } else if (DecryptHeader(live.nhkr, parsed, ad, header)) {
    dh_step = true;
  } else {
    const Key32* previous = nullptr;
    for (const SkippedKey& skipped : state_->skipped) {
      if (previous != nullptr && previous->Equals(skipped.header_key)) continue;
      previous = &skipped.header_key;
      if (DecryptHeader(skipped.header_key, parsed, ad, header)) {
        return use_skipped(skipped.header_key, header.n);
      }
    }
    return Status::InvalidMessage("message does not decrypt");
  }
  RatchetCore core = live.Clone();
  std::vector<SkippedKey> new_skipped;
  if (dh_step) {
    SB_RETURN_IF_ERROR(SkipMessageKeys(core, header.pn, new_skipped));
    if (!DhRatchet(core, header, rng)) return Status::InvalidMessage("message does not decrypt");
  }
  SB_RETURN_IF_ERROR(SkipMessageKeys(core, header.n, new_skipped));
  if (!core.has_ckr) return Status::InvalidMessage("message does not decrypt");
  Key32 message_key;
  ChainStep(core.ckr, message_key);
  ++core.nr;
  SB_ASSIGN_OR_RETURN(SecretBytes plaintext, DecryptBody(message_key, parsed, ad));

  // Commit.
  core.awaiting_reply = false;
  state_->core = std::move(core);
  for (SkippedKey& skipped : new_skipped) state_->skipped.push_back(std::move(skipped));
  while (state_->skipped.size() > kMaxSkippedKeysTotal) state_->skipped.pop_front();
  return plaintext;
}

// State blob v1:
//   version(1) flags(1) local_identity(32) remote_identity(32) base_key(32)
//   dhs_private(32) dhr(32) rk cks ckr hks hkr nhks nhkr (32 each)
//   ns(4) nr(4) pn(4) spk_id(4) otk_id(4) skipped_count(4)
//   skipped_count x [header_key(32) n(4) message_key(32)]
// Absent optional fields are written as zeros and must be zeros on load, so
// every accepted blob re-serializes to the same bytes.
namespace {

enum StateFlag : uint8_t {
  kFlagInitiator = 1 << 0,
  kFlagHasDhr = 1 << 1,
  kFlagHasCks = 1 << 2,
  kFlagHasCkr = 1 << 3,
  kFlagHasHks = 1 << 4,
  kFlagHasHkr = 1 << 5,
  kFlagAwaitingReply = 1 << 6,
  kFlagHasOtk = 1 << 7,
};
constexpr size_t kStateFixedSize = 2 + 32 * 3 + 32 * 9 + 4 * 6;
constexpr size_t kSkippedEntrySize = 32 + 4 + 32;

bool AllZero(ByteSpan bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

SecretBytes Session::Serialize() const {
  const State& s = *state_;
  const RatchetCore& c = s.core;
  SecretBytes out;
  out.Reserve(kStateFixedSize + s.skipped.size() * kSkippedEntrySize);
  internal::Writer writer(out);
  uint8_t flags = (s.initiator ? kFlagInitiator : 0) | (c.has_dhr ? kFlagHasDhr : 0) |
                  (c.has_cks ? kFlagHasCks : 0) | (c.has_ckr ? kFlagHasCkr : 0) |
                  (c.has_hks ? kFlagHasHks : 0) | (c.has_hkr ? kFlagHasHkr : 0) |
                  (c.awaiting_reply ? kFlagAwaitingReply : 0) |
                  (c.awaiting_reply && s.one_time_prekey_id ? kFlagHasOtk : 0);
  writer.U8(kSessionStateVersion);
  writer.U8(flags);
  writer.Raw(s.local_identity.span());
  writer.Raw(s.remote_identity.span());
  writer.Raw(s.base_key.span());
  writer.Raw(c.dhs_private.span());
  const Key32 zero;
  writer.Raw(c.has_dhr ? c.dhr.span() : zero.span());
  writer.Raw(c.rk.span());
  writer.Raw(c.has_cks ? c.cks.span() : zero.span());
  writer.Raw(c.has_ckr ? c.ckr.span() : zero.span());
  writer.Raw(c.has_hks ? c.hks.span() : zero.span());
  writer.Raw(c.has_hkr ? c.hkr.span() : zero.span());
  writer.Raw(c.nhks.span());
  writer.Raw(c.nhkr.span());
  writer.U32(c.ns);
  writer.U32(c.nr);
  writer.U32(c.pn);
  writer.U32(c.awaiting_reply ? s.signed_prekey_id : 0);
  writer.U32(c.awaiting_reply ? s.one_time_prekey_id.value_or(0) : 0);
  writer.U32(static_cast<uint32_t>(s.skipped.size()));
  for (const SkippedKey& skipped : s.skipped) {
    writer.Raw(skipped.header_key.span());
    writer.U32(skipped.n);
    writer.Raw(skipped.message_key.span());
  }
  return out;
}

Result<Session> Session::Deserialize(ByteSpan blob) {
  EnsureSodiumInitialized();
  const Status malformed = Status::InvalidMessage("session state is malformed");
  if (blob.size() < kStateFixedSize || blob.size() > kMaxSessionStateSize) return malformed;
  internal::Reader reader(blob);
  auto state = std::make_unique<State>();
  State& s = *state;
  RatchetCore& c = s.core;
  uint8_t version = 0, flags = 0;
  if (!reader.U8(version) || version != kSessionStateVersion) {
    return Status::InvalidMessage("session state has an unknown version");
  }
  auto read_key = [&reader](std::span<uint8_t> out) { return reader.Raw(out); };
  auto read_optional = [&reader](bool present, std::span<uint8_t> out) {
    if (!reader.Raw(out)) return false;
    return present || AllZero(out);
  };
  uint32_t spk_id = 0, otk_id = 0, skipped_count = 0;
  bool ok = reader.U8(flags);
  s.initiator = flags & kFlagInitiator;
  c.has_dhr = flags & kFlagHasDhr;
  c.has_cks = flags & kFlagHasCks;
  c.has_ckr = flags & kFlagHasCkr;
  c.has_hks = flags & kFlagHasHks;
  c.has_hkr = flags & kFlagHasHkr;
  c.awaiting_reply = flags & kFlagAwaitingReply;
  const bool has_otk = flags & kFlagHasOtk;
  ok = ok && read_key(std::span<uint8_t>(s.local_identity.data(), 32)) &&
       read_key(std::span<uint8_t>(s.remote_identity.data(), 32)) &&
       read_key(std::span<uint8_t>(s.base_key.data(), 32)) &&
       read_key(c.dhs_private.mutable_span()) &&
       read_optional(c.has_dhr, std::span<uint8_t>(c.dhr.data(), 32)) &&
       read_key(c.rk.mutable_span()) && read_optional(c.has_cks, c.cks.mutable_span()) &&
       read_optional(c.has_ckr, c.ckr.mutable_span()) &&
       read_optional(c.has_hks, c.hks.mutable_span()) &&
       read_optional(c.has_hkr, c.hkr.mutable_span()) && read_key(c.nhks.mutable_span()) &&
       read_key(c.nhkr.mutable_span()) && reader.U32(c.ns) && reader.U32(c.nr) &&
       reader.U32(c.pn) && reader.U32(spk_id) && reader.U32(otk_id) &&
       reader.U32(skipped_count);
  if (!ok) return malformed;
  // Consistency: only an initiator awaits a reply; the initial-message fields
  // exist only then; a sending chain needs a header key; a receiving chain
  // needs a header key and a remote ratchet key.
  if ((c.awaiting_reply && !s.initiator) || (!c.awaiting_reply && (spk_id != 0 || has_otk)) ||
      (!has_otk && otk_id != 0) || c.has_cks != c.has_hks || (c.has_ckr && !c.has_hkr) ||
      (c.has_ckr && !c.has_dhr) || skipped_count > kMaxSkippedKeysTotal ||
      reader.remaining() != size_t{skipped_count} * kSkippedEntrySize) {
    return malformed;
  }
  s.signed_prekey_id = spk_id;
  if (has_otk) s.one_time_prekey_id = otk_id;
  crypto_scalarmult_base(c.dhs_public.data(), c.dhs_private.data());
  for (uint32_t i = 0; i < skipped_count; ++i) {
    SkippedKey skipped;
    if (!reader.Raw(skipped.header_key.mutable_span()) || !reader.U32(skipped.n) ||
        !reader.Raw(skipped.message_key.mutable_span())) {
      return malformed;
    }
    s.skipped.push_back(std::move(skipped));
  }
  if (!reader.AtEnd()) return malformed;
  return Session(std::move(state));
}

}  // namespace securebase::crypto
