// A contact's identity key changes. The server's store is rewritten while
// the server is stopped (accounts, identity_keys and links carry the new key;
// the device's signed prekey and device binding are re-signed by it).
//
// RekeyedTherapist: the therapist really holds the new key (its vault is
//   rewritten too, as after a restore on a new install) and starts a new
//   session. The client, which verified the therapist through the invite's
//   pin, warns; the contact is no longer verified; what arrives under the new
//   key is kept but not shown as the therapist's; its sends wait
//   (kIdentityChanged) and nothing is lost; after Trust the held message goes
//   out, the kept one is shown, and the contact stays unverified until the
//   user verifies the new safety number.
// ServerSubstitutesKey: only the server's view changes (a malicious or broken
//   server adds a device under a key the therapist never had). The client
//   must notice when it fetches bundles, stop calling the contact verified,
//   hold the message, and send no ciphertext to the new device before the
//   user trusts the key.
// ServerInjectsAFirstMessage: the server writes to the client "from" the
//   pinned therapist's device under a key of its own (a captured token lets it
//   store the envelope). It is not shown as the therapist's, does not rename
//   the therapist, and the therapist is no longer shown as verified.
#include <rocksdb/db.h>

#include "client/src/device_address.h"
#include "client/src/stores.h"
#include "client/src/vault.h"
#include "client/src/vault_records.pb.h"
#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session_cipher.h"
#include "securebase/v1/content.pb.h"
#include "securebase/v1/records.pb.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/client/e2e/mitm_proxy.h"
#include "tests/client/e2e/raw_peer.h"
#include "tests/testing/in_memory_stores.h"

namespace securebase::e2e {
namespace {

namespace v1 = ::securebase::v1;
namespace records = ::securebase::client::records;
namespace content = ::securebase::content;
namespace testing = ::securebase::testing;

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
  std::optional<crypto::SignedPreKey> new_spk;
  std::string new_binding;
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
        return RewriteIdentity(db, cfs, therapist_raw_id_, new_identity, new_spk_id,
                               therapist_device_, false, nullptr, &new_spk, &new_binding, why);
      },
      &error))
      << error;
  ASSERT_TRUE(server().Start());

  // The therapist's vault: the new identity, signed prekey and binding; its
  // session with the client is forgotten, so its next message starts a new
  // one.
  {
    auto vault = sc::Vault::Open(Home("Dr. Key"), kPassphrase, std::chrono::seconds(10));
    ASSERT_SB_OK(vault);
    ASSERT_SB_OK((*vault)->Transact([&](sc::VaultTransaction& txn) -> sc::Status {
      // The record owners of the library (client/src/stores.h).
      sc::Stores stores(txn, therapist_raw_id_,
                        sc::AddressOf(therapist_raw_id_, therapist_device_).value(), new_identity,
                        crypto::SystemRandom());
      SB_ASSIGN_OR_RETURN(records::Account account, stores.account().LoadExisting());
      account.set_identity_seed(ToString(new_identity.ExportSeed().span()));
      stores.account().Store(account);
      SB_ASSIGN_OR_RETURN(records::Contact * self, stores.contacts().Self());
      self->set_identity_key(new_key);
      stores.prekeys().StoreSignedPreKey(*new_spk);
      SB_ASSIGN_OR_RETURN(std::optional<records::SignedPreKeys> rotation,
                          stores.prekeys().LoadRotation());
      if (!rotation) return sc::Status(sc::ErrorCode::kInternal, "no rotation state");
      rotation->set_current_id(new_spk_id);
      rotation->set_current_created_at_unix_ms(
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count());
      rotation->set_pending_id(0);
      rotation->set_next_id(new_spk_id + 1);
      rotation->set_device_binding(new_binding);
      stores.prekeys().StoreRotation(*rotation);
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

  // The therapist writes first, under the new key. The client keeps it, but
  // does not show it as the therapist's until the user accepts the key.
  auto from_new_key = therapist_->SendText("Pat", "written under my new key");
  ASSERT_SB_OK(from_new_key);
  auto synced = client_->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_TRUE(synced->new_items.empty()) << DescribeHistory(synced->new_items);
  bool warned = false;
  for (const std::string& w : synced->warnings) {
    warned |= w.find("safety number") != std::string::npos;
  }
  EXPECT_TRUE(warned) << "the sync must warn about the changed safety number";
  auto history = client_->History("Dr. Key");
  ASSERT_SB_OK(history);
  EXPECT_EQ(CountId(*history, *from_new_key), 0u)
      << "shown as the therapist's before the key was accepted\n"
      << DescribeHistory(*history);
  auto contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_TRUE(contact->identity_changed);
  EXPECT_FALSE(contact->verified) << "a key change ends verification";
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
    EXPECT_FALSE(Bool(list[0], "verified"));
    EXPECT_NE(r.stderr_text.find("safety number"), std::string::npos)
        << "contacts warns on stderr: " << r.stderr_text;
  }

  // Sending waits; nothing is lost.
  auto held = client_->SendText("Dr. Key", "held until I trust the new key");
  EXPECT_TRUE(HasCode(held, sc::ErrorCode::kIdentityChanged));
  history = client_->History("Dr. Key");
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

  // Both sides now compute the same, new safety number (the client shows the
  // new key's, the one to compare before accepting it).
  auto c_number = client_->SafetyNumber("Dr. Key");
  auto t_number = therapist_->SafetyNumber("Pat");
  ASSERT_SB_OK(c_number);
  ASSERT_SB_OK(t_number);
  EXPECT_EQ(*c_number, *t_number);
  EXPECT_NE(*c_number, old_number_);

  // Trust: the held message is delivered and decrypts at the therapist, the
  // kept one is shown, and the contact is still not verified.
  ASSERT_SB_OK(client_->Trust("Dr. Key"));
  contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_FALSE(contact->identity_changed);
  EXPECT_FALSE(contact->sends_held);
  EXPECT_FALSE(contact->verified) << "only verify sets verified";
  history = client_->History("Dr. Key");
  ASSERT_SB_OK(history);
  ASSERT_EQ(CountId(*history, *from_new_key), 1u) << DescribeHistory(*history);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"written under my new key", ""},
                            FindId(*history, *from_new_key)->content));
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

  // Comparing the new safety number and verifying is what makes it verified.
  ASSERT_SB_OK(client_->Verify("Dr. Key"));
  contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_TRUE(contact->verified);
}

