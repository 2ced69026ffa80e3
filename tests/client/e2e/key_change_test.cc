// A contact's identity key changes. The server's store is rewritten while
// the server is stopped (accounts, identity_keys and links carry the new key;
// the device's signed prekey is re-signed by it).
//
// RekeyedTherapist: the therapist really holds the new key (its vault is
//   rewritten too, as after a restore on a new install) and starts a new
//   session. The client, which verified the therapist through the invite's
//   pin, warns; its sends wait (kIdentityChanged) and nothing is lost; after
//   Trust the held message goes out and the therapist decrypts it.
// ServerSubstitutesKey: only the server's view changes (a malicious or broken
//   server adds a device under a key the therapist never had). The client
//   must notice when it fetches bundles, hold the message, and send no
//   ciphertext to the new device before the user trusts the key.
#include <rocksdb/db.h>

#include "client/src/device_address.h"
#include "client/src/stores.h"
#include "client/src/vault.h"
#include "client/src/vault_records.pb.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/v1/records.pb.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

namespace v1 = ::securebase::v1;
namespace records = ::securebase::client::records;

class KeyChangeTest : public E2eTest {
 protected:
  // Therapist "Dr. Key" and client "Pat", linked, one message each way.
  void SetUpPair() {
    therapist_ = Create(sc::Role::kTherapist, "Dr. Key");
    client_ = Create(sc::Role::kClient, "Pat");
    ASSERT_TRUE(therapist_ && client_);
    ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
    auto a = client_->SendText("Dr. Key", "before the change");
    ASSERT_SB_OK(a);
    ASSERT_SB_OK(therapist_->Sync());
    auto b = therapist_->SendText("Pat", "reply before the change");
    ASSERT_SB_OK(b);
    auto got = client_->Sync();
    ASSERT_SB_OK(got);
    ASSERT_EQ(got->new_items.size(), 1u);
    therapist_device_ = got->new_items[0].sender_device_id;
    // The therapist takes the client's delivered receipt, so nothing under
    // the old sessions is left in its mailbox.
    ASSERT_SB_OK(therapist_->Sync());
    auto contact = client_->FindContact("Dr. Key");
    ASSERT_SB_OK(contact);
    ASSERT_TRUE(contact->verified);
    ASSERT_FALSE(contact->identity_changed);
    auto number = client_->SafetyNumber("Dr. Key");
    ASSERT_SB_OK(number);
    old_number_ = *number;
    therapist_raw_id_ = crypto::FromHex(therapist_->user_id()).value_or("");
    client_raw_id_ = crypto::FromHex(client_->user_id()).value_or("");
  }

  std::unique_ptr<sc::Client> therapist_;
  std::unique_ptr<sc::Client> client_;
  std::string old_number_;
  uint32_t therapist_device_ = 0;
  std::string therapist_raw_id_;
  std::string client_raw_id_;
};

