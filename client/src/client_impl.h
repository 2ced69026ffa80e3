// The implementation of Client: a thin facade that resolves peers, holds the
// vault for a call and hands the work to the part that owns it:
//   account.h       Create/Open, prekeys
//   contact_book.h  invites, links, contacts, verification and trust
//   sender.h        encrypting, the outbox, delivery and device repair
//   receiver.h      one page: decrypt -> decode -> apply -> commit
//   syncer.h        Sync
//   watcher.h       Watch
// all over client_core.h (options, seams, vault, server API, keys).
// Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CLIENT_IMPL_H_
#define SECUREBASE_CLIENT_SRC_CLIENT_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "client_core.h"
#include "contact_book.h"
#include "receiver.h"
#include "securebase/client/client.h"
#include "sender.h"
#include "syncer.h"
#include "watcher.h"

namespace securebase::client {

class ClientImpl final : public Client {
 public:
  explicit ClientImpl(std::unique_ptr<ClientCore> core);

  Result<std::unique_ptr<Client>> OpenAnother() override;
  Role role() const override { return core_->role(); }
  std::string user_id() const override;
  std::string display_name() const override { return core_->account().display_name(); }

  Result<std::string> CreateInvite(std::chrono::hours expires_in) override;
  Result<Contact> AcceptInvite(std::string_view code) override;
  Result<std::vector<Contact>> Contacts() override;
  Result<Contact> FindContact(std::string_view peer) override;
  Result<std::string> Send(std::string_view peer, const ContentBody& content) override;
  Status SetAvailability(const Availability& availability) override;
  std::optional<Availability> OwnAvailability() const override;
  Result<SyncResult> Sync() override;
  Status Watch(const std::function<void(const HistoryItem&)>& on_item,
               const std::atomic<bool>& stop,
               const std::function<void(const std::string&)>& on_warning) override;
  Status Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop) override;
  Result<std::vector<HistoryItem>> History(std::string_view peer) override;
  Result<HistoryPage> History(std::string_view peer, const HistoryRange& range) override;
  Result<std::vector<ConversationSummary>> ConversationSummaries() override;
  Status MarkRead(std::string_view peer) override;
  Result<std::string> ExportJson() override;
  Result<std::string> SafetyNumber(std::string_view peer) override;
  Status Verify(std::string_view peer) override;
  Status Trust(std::string_view peer) override;
  Status EndLink(std::string_view peer) override;
  Status RotateSignedPreKey() override;

 private:
  std::unique_ptr<ClientCore> core_;
  Sender sender_;
  ContactBook contacts_;
  Receiver receiver_;
  Syncer syncer_;
  Watcher watcher_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CLIENT_IMPL_H_
