// MailboxStore on RocksDB: ordered, gap-free seq visibility per mailbox and
// idempotent appends (see the class comment in rocks_store.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>

#include <future>
#include <map>

#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

constexpr std::string_view kDigestLabel = "SecureBase/v1/server/send-envelopes";

// BLAKE2b-256 over a label and each envelope's recipient, length and
// ciphertext, in order: what a retry of the same send carries again, and a
// different message under a reused id does not.
std::string EnvelopesDigest(const std::vector<OutgoingEnvelope>& envelopes) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  auto update = [&state](std::string_view bytes) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  };
  update(kDigestLabel);
  for (const auto& envelope : envelopes) {
    std::string header = envelope.recipient.user_id;
    keys::AppendBe32(header, envelope.recipient.device_id);
    keys::AppendBe64(header, envelope.ciphertext.size());
    update(header);
    update(envelope.ciphertext);
  }
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

Status ReusedMessageId() {
  return Status::FailedPrecondition(
      "client_message_id was already used for a different message (other recipients or "
      "ciphertexts); a new message needs a new id");
}

// Records written before digests existed match any retry.
bool SameMessage(const std::string& stored_digest, const std::string& digest) {
  return stored_digest.empty() || stored_digest == digest;
}

}  // namespace

Result<std::optional<int64_t>> RocksStore::FindIdempotent(
    const MailboxAddress& sender, const std::string& client_message_id,
    const std::vector<OutgoingEnvelope>& envelopes) {
  auto record = GetRecord<v1::IdempotencyRecord>(
      Cf::kIdempotency, keys::Idempotency(sender.user_id, sender.device_id, client_message_id),
      "idempotency");
  if (record.ok()) {
    if (!SameMessage(record->request_digest(), EnvelopesDigest(envelopes)))
      return ReusedMessageId();
    return std::optional<int64_t>(record->server_timestamp_unix_ms());
  }
  if (record.status().IsNotFound()) return std::optional<int64_t>();
  return record.status();
}

namespace {

Status CheckQuota(const MailboxUsage& usage, const MailboxQuota& quota) {
  if (quota.max_envelopes != 0 && usage.envelopes > static_cast<int64_t>(quota.max_envelopes)) {
    return Status::ResourceExhausted(
        "a recipient device's mailbox is full (" + std::to_string(quota.max_envelopes) +
        " undelivered envelopes); it empties as that device fetches and acknowledges");
  }
  if (quota.max_bytes != 0 && usage.bytes > static_cast<int64_t>(quota.max_bytes)) {
    return Status::ResourceExhausted(
        "a recipient device's mailbox is full (" + std::to_string(quota.max_bytes >> 20) +
        " MiB undelivered); it empties as that device fetches and acknowledges");
  }
  return Status::Ok();
}

}  // namespace

Result<MailboxUsage> RocksStore::ScanUsage(std::string_view mailbox_prefix) {
  auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kMailboxes), mailbox_prefix);
  rocksdb::Iterator* it = scan->get();
  MailboxUsage usage;
  for (scan->SeekToLower(); it->Valid(); it->Next()) {
    usage += MailboxUsage{1, static_cast<int64_t>(it->value().size())};
  }
  if (!it->status().ok()) return StorageError(it->status(), "scan_usage");
  return usage;
}

Result<MailboxUsage> RocksStore::CurrentUsageLocked(MailboxStripe& stripe,
                                                    const std::string& mailbox_prefix) {
  auto found = stripe.usage.find(mailbox_prefix);
  if (found == stripe.usage.end()) {
    std::string_view ids = std::string_view(mailbox_prefix).substr(1);  // user_id || device_id
    return GetMailboxUsage({std::string(ids.substr(0, 16)), keys::ReadBe32(ids, 16)});
  }
  UsageInFlight& entry = found->second;
  if (!entry.suspect) return entry.latest;
  // A write failed, so what was stored may not match: count again, once no
  // write is in flight (the next write stores the right value).
  if (entry.writes > 0) return Status::Unavailable("storage is recovering; retry");
  SBS_ASSIGN_OR_RETURN(entry.latest, ScanUsage(mailbox_prefix));
  entry.suspect = false;
  return entry.latest;
}

void RocksStore::AddUsageWriteLocked(MailboxStripe& stripe, const std::string& mailbox_prefix,
                                     const MailboxUsage& base, const MailboxUsage& delta,
                                     std::vector<GroupCommitter::Put>& puts) {
  UsageInFlight& entry = stripe.usage[mailbox_prefix];
  entry.latest = base;
  entry.latest += delta;
  ++entry.writes;
  std::string_view ids = std::string_view(mailbox_prefix).substr(1);
  puts.push_back({cf(Cf::kMailboxUsage),
                  keys::MailboxUsage(ids.substr(0, 16), keys::ReadBe32(ids, 16)),
                  EncodeUsage(entry.latest)});
}

