// The narrow storage interfaces the session cipher (session_cipher.h) works
// over, one per record kind, after libsignal's protocol stores: sessions per
// device, this device's prekeys, and what is known about peers' identity keys.
//
// The cipher reads through these interfaces and writes through them only once
// a message has authenticated (or every recipient of a send has encrypted).
// It calls no store from more than one thread and keeps nothing it loaded
// beyond the call. Making a cipher call's writes atomic (one transaction around
// the call) is the caller's job: the cipher never writes before everything
// that could fail has succeeded, but several stores may be written in turn.
//
// Every method may fail with kStorageFailure (the record could not be read or
// written) or kInvalidMessage (a stored record does not parse); the cipher
// passes such errors on unchanged. A failed write must leave the record as it
// was. In-memory reference implementations, for tests, are in tests/testing/.
#ifndef SECUREBASE_CRYPTO_PROTOCOL_STORES_H_
#define SECUREBASE_CRYPTO_PROTOCOL_STORES_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/session_record.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

// Sessions with other devices (and with this account's own other devices).
//
// Records are lent, not copied: the cipher gives every record LoadSession
// handed it back exactly once, through StoreSession when it changed or
// ReleaseSession when it did not, before the cipher call returns. So a store
// may keep records in memory (deserializing a session is costly) and move
// them out and back in, instead of copying them for every message.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // The record of `address`, or nullopt when there is no session with it.
  virtual Result<std::optional<SessionRecord>> LoadSession(const DeviceAddress& address) = 0;
  // Takes `record` (which holds a current session) as the record of
  // `address`. A store that keeps its records only in memory must not fail
  // here; one that writes through keeps the record it had on failure.
  virtual Status StoreSession(const DeviceAddress& address, SessionRecord record) = 0;
  // Takes back a record LoadSession handed out, unchanged.
  virtual void ReleaseSession(const DeviceAddress& address, SessionRecord record) = 0;
};

// This device's own prekeys: the signed prekeys it still holds the private
// halves of, and the pool of one-time prekeys it published.
class PreKeyStore {
 public:
  virtual ~PreKeyStore() = default;
  virtual Result<std::optional<SignedPreKey>> LoadSignedPreKey(uint32_t id) = 0;
  virtual Result<std::optional<OneTimePreKey>> LoadOneTimePreKey(uint32_t id) = 0;
  // Called once the first message that used the key has decrypted. Removing
  // an id that is not there is not an error.
  virtual Status RemoveOneTimePreKey(uint32_t id) = 0;
};

enum class IdentityDirection {
  kSending,    // About to encrypt to the device (starting a session or on one).
  kReceiving,  // A first message from the device introduces this key.
};

// What SaveIdentity found.
enum class IdentityChange {
  kUnchanged,  // The key was already known for this account.
  kNew,        // No key was known for this account before.
  kReplaced,   // A different key was known: the safety number has changed.
};

// The local identity and what is known about peers' identity keys. The trust
// policy is the implementation's: it may trust on first use, refuse any key
// the user has not accepted, keep a replaced key untrusted until the user
// trusts it (SaveIdentity records it, IsTrustedIdentity keeps answering false
// for it), or demand more (e.g. a device binding) before trusting. For the
// account's own devices the known key is the local identity's public key.
class IdentityStore {
 public:
  virtual ~IdentityStore() = default;
  virtual const IdentityKeyPair& LocalIdentity() = 0;
  // Whether `key` may be used with `address` now, in `direction`. The cipher
  // refuses with kUntrustedIdentity (and writes nothing) when this is false.
  virtual Result<bool> IsTrustedIdentity(const DeviceAddress& address, const IdentityPublicKey& key,
                                         IdentityDirection direction) = 0;
  // Records `key` as the identity of `address`'s account. Called after a
  // session with a new key was committed to the session store.
  virtual Result<IdentityChange> SaveIdentity(const DeviceAddress& address,
                                              const IdentityPublicKey& key) = 0;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_PROTOCOL_STORES_H_
