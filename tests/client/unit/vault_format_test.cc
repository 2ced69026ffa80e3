// Vaults written by earlier versions keep opening. The only vault record
// whose layout changed since e8ce7d0 is a device's sessions: that version kept
// "session/<user hex>/<device>" (the current session) and ".../previous",
// each a bare Session state; now one "sessions/..." record holds a
// SessionRecord. These tests write the old layout exactly as e8ce7d0's
// SessionName()/DeleteSessions() did, then check the store reads it,
// migrates it on the first change, and that a conversation carries on.
#include <gtest/gtest.h>

#include "client/src/device_address.h"
#include "client/src/session_store.h"
#include "client/src/stores.h"
#include "client/src/vault.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session.h"
#include "tests/client/unit/fake_server_fixture.h"

namespace securebase::client::testing {
namespace {

using crypto::AsStringView;

// e8ce7d0's record names (client_open.cc: SessionName, DeleteSessions).
std::string OldSessionName(std::string_view user_id, uint32_t device_id) {
  return "session/" + crypto::ToHex(user_id) + "/" + std::to_string(device_id);
}

class VaultFormatTest : public FakeServerTest {};

// Two sessions with the same peer device (as after simultaneous first
// contact), written in the old layout.
TEST_F(VaultFormatTest, OldSessionLayoutIsReadAndMigratedOnTheFirstChange) {
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::IdentityKeyPair alice = crypto::IdentityKeyPair::Generate(rng);
  crypto::IdentityKeyPair bob = crypto::IdentityKeyPair::Generate(rng);
  crypto::SignedPreKey bob_spk = crypto::SignedPreKey::Generate(bob, 1, rng);
  crypto::Session current =
      crypto::Session::Initiate(alice, crypto::MakePreKeyBundle(bob, bob_spk, nullptr), rng)
          .value();
  crypto::Session previous =
      crypto::Session::Initiate(alice, crypto::MakePreKeyBundle(bob, bob_spk, nullptr), rng)
          .value();
  const crypto::DhPublicKey current_base = current.base_key(), previous_base = previous.base_key();
  const std::string bob_user(16, 'b');
  const crypto::DeviceAddress bob_device = AddressOf(bob_user, 3).value();

  auto vault = Vault::Create(temp_.path() + "/v", kPassphrase, PassphraseCost::kMinimumForTests,
                             std::chrono::seconds(5));
  ASSERT_TRUE(vault.ok()) << Describe(vault.status());
  ASSERT_TRUE((*vault)
                  ->Transact([&](VaultTransaction& txn) {
                    txn.Put(OldSessionName(bob_user, 3), current.Serialize().span());
                    txn.Put(OldSessionName(bob_user, 3) + "/previous", previous.Serialize().span());
                    return Status::Ok();
                  })
                  .ok());

  // Read: both sessions, in their order.
  ASSERT_TRUE((*vault)
                  ->Transact([&](VaultTransaction& txn) -> Status {
                    StoreErrors errors;
                    VaultSessionStore store(txn, errors);
                    auto loaded = store.LoadSession(bob_device);
                    EXPECT_TRUE(loaded.ok() && loaded->has_value());
                    if (!loaded.ok() || !loaded->has_value()) return Status::Ok();
                    EXPECT_EQ((*loaded)->current().base_key(), current_base);
                    EXPECT_EQ((*loaded)->previous_count(), 1u);
                    EXPECT_EQ((*loaded)->previous(0).base_key(), previous_base);
                    store.ReleaseSession(bob_device, std::move(**loaded));
                    store.Flush();  // Unchanged: nothing written.
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE((*vault)
                  ->Transact([&](VaultTransaction& txn) -> Status {
                    EXPECT_TRUE(txn.Get(OldSessionName(bob_user, 3)).value().has_value())
                        << "a read alone does not migrate";
                    // A change: stored in the new layout, the old records go.
                    StoreErrors errors;
                    VaultSessionStore store(txn, errors);
                    auto loaded = store.LoadSession(bob_device);
                    EXPECT_TRUE(loaded.ok() && loaded->has_value());
                    if (!loaded.ok() || !loaded->has_value()) return Status::Ok();
                    EXPECT_TRUE(store.StoreSession(bob_device, std::move(**loaded)).ok());
                    store.Flush();
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE((*vault)
                  ->Transact([&](VaultTransaction& txn) -> Status {
                    EXPECT_FALSE(txn.Get(OldSessionName(bob_user, 3)).value().has_value());
                    EXPECT_FALSE(
                        txn.Get(OldSessionName(bob_user, 3) + "/previous").value().has_value());
                    auto blob = txn.Get("sessions/" + crypto::ToHex(bob_user) + "/3").value();
                    EXPECT_TRUE(blob.has_value());
                    if (!blob) return Status::Ok();
                    EXPECT_EQ(blob->span()[0], crypto::kSessionRecordVersion);
                    auto record = crypto::SessionRecord::Deserialize(blob->span());
                    EXPECT_TRUE(record.ok());
                    if (!record.ok()) return Status::Ok();
                    EXPECT_EQ(record->current().base_key(), current_base);
                    EXPECT_EQ(record->previous(0).base_key(), previous_base);
                    return Status::Ok();
                  })
                  .ok());
}

TEST_F(VaultFormatTest, DamagedOldSessionIsAVaultCorruptedError) {
  auto vault = Vault::Create(temp_.path() + "/v", kPassphrase, PassphraseCost::kMinimumForTests,
                             std::chrono::seconds(5));
  ASSERT_TRUE(vault.ok());
  const std::string user(16, 'u');
  ASSERT_TRUE((*vault)
                  ->Transact([&](VaultTransaction& txn) {
                    txn.Put(OldSessionName(user, 1), crypto::AsBytes("not a session"));
                    return Status::Ok();
                  })
                  .ok());
  Status read = (*vault)->Transact([&](VaultTransaction& txn) -> Status {
    StoreErrors errors;
    VaultSessionStore store(txn, errors);
    auto loaded = store.LoadSession(AddressOf(user, 1).value());
    if (loaded.ok()) return Status::Ok();
    return errors.FromCipher(loaded.status());
  });
  EXPECT_EQ(read.code(), ErrorCode::kVaultCorrupted);
}

// A whole client whose sessions are in the old layout (as e8ce7d0 left
// them) reopens, decrypts what its peer sends on those sessions, and answers.
TEST_F(VaultFormatTest, ClientWithOldLayoutSessionsCarriesOnBothWays) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  ASSERT_TRUE(therapist->SendText("C", "hello").ok());
  ASSERT_TRUE(client->Sync().ok());
  ASSERT_TRUE(client->SendText("T", "hi").ok());
  ASSERT_TRUE(therapist->Sync().ok());
  const std::string therapist_id = Raw(therapist->user_id());
  client.reset();

  // Rewrite the client's sessions with the therapist into the old layout.
  {
    auto vault = Vault::Open(temp_.path() + "/C", kPassphrase, std::chrono::seconds(5));
    ASSERT_TRUE(vault.ok()) << Describe(vault.status());
    int rewritten = 0;
    ASSERT_TRUE((*vault)
                    ->Transact([&](VaultTransaction& txn) -> Status {
                      const std::string name = "sessions/" + crypto::ToHex(therapist_id) + "/1";
                      auto blob = txn.Get(name);
                      if (!blob.ok() || !*blob) return Status(ErrorCode::kNotFound, name);
                      auto record = crypto::SessionRecord::Deserialize((*blob)->span());
                      if (!record.ok()) return Status(ErrorCode::kVaultCorrupted, "record");
                      txn.Put(OldSessionName(therapist_id, 1),
                              record->current().Serialize().span());
                      if (record->previous_count() > 0) {
                        txn.Put(OldSessionName(therapist_id, 1) + "/previous",
                                record->previous(0).Serialize().span());
                      }
                      txn.Delete(name);
                      ++rewritten;
                      return Status::Ok();
                    })
                    .ok());
    ASSERT_EQ(rewritten, 1);
  }

  client = Reopen("C");
  ASSERT_TRUE(client);
  ASSERT_TRUE(therapist->SendText("C", "on the old session").ok());
  auto synced = client->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  ASSERT_EQ(synced->new_items.size(), 1u);
  const auto* text = std::get_if<TextMessage>(&synced->new_items[0].content);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->body, "on the old session");
  ASSERT_TRUE(client->SendText("T", "and back").ok());
  auto back = therapist->Sync();
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->new_items.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<TextMessage>(back->new_items[0].content));
}

}  // namespace
}  // namespace securebase::client::testing
