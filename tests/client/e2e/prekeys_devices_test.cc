// First contact without one-time prekeys, prekey replenishment, and stale
// device lists (a peer gains a device the sender did not know about; a device
// disappears), against the real server. The peer in the device tests is a
// raw wire-level therapist (the integration harness's TestAccount) that
// decrypts what it receives with securebase_crypto.
#include <rocksdb/db.h>

#include <map>

#include "client/src/invite_code.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret_box.h"
#include "securebase/crypto/session.h"
#include "securebase/v1/content.pb.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::e2e {
namespace {

namespace v1 = ::securebase::v1;
namespace content = ::securebase::content::v1;

crypto::ByteSpan Bytes(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Be32(uint32_t v) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
  return out;
}

// Decrypts envelopes addressed to one device of a raw account, keeping
// sessions per sender device like a real client would.
class RawReceiver {
 public:
  RawReceiver(const it::TestAccount& account, size_t device) : account_(account), device_(device) {}

  // The decrypted Content, or a failure naming the reason.
  ::testing::AssertionResult Decrypt(const v1::Envelope& envelope, content::Content* out) {
    const std::string key = envelope.sender().user_id() + Be32(envelope.sender().device_id());
    crypto::RandomSource& rng = crypto::SystemRandom();
    const crypto::ByteSpan ct = Bytes(envelope.ciphertext());
    auto type = crypto::PeekMessageType(ct);
    if (!type.ok()) return ::testing::AssertionFailure() << "not a message";
    crypto::Result<crypto::SecretBytes> plaintext = crypto::Status::InvalidMessage("none");
    auto existing = sessions_.find(key);
    bool accept = *type == crypto::MessageType::kInitial;
    if (accept && existing != sessions_.end()) {
      auto parsed = crypto::ParseInitialMessage(ct);
      accept = !parsed.ok() || !(existing->second.base_key() == parsed->header.base_key);
    }
    if (accept) {
      auto parsed = crypto::ParseInitialMessage(ct);
      if (!parsed.ok()) return ::testing::AssertionFailure() << "malformed initial message";
      const it::TestDevice& d = account_.device(device_);
      if (parsed->header.signed_prekey_id != d.signed_prekey.id) {
        return ::testing::AssertionFailure() << "unknown signed prekey";
      }
      const crypto::OneTimePreKey* otk = nullptr;
      if (parsed->header.one_time_prekey_id) {
        for (const auto& k : d.one_time_prekeys) {
          if (k.id == *parsed->header.one_time_prekey_id) otk = &k;
        }
        if (otk == nullptr) return ::testing::AssertionFailure() << "unknown one-time prekey";
      }
      auto accepted = crypto::Session::Accept(account_.identity(), d.signed_prekey, otk, ct, rng);
      if (!accepted.ok()) {
        return ::testing::AssertionFailure() << "accept: " << accepted.status().message();
      }
      plaintext = std::move(accepted->plaintext);
      sessions_.erase(key);
      sessions_.emplace(key, std::move(accepted->session));
    } else {
      if (existing == sessions_.end()) return ::testing::AssertionFailure() << "no session";
      plaintext = existing->second.Decrypt(ct, rng);
      if (!plaintext.ok()) {
        return ::testing::AssertionFailure() << "decrypt: " << plaintext.status().message();
      }
    }
    if (!out->ParseFromArray(plaintext->data(), static_cast<int>(plaintext->size()))) {
      return ::testing::AssertionFailure() << "content does not parse";
    }
    return ::testing::AssertionSuccess();
  }

