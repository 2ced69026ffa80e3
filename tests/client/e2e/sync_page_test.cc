// Receiving a page of envelopes (client_sync.cc): the sessions of a page's
// sender devices are kept in memory while the page is decrypted and stored
// once with the page. A message in the middle of a page that does not decrypt
// must not advance the ratchet and must not cost any other message of the
// page (or later ones); and a sync whose commit fails stores nothing, so the
// next sync decrypts the whole page again.
#include <rocksdb/db.h>

#include "securebase/crypto/encoding.h"
#include "securebase/v1/records.pb.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

namespace v1 = ::securebase::v1;

class SyncPageTest : public E2eTest {
 protected:
  void TearDown() override {
    faults_.Set(nullptr);
    E2eTest::TearDown();
  }
};

// The texts (bodies) of the incoming text items, in order.
std::vector<std::string> IncomingTexts(const std::vector<sc::HistoryItem>& items) {
  std::vector<std::string> texts;
  for (const sc::HistoryItem& item : items) {
    if (item.direction != sc::Direction::kIncoming) continue;
    if (const auto* text = std::get_if<sc::TextMessage>(&item.content)) texts.push_back(text->body);
  }
  return texts;
}

TEST_F(SyncPageTest, TamperedEnvelopeInTheMiddleOfAPageCostsNoOtherMessage) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Page");
  auto client = Create(sc::Role::kClient, "Pat");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));

  // Six texts while the therapist is away: one page for the therapist.
  std::vector<std::string> sent;
  for (int i = 0; i < 6; ++i) {
    sent.push_back("page message " + std::to_string(i) + " " + RandomHex(8));
    ASSERT_SB_OK(client->SendText("Dr. Page", sent.back()));
  }

  // Flip the last byte (the body's tag) of the third envelope in the
  // therapist's mailbox.
  const std::optional<std::string> therapist_raw = crypto::FromHex(therapist->user_id());
  ASSERT_TRUE(therapist_raw);
  ASSERT_TRUE(server().Stop());
  std::string error;
  ASSERT_TRUE(EditServerStore(
      server().db_dir(),
      [&](rocksdb::DB* db, std::map<std::string, rocksdb::ColumnFamilyHandle*>& cfs,
          std::string* why) {
        if (!cfs.count("mailboxes")) {
          *why = "no mailboxes column family";
          return false;
        }
        const std::string prefix = std::string(1, '\x01') + *therapist_raw;
        std::vector<std::pair<std::string, std::string>> envelopes;
        std::unique_ptr<rocksdb::Iterator> it(
            db->NewIterator(rocksdb::ReadOptions(), cfs["mailboxes"]));
        for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
          envelopes.emplace_back(it->key().ToString(), it->value().ToString());
        }
        if (envelopes.size() != sent.size()) {
          *why = "expected " + std::to_string(sent.size()) + " envelopes, found " +
                 std::to_string(envelopes.size());
          return false;
        }
        v1::EnvelopeRecord record;
        if (!record.ParseFromString(envelopes[2].second) || record.ciphertext().empty()) {
          *why = "the envelope does not parse";
          return false;
        }
        std::string ciphertext = record.ciphertext();
        ciphertext.back() = static_cast<char>(ciphertext.back() ^ 0x01);
        record.set_ciphertext(ciphertext);
        rocksdb::WriteOptions sync;
        sync.sync = true;
        rocksdb::Status put =
            db->Put(sync, cfs["mailboxes"], envelopes[2].first, record.SerializeAsString());
        if (!put.ok()) *why = put.ToString();
        return put.ok();
      },
      &error))
      << error;
  ASSERT_TRUE(server().Start());

  auto synced = therapist->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_EQ(synced->envelopes, sent.size());
  const std::vector<std::string> expected = {sent[0], sent[1], sent[3], sent[4], sent[5]};
  EXPECT_EQ(IncomingTexts(synced->new_items), expected) << DescribeHistory(synced->new_items);
  EXPECT_EQ(CountInvalid(synced->new_items), 1u) << DescribeHistory(synced->new_items);

  // The ratchet was not damaged by the bad message: later messages decrypt,
  // and nothing is shown twice.
  ASSERT_SB_OK(client->SendText("Dr. Page", "after the bad one"));
  auto later = therapist->Sync();
  ASSERT_SB_OK(later);
  EXPECT_EQ(IncomingTexts(later->new_items), std::vector<std::string>{"after the bad one"})
      << DescribeHistory(later->new_items);
  EXPECT_EQ(CountInvalid(later->new_items), 0u);

  auto history = therapist->History("Pat");
  ASSERT_SB_OK(history);
  std::vector<std::string> all = expected;
  all.push_back("after the bad one");
  EXPECT_EQ(IncomingTexts(*history), all) << DescribeHistory(*history);
  EXPECT_EQ(CountInvalid(*history), 1u);

  // The client's messages were all delivered as far as the client can tell:
  // receipts came back for the five that decrypted.
  ASSERT_SB_OK(client->Sync());
  auto client_history = client->History("Dr. Page");
  ASSERT_SB_OK(client_history);
  size_t delivered = 0;
  for (const sc::HistoryItem& item : *client_history) {
    if (item.direction == sc::Direction::kOutgoing && item.state == sc::DeliveryState::kDelivered) {
      ++delivered;
    }
  }
  EXPECT_EQ(delivered, 6u) << DescribeHistory(*client_history);
}