TEST_F(KeyChangeTest, RekeyedTherapistIsWarnedHeldAndDeliveredAfterTrust) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::IdentityKeyPair new_identity = crypto::IdentityKeyPair::Generate(rng);
  const uint32_t new_spk_id = 1000;
  crypto::SignedPreKey new_spk = crypto::SignedPreKey::Generate(new_identity, new_spk_id, rng);
  const std::string new_key = ToString(new_identity.public_key().span());

  // Take in everything sent under the old key first (e.g. the client's
  // delivered receipts): a reinstalled device cannot decrypt those later.
  ASSERT_SB_OK(therapist_->Sync());

  // The server's store.
  therapist_.reset();
  ASSERT_TRUE(server().Stop());
  std::string error;
  ASSERT_TRUE(EditServerStore(
      server().db_dir(),
      [&](rocksdb::DB* db, Cfs& cfs, std::string* why) {
        return RewriteIdentity(db, cfs, therapist_raw_id_, new_key, new_spk, therapist_device_,
                               false, nullptr, why);
      },
      &error))
      << error;
  ASSERT_TRUE(server().Start());

  // The therapist's vault: the new identity and signed prekey; its session
  // with the client is forgotten, so its next message starts a new one.
  {
    auto vault = sc::Vault::Open(Home("Dr. Key"), kPassphrase, std::chrono::seconds(10));
    ASSERT_SB_OK(vault);
    ASSERT_SB_OK((*vault)->Transact([&](sc::VaultTransaction& txn) -> sc::Status {
      // The record owners of the library (client/src/stores.h).
      sc::Stores stores(txn, therapist_raw_id_, new_identity, crypto::SystemRandom());
      SB_ASSIGN_OR_RETURN(records::Account account, stores.account().LoadExisting());
      account.set_identity_seed(ToString(new_identity.ExportSeed().span()));
      account.set_signed_prekey_id(new_spk_id);
      stores.account().Store(account);
      SB_ASSIGN_OR_RETURN(records::Contact * self, stores.contacts().Self());
      self->set_identity_key(new_key);
      stores.prekeys().StoreSignedPreKey(new_spk);
      SB_ASSIGN_OR_RETURN(records::Contacts * contacts, stores.contacts().All());
      for (auto& c : *contacts->mutable_contacts()) {
        for (uint32_t device : c.device_ids())
          stores.sessions().Delete(sc::AddressOf(c.user_id(), device).value());
        c.clear_device_ids();
      }
      stores.Flush();
      return sc::Status::Ok();
    }));
  }
  therapist_ = Reopen("Dr. Key");
  ASSERT_TRUE(therapist_);

  // The therapist writes first, under the new key.
  auto from_new_key = therapist_->SendText("Pat", "written under my new key");
  ASSERT_SB_OK(from_new_key);
  auto synced = client_->Sync();
  ASSERT_SB_OK(synced);
  ASSERT_EQ(synced->new_items.size(), 1u) << DescribeHistory(synced->new_items);
  EXPECT_TRUE(
      ContentEquals(sc::TextMessage{"written under my new key", ""}, synced->new_items[0].content));
  bool warned = false;
  for (const std::string& w : synced->warnings) {
    warned |= w.find("safety number") != std::string::npos;
  }
  EXPECT_TRUE(warned) << "the sync must warn about the changed safety number";
  auto contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_TRUE(contact->identity_changed);
  EXPECT_TRUE(contact->verified);
  EXPECT_TRUE(contact->sends_held);

  // The CLI shows the same, and refuses to send right away.
  if (!CliBinary().empty()) {
    it::CommandResult r;
    ASSERT_TRUE(it::RunCommand({CliBinary(), "--home", Home("Pat"), "--server", server_address(),
                                "--insecure", "contacts", "--json"},
                               kCliTimeout, &r));
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    auto json = ParseJson(r.stdout_text);
    ASSERT_TRUE(json.has_value()) << r.stdout_text;
    auto list = AsList(*json);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_TRUE(Bool(list[0], "identity_changed"));
    EXPECT_TRUE(Bool(list[0], "sends_held"));
    EXPECT_NE(r.stderr_text.find("safety number"), std::string::npos)
        << "contacts warns on stderr: " << r.stderr_text;
  }

  // Sending waits; nothing is lost.
  auto held = client_->SendText("Dr. Key", "held until I trust the new key");
  EXPECT_TRUE(HasCode(held, sc::ErrorCode::kIdentityChanged));
  auto history = client_->History("Dr. Key");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->back().direction, sc::Direction::kOutgoing) << DescribeHistory(*history);
  EXPECT_EQ(history->back().state, sc::DeliveryState::kQueued) << DescribeHistory(*history);
  const std::string held_id = history->back().message_id;
  auto still = client_->Sync();
  ASSERT_SB_OK(still);
  EXPECT_EQ(still->outbox_sent, 0u) << "a held message must not go out before Trust";
  auto nothing = therapist_->Sync();
  ASSERT_SB_OK(nothing);
  EXPECT_TRUE(nothing->new_items.empty()) << DescribeHistory(nothing->new_items);

  // Both sides now compute the same, new safety number.
  auto c_number = client_->SafetyNumber("Dr. Key");
  auto t_number = therapist_->SafetyNumber("Pat");
  ASSERT_SB_OK(c_number);
  ASSERT_SB_OK(t_number);
  EXPECT_EQ(*c_number, *t_number);
  EXPECT_NE(*c_number, old_number_);

  // Trust: the held message is delivered and decrypts at the therapist.
  ASSERT_SB_OK(client_->Trust("Dr. Key"));
  contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_FALSE(contact->identity_changed);
  EXPECT_FALSE(contact->sends_held);
  ASSERT_SB_OK(client_->Sync());  // Sends anything still queued.
  auto received = therapist_->Sync();
  ASSERT_SB_OK(received);
  auto t_history = therapist_->History("Pat");
  ASSERT_SB_OK(t_history);
  EXPECT_EQ(CountId(*t_history, held_id), 1u) << DescribeHistory(*t_history);
  EXPECT_EQ(CountInvalid(*t_history), 0u) << DescribeHistory(*t_history);
  const auto* item = FindId(*t_history, held_id);
  ASSERT_NE(item, nullptr);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"held until I trust the new key", ""}, item->content));
  ASSERT_SB_OK(client_->Sync());
  history = client_->History("Dr. Key");
  ASSERT_SB_OK(history);
  EXPECT_EQ(CountId(*history, held_id), 1u);
  EXPECT_EQ(FindId(*history, held_id)->state, sc::DeliveryState::kDelivered)
      << DescribeHistory(*history);
  // And a new message after trusting goes straight through.
  auto after = client_->SendText("Dr. Key", "after trust");
  ASSERT_SB_OK(after);
  auto last = therapist_->Sync();
  ASSERT_SB_OK(last);
  ASSERT_EQ(last->new_items.size(), 1u) << DescribeHistory(last->new_items);
  EXPECT_EQ(last->new_items[0].message_id, *after);
}