 private:
  const it::TestAccount& account_;
  size_t device_;
  std::map<std::string, crypto::Session> sessions_;
};

class PreKeysDevicesTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    api_ = std::make_shared<it::Api>(server().channel());
  }

  // A raw client account linked to the library therapist by redeeming an
  // invite code the library made.
  std::unique_ptr<it::TestAccount> RawClientOf(sc::Client& therapist) {
    auto raw = it::TestAccount::Create(api_, v1::ROLE_CLIENT, 1);
    if (!raw) return nullptr;
    auto code = therapist.CreateInvite(std::chrono::hours(1));
    if (!code.ok()) {
      ADD_FAILURE() << "invite: " << Describe(code.status());
      return nullptr;
    }
    auto parsed = sc::ParseInviteCode(*code);
    if (!parsed) {
      ADD_FAILURE() << "the library's own invite code does not parse: " << *code;
      return nullptr;
    }
    v1::RedeemInviteRequest request;
    request.set_invite_secret(parsed->invite_secret);
    v1::RedeemInviteResponse response;
    auto ctx = raw->Context();
    grpc::Status s = api_->links->RedeemInvite(ctx.get(), request, &response);
    if (!s.ok()) {
      ADD_FAILURE() << "redeem: " << it::StatusString(s);
      return nullptr;
    }
    return raw;
  }

  // A raw therapist and an invite code for it in the library's format, with
  // a sealed profile naming it.
  std::string InviteFromRawTherapist(it::TestAccount& therapist, const std::string& name) {
    crypto::RandomSource& rng = crypto::SystemRandom();
    crypto::SecretBoxKey key = crypto::SecretBoxKey::Generate(rng);
    content::InviteProfile profile;
    profile.mutable_profile()->set_display_name(name);
    const std::string plain = profile.SerializeAsString();
    auto sealed = crypto::SealBox(key, "invite-profile", Bytes(plain), rng);
    if (!sealed.ok()) {
      ADD_FAILURE() << "seal";
      return "";
    }
    v1::CreateInviteRequest request;
    request.set_expires_in_seconds(3600);
    request.set_sealed_profile(std::string(sealed->begin(), sealed->end()));
    v1::CreateInviteResponse response;
    auto ctx = therapist.Context();
    grpc::Status s = api_->links->CreateInvite(ctx.get(), request, &response);
    if (!s.ok()) {
      ADD_FAILURE() << "create invite: " << it::StatusString(s);
      return "";
    }
    sc::InviteCode code;
    code.invite_secret = response.invite_secret();
    code.profile_key = crypto::SecretBytes::CopyOf(key.bytes());
    code.key_pin = sc::KeyPin(therapist.identity().public_key());
    return sc::FormatInviteCode(code);
  }

  std::shared_ptr<it::Api> api_;
};

std::string Raw(const std::string& hex) { return crypto::FromHex(hex).value_or(""); }

// Messages both ways between two library clients; each side decrypts
// everything exactly once.
void ExpectConversationWorks(sc::Client& therapist, sc::Client& client, const std::string& tag) {
  const std::string therapist_name = therapist.display_name();
  auto a = client.SendText(therapist_name, "hello " + tag);
  ASSERT_SB_OK(a);
  auto synced = therapist.Sync();
  ASSERT_SB_OK(synced);
  ASSERT_EQ(synced->new_items.size(), 1u) << DescribeHistory(synced->new_items);
  EXPECT_EQ(synced->new_items[0].message_id, *a);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"hello " + tag, ""}, synced->new_items[0].content));
  auto contact = therapist.FindContact(client.user_id());
  ASSERT_SB_OK(contact);
  EXPECT_EQ(contact->display_name, client.display_name());
  auto b = therapist.SendText(client.user_id(), "reply " + tag);
  ASSERT_SB_OK(b);
  auto back = client.Sync();
  ASSERT_SB_OK(back);
  ASSERT_EQ(back->new_items.size(), 1u) << DescribeHistory(back->new_items);
  EXPECT_EQ(back->new_items[0].message_id, *b);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"reply " + tag, ""}, back->new_items[0].content));
}

