// In-memory reference implementations of crypto's protocol stores
// (securebase/crypto/protocol_stores.h), for tests and fuzz targets only.
//
// Sessions are kept serialized, as a persistent store keeps them, so a test
// sees exactly what a reload would see; the session store also counts the
// records it lent out, so tests can check each is given back. Every store counts its writes and can
// be told to fail the next read or write (kStorageFailure), to play a failing disk.
#ifndef SECUREBASE_TESTS_TESTING_IN_MEMORY_STORES_H_
#define SECUREBASE_TESTS_TESTING_IN_MEMORY_STORES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/protocol_stores.h"
#include "securebase/crypto/secret.h"

namespace securebase::testing {

// Fails calls on demand: the next `FailNextReads(n)` reads or
// `FailNextWrites(n)` writes return kStorageFailure and change nothing.
class StoreFaults {
 public:
  void FailNextReads(int n) { failing_reads_ = n; }
  void FailNextWrites(int n) { failing_writes_ = n; }
  int writes() const { return writes_; }

 protected:
  crypto::Status BeforeRead();
  crypto::Status BeforeWrite();

 private:
  int failing_reads_ = 0;
  int failing_writes_ = 0;
  int writes_ = 0;
};

class InMemorySessionStore final : public crypto::SessionStore, public StoreFaults {
 public:
  crypto::Result<std::optional<crypto::SessionRecord>> LoadSession(
      const crypto::DeviceAddress& address) override;
  crypto::Status StoreSession(const crypto::DeviceAddress& address,
                              crypto::SessionRecord record) override;
  void ReleaseSession(const crypto::DeviceAddress& address, crypto::SessionRecord record) override;

  // Records handed out by LoadSession and not yet given back: zero after
  // every cipher call (session_cipher.h promises it).
  int outstanding_loans() const { return outstanding_; }

  // The stored bytes of a record (nullopt when absent), to check that a
  // refused message left it byte for byte unchanged.
  std::optional<crypto::Bytes> RawRecord(const crypto::DeviceAddress& address) const;
  void Delete(const crypto::DeviceAddress& address) { records_.erase(address); }
  // Stores bytes as they are (a crafted or damaged record).
  void PutRawRecord(const crypto::DeviceAddress& address, crypto::ByteSpan bytes) {
    records_[address] = crypto::SecretBytes::CopyOf(bytes);
  }

 private:
  std::map<crypto::DeviceAddress, crypto::SecretBytes> records_;
  int outstanding_ = 0;
};

class InMemoryPreKeyStore final : public crypto::PreKeyStore, public StoreFaults {
 public:
  void AddSignedPreKey(const crypto::SignedPreKey& key);
  void AddOneTimePreKey(const crypto::OneTimePreKey& key);
  bool HasOneTimePreKey(uint32_t id) const { return one_time_.count(id) != 0; }
  size_t one_time_count() const { return one_time_.size(); }

  crypto::Result<std::optional<crypto::SignedPreKey>> LoadSignedPreKey(uint32_t id) override;
  crypto::Result<std::optional<crypto::OneTimePreKey>> LoadOneTimePreKey(uint32_t id) override;
  crypto::Status RemoveOneTimePreKey(uint32_t id) override;

 private:
  std::map<uint32_t, crypto::SignedPreKey> signed_;
  std::map<uint32_t, crypto::OneTimePreKey> one_time_;
};

// A test account id spelled from a short name ("alice"): its bytes, zero
// padded to the 16 bytes of a user id (longer names are cut).
crypto::UserId NamedUser(std::string_view name);

// Trust on first use. A key that replaces a known one is recorded by
// SaveIdentity but stays untrusted for sending until Trust() (the user
// compared safety numbers again). For receiving, ReceivePolicy decides:
// kAcceptNewKeys lets a first message under a new key through (the change is
// reported and sends wait), kRefuseUntrusted refuses it like a send.
// The local account's own devices are trusted exactly under the local key.
class InMemoryIdentityStore final : public crypto::IdentityStore, public StoreFaults {
 public:
  enum class ReceivePolicy { kAcceptNewKeys, kRefuseUntrusted };

  InMemoryIdentityStore(crypto::IdentityKeyPair local, crypto::UserId local_user,
                        ReceivePolicy policy = ReceivePolicy::kAcceptNewKeys);

  // The user accepted `user`'s current key.
  void Trust(const crypto::UserId& user);
  std::optional<crypto::IdentityPublicKey> Known(const crypto::UserId& user) const;

  const crypto::IdentityKeyPair& LocalIdentity() override { return local_; }
  crypto::Result<bool> IsTrustedIdentity(const crypto::DeviceAddress& address,
                                         const crypto::IdentityPublicKey& key,
                                         crypto::IdentityDirection direction) override;
  crypto::Result<crypto::IdentityChange> SaveIdentity(
      const crypto::DeviceAddress& address, const crypto::IdentityPublicKey& key) override;

 private:
  struct KnownIdentity {
    crypto::IdentityPublicKey key;
    bool trusted = true;
  };
  crypto::IdentityKeyPair local_;
  crypto::UserId local_user_;
  ReceivePolicy policy_;
  std::map<crypto::UserId, KnownIdentity> known_;
};

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_IN_MEMORY_STORES_H_
