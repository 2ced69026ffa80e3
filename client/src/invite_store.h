// A therapist's invites still waiting for their client's proof, over one
// vault transaction (introduction.h uses them). Private to client/.
//
// Record: "invites" (records::PendingInvites). Each entry holds the invite's
// id and proof key (never the invite key), and is dropped when a client's
// proof used it up, or kInviteProofGraceMs after the invite expired.
#ifndef SECUREBASE_CLIENT_SRC_INVITE_STORE_H_
#define SECUREBASE_CLIENT_SRC_INVITE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "client/src/vault_records.pb.h"
#include "securebase/client/status.h"
#include "vault.h"

namespace securebase::client {

// How long after its expiry an invite's proof key is kept: the client's
// first message may sit in the therapist's mailbox until the server's
// retention (30 days by default) expires it.
inline constexpr int64_t kInviteProofGraceMs = int64_t{35} * 24 * 3600 * 1000;

class InviteStore {
 public:
  explicit InviteStore(VaultTransaction& txn) : txn_(txn) {}

  Status Add(records::PendingInvite invite);
  // The invite with `invite_id` that is still usable at `now`, or nullopt.
  Result<std::optional<records::PendingInvite>> Find(const std::string& invite_id, int64_t now);
  // Whether any invite is still usable at `now`.
  Result<bool> AnyUsable(int64_t now);
  // Drops the invite (used up) and every one past its grace period.
  void Remove(const std::string& invite_id, int64_t now);

 private:
  Status Load();
  void Save();

  VaultTransaction& txn_;
  std::optional<records::PendingInvites> invites_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_INVITE_STORE_H_