// A therapist that never uploaded a one-time prekey: first contact uses the
// signed prekey alone and works both ways.
TEST_F(PreKeysDevicesTest, FirstContactWithoutAnyOneTimePreKey) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Empty", [](sc::ClientOptions& o) {
    o.prekey_batch = 0;
    o.prekey_low_watermark = 0;
  });
  auto client = Create(sc::Role::kClient, "Kim");
  ASSERT_TRUE(therapist && client);
  // A raw linked account confirms the pool is empty.
  auto raw = RawClientOf(*therapist);
  ASSERT_TRUE(raw);
  v1::GetPreKeyBundlesResponse bundles;
  ASSERT_GRPC_OK(raw->GetPreKeyBundles(Raw(therapist->user_id()), &bundles));
  ASSERT_EQ(bundles.devices_size(), 1);
  EXPECT_FALSE(bundles.devices(0).has_one_time_prekey());

  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  ASSERT_NO_FATAL_FAILURE(ExpectConversationWorks(*therapist, *client, "no-otk"));
}

// A therapist whose one-time prekeys were all handed out (drained by a linked
// raw account): a new client's first contact still works; the therapist's
// next sync replenishes the pool.
TEST_F(PreKeysDevicesTest, FirstContactAfterThePoolWasDrainedThenReplenished) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Drained", [](sc::ClientOptions& o) {
    o.prekey_batch = 3;
    o.prekey_low_watermark = 0;  // No replenishing while we drain.
  });
  auto client = Create(sc::Role::kClient, "Alex");
  ASSERT_TRUE(therapist && client);
  auto raw = RawClientOf(*therapist);
  ASSERT_TRUE(raw);
  int handed_out = 0;
  for (int i = 0; i < 10; ++i) {
    v1::GetPreKeyBundlesResponse bundles;
    ASSERT_GRPC_OK(raw->GetPreKeyBundles(Raw(therapist->user_id()), &bundles));
    ASSERT_EQ(bundles.devices_size(), 1);
    if (!bundles.devices(0).has_one_time_prekey()) break;
    ++handed_out;
  }
  EXPECT_EQ(handed_out, 3) << "each one-time prekey is handed out once";

  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  ASSERT_NO_FATAL_FAILURE(ExpectConversationWorks(*therapist, *client, "drained"));

  // Reopened with the default watermark, a sync tops the pool up again.
  therapist.reset();
  therapist = Reopen("Dr. Drained", [](sc::ClientOptions& o) {
    o.prekey_batch = 5;
    o.prekey_low_watermark = 20;
  });
  ASSERT_TRUE(therapist);
  ASSERT_SB_OK(therapist->Sync());
  v1::GetPreKeyBundlesResponse bundles;
  ASSERT_GRPC_OK(raw->GetPreKeyBundles(Raw(therapist->user_id()), &bundles));
  ASSERT_EQ(bundles.devices_size(), 1);
  EXPECT_TRUE(bundles.devices(0).has_one_time_prekey())
      << "the therapist's sync should have uploaded new one-time prekeys";
  // A second client's first contact then uses a fresh one-time prekey.
  auto second = Create(sc::Role::kClient, "Jo");
  ASSERT_TRUE(second);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *second));
  ASSERT_NO_FATAL_FAILURE(ExpectConversationWorks(*therapist, *second, "replenished"));
}

