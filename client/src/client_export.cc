// Data portability: everything in the vault's history as one JSON document.
#include "client_impl.h"
#include "json_writer.h"
#include "util.h"

namespace securebase::client {

Result<std::string> ClientImpl::ExportJson() {
  SB_ASSIGN_OR_RETURN(std::vector<Contact> contacts, Contacts());
  std::vector<std::pair<Contact, std::vector<HistoryItem>>> all;
  for (Contact& contact : contacts) {
    SB_ASSIGN_OR_RETURN(std::vector<HistoryItem> items, History(contact.user_id));
    all.emplace_back(std::move(contact), std::move(items));
  }
  ExportAccount account{user_id(), display_name(), role()};
  return ExportDocumentToJson(account, NowUnixMs(), all);
}

}  // namespace securebase::client
