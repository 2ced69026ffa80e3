// A Double Ratchet session with header encryption (Signal's "The Double
// Ratchet Algorithm", revision 1: sections 3 and 4 for the ratchet, 4.2 for
// header encryption), started by X3DH.
//
// Primitives: X25519 DH ratchet; HKDF-SHA256 root chain producing the next
// root key, chain key and next header key; HMAC-SHA256 symmetric chains;
// XChaCha20-Poly1305 for headers (under the header key) and bodies (under the
// one-time message key), each with a random 192-bit nonce. Associated data:
// both identity keys, the format version and (for the body) the encrypted
// header. The server sees neither ratchet keys nor counters.
//
// Wire formats (all opaque to the server). Every message starts with its
// format version byte:
//   ratchet message v3:  0x03 | type 0x01 | header nonce(24) | enc header(56) |
//                        body nonce(24) | enc body
//   initial message v3:  0x03 | type 0x02 | X3DH header | ratchet message v3
//     X3DH header v1:    0x01 (kInitialHeaderVersion) | initiator identity(32) |
//                        base key(32) | spk id(4 BE) | has otk(1) | otk id(4 BE)
// The encrypted header is dh(32) | pn(4 BE) | n(4 BE). Associated data: for
// the header, both identity keys || the bytes before the header nonce; for
// the body, both identity keys || every byte before the body nonce || (in an
// initial message) its whole cleartext prefix. The initiator sends initial
// messages until it has decrypted a reply; altering or stripping the
// cleartext prefix makes the message fail to decrypt.
//
// Legacy formats (commit e8ce7d0 and before), decrypted but never produced,
// so that messages still queued in server mailboxes at an upgrade still
// decrypt. Their first byte doubled as version and type, and is read as the
// version here (1 and 2; the current version is 3):
//   ratchet message (legacy):  0x01 | header nonce(24) | enc header(56) |
//                              body nonce(24) | enc body
//   initial message (legacy):  0x02 | initiator identity(32) | base key(32) |
//                              spk id(4) | has otk(1) | otk id(4) | legacy
//                              ratchet message
// with the same keys and associated data built the same way (header AD ends
// with the single byte 0x01). A session keeps its keys across the upgrade, so
// one conversation may hold both; an initial message embeds a ratchet message
// of its own format only. The reverse does not hold: code of e8ce7d0 cannot
// read v3 messages, so clients upgrade together (the server only carries
// opaque bytes and needs no change).
//
// Skipped message keys (section 3.5) are bounded (limits.h): at most
// kMaxSkipPerChain per chain and kMaxSkippedKeysTotal in all, kept for the
// current receiving chain and the kMaxPreviousReceivingChains before it, each
// with its header key and a compact record of which counters were evicted.
// So a message whose header authenticates under a kept header key is told
// apart: decrypted before (kDuplicateMessage), evicted or too far ahead
// (kUndecryptableMessage), or still decryptable.
//
// Transactions: Decrypt() works on a copy of the state and commits only after
// the body authenticates. Any refused message (tampered, replayed, malformed,
// too far ahead) leaves the session byte-for-byte as it was.
//
// Thread-safety: none; a Session is a value owned by one caller at a time.
#ifndef SECUREBASE_CRYPTO_SESSION_H_
#define SECUREBASE_CRYPTO_SESSION_H_

#include <cstdint>
#include <memory>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"
#include "securebase/crypto/x3dh.h"

namespace securebase::crypto {

// The first byte of every message this library writes.
inline constexpr uint8_t kMessageVersion = 0x03;
// The type byte after it.
inline constexpr uint8_t kRatchetMessageType = 0x01;
inline constexpr uint8_t kInitialMessageType = 0x02;
// First bytes of the legacy formats (read, never written).
inline constexpr uint8_t kLegacyRatchetMessageVersion = 0x01;
inline constexpr uint8_t kLegacyInitialMessageVersion = 0x02;
// Serialize() writes v2; Deserialize() also reads v1 (e8ce7d0).
inline constexpr uint8_t kSessionStateVersion = 2;
inline constexpr uint8_t kLegacySessionStateVersion = 1;

enum class MessageType { kRatchet, kInitial };

// kInvalidMessage for an empty buffer or an unknown version or type byte.
Result<MessageType> PeekMessageType(ByteSpan message);

// The parsed cleartext prefix of an initial message.
struct InitialMessage {
  InitialHeader header;
  ByteSpan ratchet_message;  // Points into the parsed buffer.
  uint8_t format_version = kMessageVersion;  // Or kLegacyInitialMessageVersion.
};
// kInvalidMessage on any malformed input.
//
// Replays of first messages: an initial message can be replayed to start a
// new session long after its own session moved on (a server keeps a copy, or
// strips the one-time prekey from a bundle so that none is consumed). The
// caller keeps a replay cache of accepted header.base_key values per
// header.signed_prekey_id, refuses a base key it has accepted before without
// calling Session::Accept, records it in the same commit as the accepted
// session, and drops the cache of a signed prekey together with its private
// key (limits.h: kSignedPreKeyGraceSeconds). Base keys are fresh X25519 keys,
// so a genuine new session never collides with a cached one.
Result<InitialMessage> ParseInitialMessage(ByteSpan message);

class Session {
 public:
  struct Accepted;

