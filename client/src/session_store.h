// Sessions with other devices, over one vault transaction: crypto's
// SessionStore on the vault. Private to client/.
//
// Record: "sessions/<user hex>/<device>", a crypto::SessionRecord (format v1,
// versioned by crypto). Vaults written before it (up to e8ce7d0) keep a
// device's sessions as two records, "session/<user hex>/<device>" (the
// current session) and ".../previous", each a bare Session state; those are
// read when the new record is absent, and replaced by it (and deleted) the
// first time the device's sessions change.
//
// Records are kept in memory for the transaction once loaded, lent to the
// cipher and taken back (protocol_stores.h), so a page of messages from one
// device deserializes its sessions once and seals them once, at Flush().
#ifndef SECUREBASE_CLIENT_SRC_SESSION_STORE_H_
#define SECUREBASE_CLIENT_SRC_SESSION_STORE_H_

#include <map>
#include <optional>
#include <string>

#include "securebase/client/status.h"
#include "securebase/crypto/protocol_stores.h"
#include "securebase/crypto/session_record.h"
#include "store_errors.h"
#include "vault.h"

namespace securebase::client {

class VaultSessionStore final : public crypto::SessionStore {
 public:
  VaultSessionStore(VaultTransaction& txn, StoreErrors& errors) : txn_(txn), errors_(errors) {}

  crypto::Result<std::optional<crypto::SessionRecord>> LoadSession(
      const crypto::DeviceAddress& address) override;
  crypto::Status StoreSession(const crypto::DeviceAddress& address,
                              crypto::SessionRecord record) override;
  void ReleaseSession(const crypto::DeviceAddress& address, crypto::SessionRecord record) override;

  // Forgets every session with the device (a stale device, or a peer whose
  // identity key changed).
  void Delete(const crypto::DeviceAddress& address);
  // Seals and writes what changed.
  void Flush();

 private:
  struct Entry {
    std::optional<crypto::SessionRecord> record;
    bool lent = false;
    bool changed = false;
    bool legacy = false;  // Read from the pre-record layout, which may still be on disk.
  };
  Result<Entry> Read(const crypto::DeviceAddress& address);

  VaultTransaction& txn_;
  StoreErrors& errors_;
  std::map<crypto::DeviceAddress, Entry> cache_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_SESSION_STORE_H_