void RocksStore::FinishUsageWrite(const std::string& mailbox_prefix, bool ok) {
  MailboxStripe& stripe = StripeOf(mailbox_prefix);
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto found = stripe.usage.find(mailbox_prefix);
  if (found == stripe.usage.end()) return;
  UsageInFlight& entry = found->second;
  if (entry.writes > 0) --entry.writes;
  if (!ok) entry.suspect = true;
  // Settled: the stored value is right, read it from there next time.
  if (entry.writes == 0 && !entry.suspect) stripe.usage.erase(found);
}

Result<uint64_t> RocksStore::NextSeqLocked(MailboxStripe& stripe, const std::string& mailbox_prefix,
                                           const MailboxAddress& mailbox) {
  auto found = stripe.next_seq.find(mailbox_prefix);
  if (found != stripe.next_seq.end()) return found->second;
  std::string high_water;
  Status got = Get(Cf::kMailboxes, keys::HighWater(mailbox.user_id, mailbox.device_id), &high_water);
  uint64_t next = 1;
  if (got.ok()) {
    if (high_water.size() != 8) return Status::Internal("corrupt mailbox high-water mark");
    next = keys::ReadBe64(high_water, 0) + 1;
  } else if (!got.IsNotFound()) {
    return got;
  }
  stripe.next_seq.emplace(mailbox_prefix, next);
  return next;
}

Result<MailboxUsage> RocksStore::GetMailboxUsage(const MailboxAddress& mailbox) {
  std::string value;
  Status got =
      Get(Cf::kMailboxUsage, keys::MailboxUsage(mailbox.user_id, mailbox.device_id), &value);
  if (got.IsNotFound()) return MailboxUsage{};
  if (!got.ok()) return got;
  return DecodeUsage(value);
}