  // Starts a session as initiator from a peer device's bundle (X3DH). The
  // session can Encrypt() at once; its messages are initial messages until
  // the first reply decrypts. Errors as the device-bound X3dhInitiate: the
  // bundle must carry the device-bound signature for `peer_device`, and may
  // be another device of this account (same identity key).
  static Result<Session> Initiate(const IdentityKeyPair& self, const DeviceAddress& self_device,
                                  const PreKeyBundle& peer, const DeviceAddress& peer_device,
                                  RandomSource& rng);
  // DEPRECATED (v1 signatures, no device binding; kept so existing callers
  // compile). Errors as the deprecated X3dhInitiate.
  static Result<Session> Initiate(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                  RandomSource& rng);

  // Starts a session as responder from the peer's first message. The caller
  // parses the message (ParseInitialMessage), looks up the prekeys its header
  // names, and deletes the one-time prekey only after this succeeds.
  // kInvalidMessage if the message does not authenticate (nothing is kept),
  // kInvalidArgument if the prekeys do not match the header.
  static Result<Accepted> Accept(const IdentityKeyPair& self, const SignedPreKey& signed_prekey,
                                 const OneTimePreKey* one_time_prekey, ByteSpan initial_message,
                                 RandomSource& rng);

  // Restores a session from Serialize() output. kInvalidMessage if the blob is
  // malformed, truncated, oversized or of an unknown version.
  static Result<Session> Deserialize(ByteSpan state);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // Pads and encrypts. kInvalidArgument if plaintext exceeds
  // kMaxPlaintextSize; kInvalidState if this side cannot send yet (only a
  // restored state that never received can be in that position: Accept()
  // always decrypts the first message). The returned bytes are a ratchet or initial message.
  Result<Bytes> Encrypt(ByteSpan plaintext, RandomSource& rng);

  // Decrypts a ratchet message, or an initial message of this same session
  // (current or legacy format). Errors (state unchanged on every one):
  //   kDuplicateMessage      this session decrypted the message before (a
  //                          replay); never returned for a message it did
  //                          not decrypt;
  //   kUndecryptableMessage  the message was sent in this session (its header
  //                          authenticates) but its key was evicted by the
  //                          skipped-key bounds, or it is more than
  //                          kMaxSkipPerChain messages ahead of its chain:
  //                          show the user that a message could not be
  //                          decrypted;
  //   kInvalidMessage        malformed, tampered, not for this session, or
  //                          from a receiving chain older than the kept ones.
  Result<SecretBytes> Decrypt(ByteSpan message, RandomSource& rng);

  // The full state, secrets included: seal it before it touches disk.
  SecretBytes Serialize() const;

  const IdentityPublicKey& local_identity() const;
  const IdentityPublicKey& remote_identity() const;
  // The initiator's X3DH base key; identifies the handshake this session came from.
  const DhPublicKey& base_key() const;
  // True for an initiator that has not yet decrypted any reply.
  bool awaiting_reply() const;
  // Skipped message keys currently held (for tests and diagnostics).
  size_t skipped_key_count() const;

 private:
  struct State;
  explicit Session(std::unique_ptr<State> state);
  // RatchetInitAliceHE after X3DH.
  static Result<Session> FromInitiation(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                        X3dhInitiation x3dh, RandomSource& rng);
  std::unique_ptr<State> state_;
};

struct Session::Accepted {
  Session session;
  SecretBytes plaintext;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SESSION_H_
