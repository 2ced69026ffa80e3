// Contacts as the user sees them: invites (creating and redeeming, with the
// key pin), the server's link list, looking contacts up, safety numbers,
// verification and trust, ending links. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTACT_BOOK_H_
#define SECUREBASE_CLIENT_SRC_CONTACT_BOOK_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "client_core.h"
#include "sender.h"

namespace securebase::client {

class ContactBook {
 public:
  ContactBook(ClientCore& core, Sender& sender) : core_(core), sender_(sender) {}

  // A display name or hex user id to the contact's raw user id. kNotFound, or
  // kInvalidArgument when a display name is ambiguous.
  Result<std::string> Resolve(std::string_view peer);
  // Brings contacts in line with the server's link list: adds newly linked
  // users, marks ended links (and re-made ones).
  Status RefreshLinks();

  Result<std::string> CreateInvite(std::chrono::hours expires_in);
  Result<Contact> AcceptInvite(std::string_view text);
  Result<std::vector<Contact>> List();
  Result<Contact> Find(std::string_view peer);
  Result<std::string> SafetyNumber(std::string_view peer);
  Status Verify(std::string_view peer);
  // Clears the key change (held messages are sent by the caller's flush).
  Status Trust(const std::string& user_id);
  // Tells the server, then marks the contact unlinked.
  Status EndLink(const std::string& user_id);

 private:
  // Runs `change` on the stored contact `user_id` in one transaction.
  Status Update(const std::string& user_id, const std::function<Status(records::Contact&)>& change);

  ClientCore& core_;
  Sender& sender_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTACT_BOOK_H_