void RocksStore::AppendEnvelopesAsync(const MailboxAddress& sender,
                                      const std::string& client_message_id,
                                      const std::vector<OutgoingEnvelope>& envelopes,
                                      int64_t server_timestamp_unix_ms, const MailboxQuota& quota,
                                      AppendDone done) {
  std::string idempotency_key =
      keys::Idempotency(sender.user_id, sender.device_id, client_message_id);
  // Lock order: the idempotency stripe, then mailbox stripes ascending, then
  // pending_mu_. None is held while `done` runs.
  std::string digest = EnvelopesDigest(envelopes);
  std::unique_lock<std::mutex> idempotency_lock(idempotency_mu_.For(idempotency_key));
  {
    std::unique_lock<std::mutex> lock(pending_mu_);
    auto pending = pending_appends_.find(idempotency_key);
    if (pending != pending_appends_.end()) {
      if (pending->second->digest != digest) {
        lock.unlock();
        idempotency_lock.unlock();
        return done(ReusedMessageId());
      }
      pending->second->waiters.push_back(std::move(done));
      return;
    }
  }
  auto previous = FindIdempotent(sender, client_message_id, envelopes);
  if (!previous.ok() || previous->has_value()) {
    idempotency_lock.unlock();
    if (!previous.ok()) return done(previous.status());
    AppendResult duplicate;
    duplicate.server_timestamp_unix_ms = **previous;
    duplicate.duplicate = true;
    return done(std::move(duplicate));
  }

  // Distinct mailboxes of this send (ordered map: deterministic, dedups),
  // and what the send adds to each.
  v1::EnvelopeRecord record;
  record.mutable_sender()->set_user_id(sender.user_id);
  record.mutable_sender()->set_device_id(sender.device_id);
  record.set_server_timestamp_unix_ms(server_timestamp_unix_ms);
  std::vector<std::string> values;  // The stored records, in envelope order.
  values.reserve(envelopes.size());
  std::map<std::string, MailboxAddress> mailboxes;
  std::map<std::string, MailboxUsage> added;
  for (const auto& envelope : envelopes) {
    record.set_ciphertext(envelope.ciphertext);
    values.push_back(record.SerializeAsString());
    std::string prefix =
        keys::MailboxPrefix(envelope.recipient.user_id, envelope.recipient.device_id);
    added[prefix] += MailboxUsage{1, static_cast<int64_t>(values.back().size())};
    mailboxes.emplace(std::move(prefix), envelope.recipient);
  }
  std::vector<size_t> stripe_indexes;
  for (const auto& [prefix, address] : mailboxes) {
    stripe_indexes.push_back(StripedMutex<kMailboxStripes>::StripeOf(prefix));
  }
  std::sort(stripe_indexes.begin(), stripe_indexes.end());
  stripe_indexes.erase(std::unique(stripe_indexes.begin(), stripe_indexes.end()),
                       stripe_indexes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripe_indexes.size());
  for (size_t index : stripe_indexes) locks.emplace_back(mailbox_stripes_[index].mu);

  std::map<std::string, uint64_t> next;
  std::map<std::string, MailboxUsage> current_usage;
  for (const auto& [prefix, address] : mailboxes) {
    MailboxStripe& stripe = StripeOf(prefix);
    auto usage = CurrentUsageLocked(stripe, prefix);
    Status within = usage.ok() ? Status::Ok() : usage.status();
    if (within.ok()) {
      current_usage[prefix] = *usage;
      MailboxUsage after = *usage;
      after += added[prefix];
      within = CheckQuota(after, quota);
    }
    if (!within.ok()) {
      locks.clear();
      idempotency_lock.unlock();
      return done(within);
    }
    auto seq = NextSeqLocked(stripe, prefix, address);
    if (!seq.ok()) {
      locks.clear();
      idempotency_lock.unlock();
      return done(seq.status());
    }
    next.emplace(prefix, *seq);
  }
  AppendResult result;
  result.server_timestamp_unix_ms = server_timestamp_unix_ms;
  std::vector<GroupCommitter::Put> puts;
  puts.reserve(envelopes.size() + mailboxes.size() + 1);
  for (size_t i = 0; i < envelopes.size(); ++i) {
    const OutgoingEnvelope& envelope = envelopes[i];
    std::string key = keys::MailboxPrefix(envelope.recipient.user_id, envelope.recipient.device_id);
    uint64_t seq = next[key]++;
    keys::AppendBe64(key, seq);
    puts.push_back({cf(Cf::kMailboxes), std::move(key), std::move(values[i])});
    result.assigned.emplace_back(envelope.recipient, seq);
  }
  for (const auto& [prefix, address] : mailboxes) {
    puts.push_back({cf(Cf::kMailboxes), keys::HighWater(address.user_id, address.device_id),
                    keys::EncodeBe64(next[prefix] - 1)});
    AddUsageWriteLocked(StripeOf(prefix), prefix, current_usage[prefix], added[prefix], puts);
  }
  v1::IdempotencyRecord idempotency;
  idempotency.set_server_timestamp_unix_ms(server_timestamp_unix_ms);
  idempotency.set_request_digest(digest);
  puts.push_back({cf(Cf::kIdempotency), idempotency_key, idempotency.SerializeAsString()});
  // The counters move now: a failed commit leaves its seqs unused for good
  // (never reused, so a reader cannot see one seq with two contents).
  for (const auto& [prefix, seq] : next) {
    mailbox_stripes_[StripedMutex<kMailboxStripes>::StripeOf(prefix)].next_seq[prefix] = seq;
  }
  auto pending = std::make_shared<PendingAppend>();
  pending->digest = std::move(digest);
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_appends_.emplace(idempotency_key, pending);
  }
  // Submitted while holding the mailbox stripes: the committer commits in
  // submission order, so seq n+1 of a mailbox never becomes readable before
  // seq n. Other sends are not held up by this one's sync (group commit).
  committer_->Submit(std::move(puts), [this, idempotency_key, pending, added = std::move(added),
                                       result = std::move(result),
                                       done = std::move(done)](const Status& status) mutable {
    // One stripe at a time: this never waits for a lock while holding one.
    for (const auto& [prefix, usage] : added) FinishUsageWrite(prefix, status.ok());
    std::vector<AppendDone> waiters;
    {
      std::lock_guard<std::mutex> lock(pending_mu_);
      pending_appends_.erase(idempotency_key);
      waiters.swap(pending->waiters);
    }
    if (!status.ok()) {
      done(status);
      for (auto& waiter : waiters) waiter(status);
      return;
    }
    AppendResult duplicate;
    duplicate.server_timestamp_unix_ms = result.server_timestamp_unix_ms;
    duplicate.duplicate = true;
    done(std::move(result));
    for (auto& waiter : waiters) waiter(duplicate);
  });
}

