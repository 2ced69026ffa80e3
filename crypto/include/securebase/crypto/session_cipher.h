// The session cipher: encrypt to a device and decrypt from a device over the
// protocol stores (protocol_stores.h), owning the rules that decide which
// session is used and what is committed (after libsignal's
// session_cipher.rs / session_management.rs):
//
//   - encrypting uses the device's current session, or starts one by X3DH
//     from the device's prekey bundle when there is none (a bundle whose
//     signed-prekey signature does not verify is refused);
//   - decrypting a first message whose base key no stored session knows
//     starts a new session (responder X3DH) from the signed and one-time
//     prekeys its header names; the one-time prekey is removed only after
//     the message decrypted;
//   - any other message is tried on the current session, then on the
//     previous ones (simultaneous first contact); the session that decrypts
//     becomes current;
//   - a peer's identity key must be trusted by the identity store, for
//     sending and for a first message received; a new session reports what
//     saving its identity key found (kReplaced: the safety number changed);
//   - commit on success: the stores are written only after the message
//     authenticated, or after every recipient of a send encrypted; on any
//     error nothing is written and every stored session is unchanged.
//
// What a caller must do with a decrypt error: drop the message silently only
// for kDuplicateMessage (a replay or a redelivery of what was already shown);
// every other code means the message cannot be decrypted, and the user should
// be told so. New codes will only ever be of the second kind.
//
// Thread-safety: none. A cipher is used by one thread; it keeps references to
// its stores and random source, which must outlive it.
#ifndef SECUREBASE_CRYPTO_SESSION_CIPHER_H_
#define SECUREBASE_CRYPTO_SESSION_CIPHER_H_

#include <span>
#include <vector>

#include "securebase/crypto/protocol_stores.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"
#include "securebase/crypto/x3dh.h"

namespace securebase::crypto {

class SessionCipher {
 public:
  SessionCipher(SessionStore& sessions, PreKeyStore& prekeys, IdentityStore& identities,
                RandomSource& rng)
      : sessions_(sessions), prekeys_(prekeys), identities_(identities), rng_(rng) {}

  struct Recipient {
    DeviceAddress address;
    ByteSpan plaintext;
    // Starts a session when none is stored for `address`; ignored otherwise.
    // May be null for a device that has a session.
    const PreKeyBundle* bundle = nullptr;
  };

  // Encrypts each recipient's plaintext to its device, in order; all or
  // nothing. A device listed twice gets two messages on its one session.
  // Errors (nothing written on any):
  //   kInvalidState      no session with a device and no bundle for it;
  //   kUntrustedIdentity the identity store does not trust the device's key
  //                      (the bundle's, or the stored session's) for sending;
  //   kBadSignature      a bundle's signed prekey signature does not verify;
  //   kInvalidArgument   a bundle with invalid keys or the local identity key
  //                      where the store does not allow it, or a plaintext
  //                      over kMaxPlaintextSize;
  //   store errors, passed on.
  // On success the advanced (or new) sessions are stored, and the identity
  // key of every new session is saved.
  Result<std::vector<Bytes>> EncryptToAll(std::span<const Recipient> recipients);

  // EncryptToAll for one recipient.
  Result<Bytes> Encrypt(const DeviceAddress& address, ByteSpan plaintext,
                        const PreKeyBundle* bundle = nullptr);

  struct Decrypted {
    SecretBytes plaintext;
    // A first message started a new session with the sender (responder X3DH).
    bool new_session = false;
    // What saving the sender's identity key found (kUnchanged unless
    // new_session).
    IdentityChange identity = IdentityChange::kUnchanged;
  };

  // Decrypts a message from `sender`. Errors (nothing written on any):
  //   kDuplicateMessage  already decrypted: drop it silently;
  //   kUntrustedIdentity a first message under a key the identity store does
  //                      not trust for receiving;
  //   kInvalidMessage    malformed, tampered, for no stored session, naming a
  //                      prekey this device no longer has (a replay of an old
  //                      first message), or too far ahead;
  //   store errors, passed on.
  Result<Decrypted> Decrypt(const DeviceAddress& sender, ByteSpan message);

  // Whether a session with `address` is stored.
  Result<bool> HasSession(const DeviceAddress& address);

 private:
  class Loan;  // A record borrowed from the session store.
  Result<Decrypted> StartSession(const DeviceAddress& sender, ByteSpan message,
                                 const InitialHeader& header, Loan& loan);

  SessionStore& sessions_;
  PreKeyStore& prekeys_;
  IdentityStore& identities_;
  RandomSource& rng_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SESSION_CIPHER_H_