TEST_F(KeyChangeTest, ServerSubstitutedKeyIsHeldAndReachesNoNewDevice) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::IdentityKeyPair fake = crypto::IdentityKeyPair::Generate(rng);
  crypto::SignedPreKey fake_spk = crypto::SignedPreKey::Generate(fake, 7, rng);
  const std::string fake_key = ToString(fake.public_key().span());
  uint32_t added = 0;
  ASSERT_TRUE(server().Stop());
  std::string error;
  ASSERT_TRUE(EditServerStore(
      server().db_dir(),
      [&](rocksdb::DB* db, Cfs& cfs, std::string* why) {
        return RewriteIdentity(db, cfs, therapist_raw_id_, fake_key, fake_spk, 0, true, &added,
                               why);
      },
      &error))
      << error;
  ASSERT_TRUE(server().Start());

  auto sent = client_->SendText("Dr. Key", "must not reach the new device");
  EXPECT_TRUE(HasCode(sent, sc::ErrorCode::kIdentityChanged));
  auto contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_TRUE(contact->identity_changed) << "the client must notice the changed key";
  EXPECT_TRUE(contact->sends_held);
  auto history = client_->History("Dr. Key");
  ASSERT_SB_OK(history);
  EXPECT_EQ(history->back().state, sc::DeliveryState::kQueued) << DescribeHistory(*history);
  // A later message waits too; syncing does not send them.
  auto second = client_->SendText("Dr. Key", "second while held");
  EXPECT_TRUE(HasCode(second, sc::ErrorCode::kIdentityChanged));
  auto synced = client_->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_EQ(synced->outbox_sent, 0u);
  auto t_sync = therapist_->Sync();
  ASSERT_SB_OK(t_sync);
  EXPECT_TRUE(t_sync->new_items.empty()) << DescribeHistory(t_sync->new_items);
  history = client_->History("Dr. Key");
  ASSERT_SB_OK(history);
  EXPECT_EQ(history->size(), 4u) << "both held messages are kept\n" << DescribeHistory(*history);

  // Nothing was queued for the substituted device.
  therapist_.reset();
  client_.reset();
  ASSERT_TRUE(server().Stop());
  std::string dump;
  ASSERT_TRUE(DumpServerStore(server().db_dir(), &dump, &error)) << error;
  const std::string mailbox = std::string(1, '\x01') + therapist_raw_id_ + Be32(added);
  EXPECT_EQ(dump.find(std::string("mailboxes") + '\0' + mailbox), std::string::npos)
      << "a ciphertext was stored for a device under an untrusted key";
}

}  // namespace
}  // namespace securebase::e2e