// The peer gains a device the sender does not know: the server answers with
// a device mismatch, the library fetches the new device's bundle, retries,
// and both devices receive a ciphertext they can decrypt. Then a device
// disappears (removed from the server's store): the stale device is dropped
// and the send goes through to the remaining one.
TEST_F(PreKeysDevicesTest, StaleDeviceListsAreRepaired) {
  auto raw = it::TestAccount::Create(api_, v1::ROLE_THERAPIST, 5);
  ASSERT_TRUE(raw);
  const std::string code = InviteFromRawTherapist(*raw, "Dr. Raw");
  ASSERT_FALSE(code.empty());
  auto client = Create(sc::Role::kClient, "Lee");
  ASSERT_TRUE(client);
  auto contact = client->AcceptInvite(code);
  ASSERT_SB_OK(contact);
  EXPECT_EQ(contact->display_name, "Dr. Raw");
  EXPECT_TRUE(contact->verified);

  // Device 0 got the client's profile (first contact).
  RawReceiver first(*raw, 0);
  std::vector<v1::Envelope> envelopes;
  ASSERT_GRPC_OK(raw->FetchAll(0, 0, &envelopes));
  ASSERT_EQ(envelopes.size(), 1u);
  content::Content profile;
  ASSERT_TRUE(first.Decrypt(envelopes[0], &profile));
  EXPECT_TRUE(profile.has_profile());
  EXPECT_EQ(profile.profile().display_name(), "Lee");
  ASSERT_GRPC_OK(raw->Acknowledge(0, envelopes.back().seq()));

  // A second device appears.
  size_t second_index = 0;
  ASSERT_GRPC_OK(raw->AddDevice(5, &second_index));
  RawReceiver second(*raw, second_index);
  auto id = client->SendText("Dr. Raw", "to every device");
  ASSERT_SB_OK(id) << "the send must be retried after the device-mismatch answer";
  for (auto [receiver, index] : {std::pair{&first, size_t{0}}, std::pair{&second, second_index}}) {
    SCOPED_TRACE("device index " + std::to_string(index));
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(raw->FetchAll(index, 0, &got));
    ASSERT_EQ(got.size(), 1u) << "exactly one copy per device";
    content::Content text;
    ASSERT_TRUE(receiver->Decrypt(got[0], &text));
    ASSERT_TRUE(text.has_text());
    EXPECT_EQ(text.text().body(), "to every device");
    EXPECT_EQ(crypto::ToHex(text.message_id()), *id);
    ASSERT_GRPC_OK(raw->Acknowledge(index, got.back().seq()));
  }
  auto history = client->History("Dr. Raw");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->size(), 1u) << DescribeHistory(*history);
  EXPECT_EQ(history->at(0).state, sc::DeliveryState::kSent);

  // The second device disappears from the server (store edited while it is
  // stopped; the API has no device removal).
  const uint32_t removed = raw->device_id(second_index);
  ASSERT_TRUE(server().Stop());
  std::string error;
  ASSERT_TRUE(EditServerStore(
      server().db_dir(),
      [&](rocksdb::DB* db, std::map<std::string, rocksdb::ColumnFamilyHandle*>& cfs,
          std::string* why) {
        if (!cfs.count("devices")) {
          *why = "no devices column family";
          return false;
        }
        const std::string key = raw->user_id() + Be32(removed);
        std::string value;
        if (!db->Get(rocksdb::ReadOptions(), cfs["devices"], key, &value).ok()) {
          *why = "the device record is not where keys.h says";
          return false;
        }
        return db->Delete(rocksdb::WriteOptions(), cfs["devices"], key).ok();
      },
      &error))
      << error;
  ASSERT_TRUE(server().Start());

  auto after = client->SendText("Dr. Raw", "after the removal");
  ASSERT_SB_OK(after) << "a stale device must be dropped and the send retried";
  auto again = client->SendText("Dr. Raw", "and once more");
  ASSERT_SB_OK(again);
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(raw->Login(0));
  ASSERT_GRPC_OK(raw->FetchAll(0, 0, &got));
  ASSERT_EQ(got.size(), 2u);
  std::vector<std::string> bodies;
  for (const auto& envelope : got) {
    content::Content text;
    ASSERT_TRUE(first.Decrypt(envelope, &text));
    bodies.push_back(text.text().body());
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"after the removal", "and once more"}));
  history = client->History("Dr. Raw");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->size(), 3u) << DescribeHistory(*history);
  for (const auto& item : *history) EXPECT_EQ(item.state, sc::DeliveryState::kSent);

  // Nothing was queued for the removed device.
  ASSERT_TRUE(server().Stop());
  std::string dump;
  ASSERT_TRUE(DumpServerStore(server().db_dir(), &dump, &error)) << error;
  const std::string mailbox = std::string(1, '\x01') + raw->user_id() + Be32(removed);
  EXPECT_EQ(dump.find(std::string("mailboxes") + '\0' + mailbox), std::string::npos)
      << "an envelope was stored for the removed device";
}

}  // namespace
}  // namespace securebase::e2e