// The delivered receipts a page owes are outbox entries of the page's own
// commit; they are sent after the acknowledgement and then leave the outbox
// (with the next page's commit, or at the end of the sync), so nothing is
// sent twice and nothing stays behind.
TEST_F(SyncPageTest, ReceiptsGoOutOnceAndLeaveTheOutbox) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Receipt");
  auto client = Create(sc::Role::kClient, "Remy");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  ASSERT_SB_OK(client->Sync());  // Whatever linking left for the client.
  std::vector<std::string> ids;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 3; ++i) {
      auto id = client->SendText("Dr. Receipt",
                                 "receipt " + std::to_string(round) + "/" + std::to_string(i));
      ASSERT_SB_OK(id);
      ids.push_back(*id);
    }
    auto synced = therapist->Sync();
    ASSERT_SB_OK(synced);
    EXPECT_EQ(IncomingTexts(synced->new_items).size(), 3u) << DescribeHistory(synced->new_items);
    EXPECT_EQ(synced->outbox_sent, 0u) << "nothing was left in the outbox by the previous sync";
  }
  auto idle = therapist->Sync();
  ASSERT_SB_OK(idle);
  EXPECT_EQ(idle->outbox_sent, 0u);
  EXPECT_EQ(idle->envelopes, 0u);

  auto client_sync = client->Sync();
  ASSERT_SB_OK(client_sync);
  auto history = client->History("Dr. Receipt");
  ASSERT_SB_OK(history);
  for (const std::string& id : ids) {
    const auto* item = FindId(*history, id);
    ASSERT_NE(item, nullptr) << id;
    EXPECT_EQ(item->state, sc::DeliveryState::kDelivered) << DescribeHistory(*history);
  }
  // Exactly one receipt per therapist sync reached the client (none resent).
  EXPECT_EQ(client_sync->envelopes, 2u);
}

TEST_F(SyncPageTest, FailedPageCommitStoresNoSessionAndTheNextSyncDecryptsAll) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Retry");
  auto client = Create(sc::Role::kClient, "Robin");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    sent.push_back("retry message " + std::to_string(i) + " " + RandomHex(8));
    ASSERT_SB_OK(client->SendText("Dr. Retry", sent.back()));
  }

  // The page decrypts, then its commit fails: nothing may be kept, neither
  // the items nor the advanced sessions (else the retry could not decrypt).
  int failures = 0;
  faults_.Set([&](sc::FaultPoint point) {
    if (point == sc::FaultPoint::kAfterDecryptBeforeCommit && failures < 2) {
      ++failures;
      return true;
    }
    return false;
  });
  EXPECT_FALSE(therapist->Sync().ok());
  EXPECT_FALSE(therapist->Sync().ok());
  auto history = therapist->History("Robin");
  ASSERT_SB_OK(history);
  EXPECT_TRUE(IncomingTexts(*history).empty()) << DescribeHistory(*history);

  auto synced = therapist->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_EQ(IncomingTexts(synced->new_items), sent) << DescribeHistory(synced->new_items);
  EXPECT_EQ(CountInvalid(synced->new_items), 0u) << DescribeHistory(synced->new_items);
  // And the stored session continues the chain.
  ASSERT_SB_OK(client->SendText("Dr. Retry", "one more"));
  auto later = therapist->Sync();
  ASSERT_SB_OK(later);
  EXPECT_EQ(IncomingTexts(later->new_items), std::vector<std::string>{"one more"})
      << DescribeHistory(later->new_items);
}

}  // namespace
}  // namespace securebase::e2e
