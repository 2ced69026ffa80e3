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
// Wire formats (all opaque to the server):
//   ratchet message v1:  0x01 | header nonce(24) | enc header(56) | body nonce(24) | enc body
//   initial message v1:  0x02 | initiator identity(32) | base key(32) | spk id(4) |
//                        has otk(1) | otk id(4) | ratchet message v1
// The initiator sends initial messages until it has decrypted a reply. The
// cleartext prefix of an initial message is bound into the body's associated
// data: altering or stripping it makes the message fail to decrypt.
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

inline constexpr uint8_t kRatchetMessageType = 0x01;
inline constexpr uint8_t kInitialMessageType = 0x02;
inline constexpr uint8_t kSessionStateVersion = 1;

enum class MessageType { kRatchet, kInitial };

// kInvalidMessage for an empty buffer or an unknown type byte.
Result<MessageType> PeekMessageType(ByteSpan message);

// The parsed cleartext prefix of an initial message.
struct InitialMessage {
  InitialHeader header;
  ByteSpan ratchet_message;  // Points into the parsed buffer.
};
// kInvalidMessage on any malformed input.
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

  // Decrypts a ratchet message, or an initial message of this same session.
  // Errors (state unchanged on every one):
  //   kDuplicateMessage  the message was already decrypted;
  //   kInvalidMessage    malformed, tampered, not for this session, or more
  //                      than kMaxSkipPerChain messages ahead.
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
