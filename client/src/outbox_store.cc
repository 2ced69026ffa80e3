#include "outbox_store.h"

#include "records.h"

namespace securebase::client {
namespace {

constexpr std::string_view kOutboxList = "outbox";
constexpr std::string_view kPendingReceiptsRecord = "pending-receipts";

}  // namespace

Result<uint64_t> OutboxStore::Add(const records::OutboxEntry& entry) {
  if (!next_index_) {
    SB_ASSIGN_OR_RETURN(std::optional<uint64_t> last, txn_.LastItemIndex(kOutboxList));
    next_index_ = last ? *last + 1 : 1;
  }
  const uint64_t index = (*next_index_)++;
  Put(index, entry);
  return index;
}

void OutboxStore::Put(uint64_t index, const records::OutboxEntry& entry) {
  StoreItem(txn_, kOutboxList, index, entry);
}

void OutboxStore::Remove(uint64_t index) { txn_.DeleteItem(kOutboxList, index); }

Result<std::vector<std::pair<uint64_t, records::OutboxEntry>>> OutboxStore::ReadAll() {
  SB_ASSIGN_OR_RETURN(auto items, txn_.ReadList(kOutboxList));
  std::vector<std::pair<uint64_t, records::OutboxEntry>> entries;
  entries.reserve(items.size());
  for (auto& [index, bytes] : items) {
    SB_ASSIGN_OR_RETURN(records::OutboxEntry entry, ParseRecord<records::OutboxEntry>(bytes));
    entries.emplace_back(index, std::move(entry));
  }
  return entries;
}

Result<records::PendingReceipts> OutboxStore::PendingReceipts() {
  SB_ASSIGN_OR_RETURN(std::optional<records::PendingReceipts> pending,
                      LoadRecord<records::PendingReceipts>(txn_, kPendingReceiptsRecord));
  return pending.value_or(records::PendingReceipts());
}

void OutboxStore::SetPendingReceipts(const records::PendingReceipts& receipts) {
  StoreRecord(txn_, kPendingReceiptsRecord, receipts);
}

void OutboxStore::ClearPendingReceipts() { txn_.Delete(kPendingReceiptsRecord); }

}  // namespace securebase::client