TEST_F(KeyChangeTest, ServerSubstitutedKeyIsHeldAndReachesNoNewDevice) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::IdentityKeyPair fake = crypto::IdentityKeyPair::Generate(rng);
  std::optional<crypto::SignedPreKey> fake_spk;
  std::string fake_binding;
  uint32_t added = 0;
  ASSERT_TRUE(server().Stop());
  std::string error;
  ASSERT_TRUE(EditServerStore(
      server().db_dir(),
      [&](rocksdb::DB* db, Cfs& cfs, std::string* why) {
        return RewriteIdentity(db, cfs, therapist_raw_id_, fake, 7, 0, true, &added, &fake_spk,
                               &fake_binding, why);
      },
      &error))
      << error;
  ASSERT_TRUE(server().Start());

  auto sent = client_->SendText("Dr. Key", "must not reach the new device");
  EXPECT_TRUE(HasCode(sent, sc::ErrorCode::kIdentityChanged));
  auto contact = client_->FindContact("Dr. Key");
  ASSERT_SB_OK(contact);
  EXPECT_TRUE(contact->identity_changed) << "the client must notice the changed key";
  EXPECT_FALSE(contact->verified) << "a key the server states ends verification too";
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

// Finding 1's attack, played by a server in the middle: it captures the
// therapist's token as it goes by, fetches the client's device-bound bundle
// (as the therapist may), and stores a first message "from" the therapist's
// device under a key of its own, with a profile renaming the therapist and a
// text. The client keeps the text out of the therapist's conversation, keeps
// the name, and stops calling the therapist verified; trust would be the
// user's decision after comparing safety numbers.
TEST_F(KeyChangeTest, ServerInjectedFirstMessageIsNotShownAsTheTherapists) {
  MitmProxy proxy(server().channel());
  ASSERT_TRUE(proxy.Start());
  auto through_proxy = [&](sc::ClientOptions& o) { o.server_address = proxy.address(); };
  therapist_ = Create(sc::Role::kTherapist, "Dr. Key", through_proxy);
  client_ = Create(sc::Role::kClient, "Pat", through_proxy);
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  auto hello = client_->SendText("Dr. Key", "hello");
  ASSERT_SB_OK(hello);
  ASSERT_SB_OK(therapist_->Sync());  // Sends a delivered receipt: the proxy sees its token.
  std::string therapist_token;
  for (const auto& send : proxy.sends()) {
    if (send.request.recipient_user_id() == crypto::FromHex(client_->user_id()).value()) {
      therapist_token = send.authorization;
    }
  }
  ASSERT_FALSE(therapist_token.empty()) << "the therapist sent nothing through the proxy";
  ASSERT_SB_OK(client_->Sync());
  auto before = client_->History("Dr. Key");
  ASSERT_SB_OK(before);

  // The forged first message: X3DH from the client's real bundle, under the
  // server's own identity key, as the therapist's device 1.
  const std::string therapist_id = crypto::FromHex(therapist_->user_id()).value();
  const std::string client_id = crypto::FromHex(client_->user_id()).value();
  crypto::IdentityKeyPair mallory = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  std::optional<v1::GetPreKeyBundlesResponse> bundles;
  bundles.emplace();
  ASSERT_TRUE(proxy.GetPreKeyBundlesAs(therapist_token, client_id, &*bundles).ok());
  ASSERT_EQ(bundles->devices_size(), 1);
  const crypto::DeviceAddress forged_from{UserIdOf(therapist_id), 1};
  testing::InMemorySessionStore sessions;
  testing::InMemoryPreKeyStore prekeys;
  testing::InMemoryIdentityStore identities(
      crypto::IdentityKeyPair::FromSeed(mallory.ExportSeed().span()).value(),
      UserIdOf(therapist_id));
  crypto::SessionCipher forger(sessions, prekeys, identities, forged_from, crypto::SystemRandom());
  auto forge = [&](const content::v1::Content& content) {
    v1::SendRequest request;
    request.set_recipient_user_id(client_id);
    request.set_client_message_id(crypto::FromHex(RandomHex(16)).value());
    EXPECT_TRUE(
        EncryptToEveryDevice(forger, client_id, *bundles, content.SerializeAsString(), request));
    return proxy.SendAs(therapist_token, request);
  };
  content::v1::Content rename;
  rename.set_message_id(crypto::FromHex(RandomHex(16)).value());
  rename.mutable_profile()->set_display_name("Dr. Key (new number)");
  ASSERT_TRUE(forge(rename).ok());
  content::v1::Content text;
  const std::string forged_id = RandomHex(16);
  text.set_message_id(crypto::FromHex(forged_id).value());
  text.mutable_text()->set_body("please send your check-ins to my new address");
  ASSERT_TRUE(forge(text).ok());

  auto synced = client_->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_TRUE(synced->new_items.empty()) << DescribeHistory(synced->new_items);
  auto after = client_->History("Dr. Key");
  ASSERT_SB_OK(after);
  EXPECT_EQ(CountId(*after, forged_id), 0u) << DescribeHistory(*after);
  EXPECT_EQ(after->size(), before->size()) << DescribeHistory(*after);
  auto contact = client_->FindContact(therapist_->user_id());
  ASSERT_SB_OK(contact);
  EXPECT_EQ(contact->display_name, "Dr. Key") << "a forged profile renamed the therapist";
  EXPECT_FALSE(contact->verified);
  EXPECT_TRUE(contact->identity_changed);
  EXPECT_TRUE(contact->sends_held);
  // The therapist's own messages, under the pinned key, still arrive and are
  // shown as the therapist's.
  auto real = therapist_->SendText("Pat", "the real me");
  ASSERT_SB_OK(real);
  auto got = client_->Sync();
  ASSERT_SB_OK(got);
  ASSERT_EQ(got->new_items.size(), 1u) << DescribeHistory(got->new_items);
  EXPECT_EQ(got->new_items[0].message_id, *real);
}

}  // namespace
}  // namespace securebase::e2e
