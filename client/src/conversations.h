// Reading conversations for a contact list and a long scroll-back without
// decoding a whole history: Client::History(peer, range) and
// Client::ConversationSummaries. Private to client/.
//
// A conversation's items sit at positions 0 .. next_history_index - 1 of its
// history list (history_store.h); each is read with one vault lookup.
#ifndef SECUREBASE_CLIENT_SRC_CONVERSATIONS_H_
#define SECUREBASE_CLIENT_SRC_CONVERSATIONS_H_

#include <string>
#include <vector>

#include "client_core.h"
#include "securebase/client/client.h"

namespace securebase::client {

// The items of `range` in the conversation with `user_id` (raw); kNotFound
// when there is no such contact.
Result<HistoryPage> ReadHistoryRange(ClientCore& core, const std::string& user_id,
                                     const HistoryRange& range);

// Every contact's summary, in the contact list's order.
Result<std::vector<ConversationSummary>> ReadConversationSummaries(ClientCore& core);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONVERSATIONS_H_