Result<MailboxPage> RocksStore::ReadMailbox(const MailboxAddress& mailbox, uint64_t after_seq,
                                            uint32_t max_count, size_t max_bytes) {
  MailboxPage page;
  if (after_seq == UINT64_MAX || max_count == 0) return page;
  std::string prefix = keys::MailboxPrefix(mailbox.user_id, mailbox.device_id);
  RangeScan scan(*db_, cf(Cf::kMailboxes),
                 keys::Envelope(mailbox.user_id, mailbox.device_id, after_seq + 1),
                 PrefixSuccessor(prefix));
  rocksdb::Iterator* it = scan.get();
  size_t bytes = 0;
  for (scan.SeekToLower(); it->Valid(); it->Next()) {
    if (page.envelopes.size() >= max_count ||
        (!page.envelopes.empty() && bytes + it->value().size() > max_bytes)) {
      page.more = true;
      break;
    }
    StoredEnvelope envelope;
    envelope.seq = keys::EnvelopeSeqOf(ToView(it->key()));
    if (!envelope.record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt envelope record");
    }
    bytes += it->value().size();
    page.envelopes.push_back(std::move(envelope));
  }
  if (!it->status().ok()) return StorageError(it->status(), "read_mailbox");
  return page;
}

Status RocksStore::CommitDeletes(const std::string& mailbox_prefix,
                                 std::vector<GroupCommitter::Put> deletes,
                                 const MailboxUsage& removed) {
  std::promise<Status> committed;
  std::future<Status> answer = committed.get_future();
  {
    MailboxStripe& stripe = StripeOf(mailbox_prefix);
    std::lock_guard<std::mutex> lock(stripe.mu);
    SBS_ASSIGN_OR_RETURN(MailboxUsage usage, CurrentUsageLocked(stripe, mailbox_prefix));
    AddUsageWriteLocked(stripe, mailbox_prefix, usage, -removed, deletes);
    // Through the committer (the deletes share the sends' WAL sync), and
    // under the stripe: usage values commit in the order they were computed.
    committer_->Submit(std::move(deletes),
                       [&committed](const Status& status) { committed.set_value(status); });
  }
  Status status = answer.get();
  FinishUsageWrite(mailbox_prefix, status.ok());
  return status;
}

Result<uint32_t> RocksStore::DeleteEnvelopes(const MailboxAddress& mailbox, uint64_t after_seq,
                                             uint64_t up_to_seq) {
  if (up_to_seq <= after_seq) return 0;
  std::string prefix = keys::MailboxPrefix(mailbox.user_id, mailbox.device_id);
  // From the scan until the commit: a concurrent deleter of the same
  // mailbox would see the same envelopes and subtract them twice.
  std::lock_guard<std::mutex> delete_lock(delete_mu_.For(prefix));
  uint64_t floor = 1;
  {
    std::lock_guard<std::mutex> lock(ack_floor_mu_);
    auto found = ack_floor_.find(prefix);
    if (found != ack_floor_.end()) floor = found->second;
  }
  // The scan starts at the floor when the range reaches down to it: then
  // every seq from the floor to the last one deleted is gone afterwards.
  const bool from_floor = after_seq + 1 <= floor;
  const uint64_t first = std::max(after_seq + 1, floor);
  if (first > up_to_seq) return 0;
  RangeScan scan(
      *db_, cf(Cf::kMailboxes), keys::Envelope(mailbox.user_id, mailbox.device_id, first),
      up_to_seq == UINT64_MAX ? PrefixSuccessor(prefix)
                              : keys::Envelope(mailbox.user_id, mailbox.device_id, up_to_seq + 1));
  rocksdb::Iterator* it = scan.get();
  std::vector<GroupCommitter::Put> deletes;
  MailboxUsage removed;
  uint64_t last_deleted = 0;
  for (scan.SeekToLower(); it->Valid(); it->Next()) {
    deletes.push_back({cf(Cf::kMailboxes), it->key().ToString(), "", GroupCommitter::Op::kDelete});
    removed += MailboxUsage{1, static_cast<int64_t>(it->value().size())};
    last_deleted = keys::EnvelopeSeqOf(ToView(it->key()));
  }
  if (!it->status().ok()) return StorageError(it->status(), "ack");
  auto deleted = static_cast<uint32_t>(deletes.size());
  if (deleted > 0) SBS_RETURN_IF_ERROR(CommitDeletes(prefix, std::move(deletes), removed));
  // Every seq up to the last one deleted is gone now: seqs commit in order
  // per mailbox, so none below a visible one can still appear.
  if (deleted > 0 && from_floor) {
    std::lock_guard<std::mutex> lock(ack_floor_mu_);
    uint64_t& stored = ack_floor_[prefix];
    stored = std::max(stored, last_deleted + 1);
  }
  return deleted;
}

}  // namespace securebase::server
