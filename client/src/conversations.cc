#include "conversations.h"

#include <algorithm>

#include "contact_store.h"
#include "history_store.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

bool CountsAsUnread(const records::HistoryEntry& entry) {
  // Exactly what MarkRead marks (client_impl.cc).
  return !entry.outgoing() && entry.invalid_reason().empty() &&
         entry.state() != static_cast<uint32_t>(DeliveryState::kRead);
}

// MarkRead marks every incoming item at once, so the unread ones all come
// after the newest incoming item marked read: count back to it (or to the
// limit).
Status Summarize(Stores& stores, const records::Contact& contact, ConversationSummary& out) {
  out.contact = ToPublicContact(contact);
  out.items = contact.next_history_index();
  const uint64_t stop = out.items - std::min(out.items, ConversationSummary::kUnreadCountLimit);
  bool found_read = false;
  for (uint64_t index = out.items; index-- > stop;) {
    SB_ASSIGN_OR_RETURN(std::optional<records::HistoryEntry> entry,
                        stores.history().ReadAt(contact.user_id(), index));
    if (!entry) continue;
    if (!out.last_item) out.last_item = ToHistoryItem(*entry, contact.user_id());
    if (!entry->outgoing() && entry->invalid_reason().empty() && !CountsAsUnread(*entry)) {
      found_read = true;
      break;
    }
    if (CountsAsUnread(*entry)) ++out.unread;
  }
  out.unread_capped = !found_read && stop > 0;
  return Status::Ok();
}

}  // namespace

Result<HistoryPage> ReadHistoryRange(ClientCore& core, const std::string& user_id,
                                     const HistoryRange& range) {
  HistoryPage page;
  SB_RETURN_IF_ERROR(core.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contact* contact, stores.contacts().Peek(user_id));
    if (contact == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
    page.total = contact->next_history_index();
    const uint64_t end = std::min(range.before, page.total);
    const uint64_t first = end - std::min(range.limit, end);
    page.first_position = first;
    page.items.reserve(end - first);
    for (uint64_t index = first; index < end; ++index) {
      SB_ASSIGN_OR_RETURN(std::optional<records::HistoryEntry> entry,
                          stores.history().ReadAt(user_id, index));
      if (entry) page.items.push_back(ToHistoryItem(*entry, user_id));
    }
    return Status::Ok();
  }));
  return page;
}

Result<std::vector<ConversationSummary>> ReadConversationSummaries(ClientCore& core) {
  std::vector<ConversationSummary> summaries;
  const Status read = core.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contacts* contacts, stores.contacts().View());
    summaries.resize(static_cast<size_t>(contacts->contacts_size()));
    for (int i = 0; i < contacts->contacts_size(); ++i) {
      SB_RETURN_IF_ERROR(Summarize(stores, contacts->contacts(i), summaries[i]));
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return summaries;
}

}  // namespace securebase::client
