// Every Store operation of the RocksDB implementation, single-threaded.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>

#include "server/src/store/keys.h"
#include "tests/server/unit/store_fixture.h"

namespace securebase::server::testing {
namespace {

TEST_F(StoreTest, CreateAccountAndReadBack) {
  v1::AccountRecord account = MakeAccount('u', v1::ROLE_CLIENT, 3);
  EXPECT_EQ(account.role(), v1::ROLE_CLIENT);
  EXPECT_EQ(account.next_device_id(), 2u);
  EXPECT_EQ(account.created_at_unix_ms(), clock_.NowUnixMs());
  auto device = store_->GetDevice(Id('u'), 1);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->signed_prekey().key_id(), 7u);
  EXPECT_EQ(store_->CountPreKeys({Id('u'), 1}).value(), 3u);
  EXPECT_EQ(store_->ListDevices(Id('u'))->size(), 1u);
  EXPECT_TRUE(HasAudit("register"));
  EXPECT_TRUE(store_->GetAccount(Id('x')).status().IsNotFound());
  EXPECT_TRUE(store_->GetDevice(Id('u'), 2).status().IsNotFound());
}

TEST_F(StoreTest, DuplicateIdentityKeyIsRefused) {
  MakeAccount('u', v1::ROLE_CLIENT);
  v1::AccountRecord again;
  again.set_user_id(Id('v'));
  again.set_role(v1::ROLE_CLIENT);
  again.set_identity_key(std::string(32, 'u'));
  Status status = store_->CreateAccount(again, DeviceKeys(0), std::nullopt);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_->GetAccount(Id('v')).status().IsNotFound());
}

TEST_F(StoreTest, RegistrationTokenIsSingleUseAndExpires) {
  v1::RegistrationTokenRecord token;
  token.set_expires_at_unix_ms(clock_.NowUnixMs() + 1000);
  const std::string hash(32, 'T');
  ASSERT_TRUE(store_->CreateRegistrationToken(hash, token).ok());
  v1::AccountRecord therapist;
  therapist.set_user_id(Id('t'));
  therapist.set_role(v1::ROLE_THERAPIST);
  therapist.set_identity_key(std::string(32, 't'));
  EXPECT_EQ(store_->CreateAccount(therapist, DeviceKeys(0), std::string(32, 'X')).code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(store_->CreateAccount(therapist, DeviceKeys(0), hash).ok());
  therapist.set_user_id(Id('w'));
  therapist.set_identity_key(std::string(32, 'w'));
  EXPECT_EQ(store_->CreateAccount(therapist, DeviceKeys(0), hash).code(),
            StatusCode::kPermissionDenied);  // Used.

  const std::string hash2(32, 'U');
  ASSERT_TRUE(store_->CreateRegistrationToken(hash2, token).ok());
  clock_.AdvanceMs(1000);
  EXPECT_EQ(store_->CreateAccount(therapist, DeviceKeys(0), hash2).code(),
            StatusCode::kPermissionDenied);  // Expired.
}

TEST_F(StoreTest, AddDeviceNumbersAndLimits) {
  MakeAccount('u', v1::ROLE_CLIENT);
  EXPECT_EQ(store_->AddDevice(Id('u'), DeviceKeys(2), 3).value(), 2u);
  EXPECT_EQ(store_->AddDevice(Id('u'), DeviceKeys(0), 3).value(), 3u);
  EXPECT_EQ(store_->AddDevice(Id('u'), DeviceKeys(0), 3).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->ListDevices(Id('u'))->size(), 3u);
  EXPECT_EQ(store_->CountPreKeys({Id('u'), 2}).value(), 2u);
  EXPECT_TRUE(store_->AddDevice(Id('x'), DeviceKeys(0), 3).status().IsNotFound());
  EXPECT_TRUE(HasAudit("device_added"));
}

TEST_F(StoreTest, AddDeviceTakesTheBindingsIdOnlyIfNeverUsed) {
  MakeAccount('u', v1::ROLE_CLIENT);
  NewDeviceKeys keys = DeviceKeys(0);
  keys.device_id = 4;  // Ahead of the next id (2): allowed, ids 2-3 are skipped for good.
  keys.device_binding = "binding-record";
  EXPECT_EQ(store_->AddDevice(Id('u'), keys, 8).value(), 4u);
  EXPECT_EQ(store_->GetDevice(Id('u'), 4)->device_binding(), "binding-record");
  for (uint32_t used : {1u, 2u, 3u, 4u}) {
    keys.device_id = used;
    EXPECT_EQ(store_->AddDevice(Id('u'), keys, 8).status().code(),
              StatusCode::kFailedPrecondition)
        << used;
  }
  keys.device_id = 5 + kMaxDeviceIdAhead;  // Too far ahead.
  EXPECT_EQ(store_->AddDevice(Id('u'), keys, 8).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ListDevices(Id('u'))->size(), 2u);
}

TEST_F(StoreTest, RemoveDeviceDropsEverythingItHeldAtOnce) {
  MakeAccount('u', v1::ROLE_CLIENT);
  ASSERT_EQ(store_->AddDevice(Id('u'), DeviceKeys(3), 8).value(), 2u);
  const MailboxAddress removed{Id('u'), 2}, kept{Id('u'), 1};
  ASSERT_TRUE(store_->AppendEnvelopes({Id('u'), 1}, std::string(16, 'm'),
                                      {{removed, "to-removed"}, {kept, "to-kept"}}, 1)
                  .ok());
  v1::TokenRecord token;
  token.set_user_id(Id('u'));
  token.set_device_id(2);
  token.set_expires_at_unix_ms(clock_.NowUnixMs() + 60000);
  ASSERT_TRUE(store_->CreateSessionToken(std::string(32, 'T'), token, 10).ok());

  ASSERT_TRUE(store_->RemoveDevice(Id('u'), 2).ok());
  EXPECT_TRUE(store_->GetDevice(Id('u'), 2).status().IsNotFound());
  EXPECT_EQ(store_->CountPreKeys(removed).value(), 0u);
  EXPECT_TRUE(store_->ReadMailbox(removed, 0, 100, 1 << 20)->envelopes.empty());
  EXPECT_EQ(store_->ReadMailbox(kept, 0, 100, 1 << 20)->envelopes.size(), 1u) << "others keep theirs";
  auto kept_token = store_->GetSessionToken(std::string(32, 'T'));
  ASSERT_TRUE(kept_token.ok()) << "kept to answer clearly until it expires";
  EXPECT_TRUE(kept_token->device_removed());
  EXPECT_TRUE(HasAudit("device_removed"));
  EXPECT_TRUE(store_->RemoveDevice(Id('u'), 2).IsNotFound());
  // Its id is never used again.
  EXPECT_EQ(store_->AddDevice(Id('u'), DeviceKeys(0), 8).value(), 3u);
}

TEST_F(StoreTest, SessionTokens) {
  v1::TokenRecord token;
  token.set_user_id(Id('u'));
  token.set_device_id(1);
  token.set_expires_at_unix_ms(5);
  const std::string hash(32, 'h');
  ASSERT_TRUE(store_->CreateSessionToken(hash, token, /*max_per_device=*/10).ok());
  EXPECT_EQ(store_->GetSessionToken(hash)->device_id(), 1u);
  ASSERT_TRUE(store_->RevokeSessionToken(hash).ok());
  EXPECT_TRUE(store_->GetSessionToken(hash).status().IsNotFound());
  EXPECT_TRUE(store_->RevokeSessionToken(hash).IsNotFound());
  EXPECT_TRUE(HasAudit("login_ok"));
  EXPECT_TRUE(HasAudit("token_revoked"));
}

// Logins within one millisecond: the limit still revokes the oldest, never
// the newest (the index once tied them and ordered them by random hash).
TEST_F(StoreTest, TokensOfOneMillisecondAreRevokedInLoginOrder) {
  // Hashes that sort in the opposite order of the logins.
  auto token_hash = [](int i) { return std::string(31, 't') + static_cast<char>(100 - i); };
  v1::TokenRecord token;
  token.set_user_id(Id('u'));
  token.set_device_id(1);
  token.set_created_at_unix_ms(clock_.NowUnixMs());
  token.set_expires_at_unix_ms(clock_.NowUnixMs() + 86'400'000);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(store_->CreateSessionToken(token_hash(i), token, /*max_per_device=*/3).ok());
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(store_->GetSessionToken(token_hash(i)).status().IsNotFound()) << i;
  }
  for (int i = 3; i < 6; ++i) {
    auto kept = store_->GetSessionToken(token_hash(i));
    ASSERT_TRUE(kept.ok()) << i;
    EXPECT_LE(kept->created_at_unix_ms() - clock_.NowUnixMs(), 6) << "moved by a few ms at most";
  }
  // Revoking finds the moved index entry: nothing is left behind.
  for (int i = 3; i < 6; ++i) ASSERT_TRUE(store_->RevokeSessionToken(token_hash(i)).ok()) << i;
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  for (const auto& [kind, count] : stats->counts) {
    if (kind == "device_tokens") {
      EXPECT_EQ(count, 0u);
    }
  }
}

// Hardening finding 6: one account minted 1,020 tokens a second, each kept
// until it expired. A device holds at most max_per_device live tokens; a new
// login revokes the oldest, and expired ones go at the next login.
TEST_F(StoreTest, ADeviceHoldsAtMostMaxTokens) {
  auto token_hash = [](int i) { return std::string(31, 't') + static_cast<char>(i); };
  v1::TokenRecord token;
  token.set_user_id(Id('u'));
  token.set_device_id(1);
  for (int i = 0; i < 8; ++i) {
    token.set_created_at_unix_ms(clock_.NowUnixMs());
    token.set_expires_at_unix_ms(clock_.NowUnixMs() + 86'400'000);
    ASSERT_TRUE(store_->CreateSessionToken(token_hash(i), token, /*max_per_device=*/3).ok());
    clock_.AdvanceMs(1);
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(store_->GetSessionToken(token_hash(i)).status().IsNotFound()) << i;
  }
  for (int i = 5; i < 8; ++i) EXPECT_TRUE(store_->GetSessionToken(token_hash(i)).ok()) << i;
  int limit_revocations = 0;
  for (const auto& record : AuditEvents()) {
    if (record.event() == "token_revoked" && record.detail() == "reason=limit") ++limit_revocations;
  }
  EXPECT_EQ(limit_revocations, 5);
  // Another device of the account has its own allowance.
  token.set_device_id(2);
  ASSERT_TRUE(store_->CreateSessionToken(token_hash(100), token, 3).ok());
  EXPECT_TRUE(store_->GetSessionToken(token_hash(7)).ok());
  // Revoked and expired tokens leave room.
  ASSERT_TRUE(store_->RevokeSessionToken(token_hash(7)).ok());
  clock_.AdvanceMs(86'400'000);
  token.set_device_id(1);
  for (int i = 8; i < 11; ++i) {
    token.set_created_at_unix_ms(clock_.NowUnixMs());
    token.set_expires_at_unix_ms(clock_.NowUnixMs() + 86'400'000);
    ASSERT_TRUE(store_->CreateSessionToken(token_hash(i), token, 3).ok());
  }
  for (int i = 8; i < 11; ++i) EXPECT_TRUE(store_->GetSessionToken(token_hash(i)).ok()) << i;
  EXPECT_TRUE(store_->GetSessionToken(token_hash(5)).status().IsNotFound()) << "expired, dropped";
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  bool counted = false;
  for (const auto& [kind, count] : stats->counts) {
    if (kind != "device_tokens") continue;
    counted = true;
    EXPECT_EQ(count, 4u) << "3 of device 1, 1 of device 2";
  }
  EXPECT_TRUE(counted);
}

TEST_F(StoreTest, UploadPreKeys) {
  MakeAccount('u', v1::ROLE_CLIENT, 2);
  MailboxAddress device{Id('u'), 1};
  auto more = DeviceKeys(3, 10).one_time_prekeys;
  EXPECT_EQ(store_->UploadPreKeys(device, std::nullopt, more, 5).value(), 5u);
  // Already in the pool.
  EXPECT_EQ(store_->UploadPreKeys(device, std::nullopt, DeviceKeys(1, 10).one_time_prekeys, 100)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // Over the pool maximum: nothing stored.
  EXPECT_EQ(store_->UploadPreKeys(device, std::nullopt, DeviceKeys(1, 50).one_time_prekeys, 5)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->CountPreKeys(device).value(), 5u);
  v1::SignedPreKey replacement;
  replacement.set_key_id(99);
  replacement.set_public_key(std::string(32, 'r'));
  replacement.set_signature(std::string(64, 'R'));
  EXPECT_EQ(store_->UploadPreKeys(device, replacement, {}, 5).value(), 5u);
  EXPECT_EQ(store_->GetDevice(Id('u'), 1)->signed_prekey().key_id(), 99u);
  EXPECT_TRUE(store_->UploadPreKeys({Id('u'), 9}, std::nullopt, more, 5).status().IsNotFound());
  EXPECT_TRUE(HasAudit("prekeys_uploaded"));
}

TEST_F(StoreTest, ClaimHandsOutLowestIdOnceAndAuditsExhaustion) {
  MakeAccount('u', v1::ROLE_CLIENT, 2);
  ASSERT_TRUE(store_->AddDevice(Id('u'), DeviceKeys(0), 8).ok());
  auto first = store_->ClaimPreKeyBundles(Id('u'));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->devices.size(), 2u);
  EXPECT_EQ(first->account.identity_key(), std::string(32, 'u'));
  ASSERT_TRUE(first->devices[0].one_time_prekey.has_value());
  EXPECT_EQ(first->devices[0].one_time_prekey->key_id(), 1u);
  EXPECT_FALSE(first->devices[1].one_time_prekey.has_value());  // Empty pool still answers.
  EXPECT_EQ(first->devices[1].signed_prekey.key_id(), 7u);
  EXPECT_FALSE(HasAudit("prekeys_exhausted"));
  auto second = store_->ClaimPreKeyBundles(Id('u'));
  EXPECT_EQ(second->devices[0].one_time_prekey->key_id(), 2u);
  EXPECT_TRUE(HasAudit("prekeys_exhausted"));
  auto third = store_->ClaimPreKeyBundles(Id('u'));
  EXPECT_FALSE(third->devices[0].one_time_prekey.has_value());
  EXPECT_TRUE(store_->ClaimPreKeyBundles(Id('x')).status().IsNotFound());
}

TEST_F(StoreTest, InviteRedeemLinkAndEnd) {
  v1::AccountRecord therapist = MakeAccount('t', v1::ROLE_THERAPIST);
  v1::AccountRecord client = MakeAccount('c', v1::ROLE_CLIENT);
  v1::InviteRecord invite;
  invite.set_therapist_user_id(Id('t'));
  invite.set_expires_at_unix_ms(clock_.NowUnixMs() + 10'000);
  invite.set_sealed_profile("sealed");
  const std::string hash(32, 'i');
  ASSERT_TRUE(store_->CreateInvite(hash, invite, 5).ok());

  auto redeemed = store_->RedeemInvite(hash, client);
  ASSERT_TRUE(redeemed.ok()) << redeemed.status().ToString();
  EXPECT_EQ(redeemed->sealed_profile, "sealed");
  EXPECT_EQ(redeemed->link.peer_user_id(), Id('t'));
  EXPECT_EQ(redeemed->link.peer_role(), v1::ROLE_THERAPIST);
  EXPECT_TRUE(store_->RedeemInvite(hash, client).status().IsNotFound());  // Used.
  EXPECT_TRUE(store_->GetLink(Id('c'), Id('t')).ok());
  EXPECT_EQ(store_->GetLink(Id('t'), Id('c'))->peer_role(), v1::ROLE_CLIENT);
  EXPECT_EQ(store_->ListLinks(Id('t'))->size(), 1u);

  // A second invite while linked: refused, and the invite stays.
  const std::string hash2(32, 'j');
  ASSERT_TRUE(store_->CreateInvite(hash2, invite, 5).ok());
  EXPECT_EQ(store_->RedeemInvite(hash2, client).status().code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(store_->EndLink(Id('t'), Id('c')).ok());
  EXPECT_TRUE(store_->GetLink(Id('c'), Id('t')).status().IsNotFound());
  EXPECT_TRUE(store_->EndLink(Id('c'), Id('t')).IsNotFound());
  EXPECT_TRUE(store_->RedeemInvite(hash2, client).ok());  // Re-linking works.
  for (const char* event : {"invite_created", "invite_redeemed", "link_ended"}) {
    EXPECT_TRUE(HasAudit(event)) << event;
  }
}

TEST_F(StoreTest, ExpiredInviteIsNotFoundAndOutstandingLimitCountsLiveOnes) {
  MakeAccount('t', v1::ROLE_THERAPIST);
  v1::AccountRecord client = MakeAccount('c', v1::ROLE_CLIENT);
  v1::InviteRecord invite;
  invite.set_therapist_user_id(Id('t'));
  invite.set_expires_at_unix_ms(clock_.NowUnixMs() + 1000);
  ASSERT_TRUE(store_->CreateInvite(std::string(32, '1'), invite, 2).ok());
  ASSERT_TRUE(store_->CreateInvite(std::string(32, '2'), invite, 2).ok());
  EXPECT_EQ(store_->CreateInvite(std::string(32, '3'), invite, 2).code(),
            StatusCode::kResourceExhausted);
  clock_.AdvanceMs(1000);
  EXPECT_TRUE(store_->RedeemInvite(std::string(32, '1'), client).status().IsNotFound());
  invite.set_expires_at_unix_ms(clock_.NowUnixMs() + 1000);
  EXPECT_TRUE(store_->CreateInvite(std::string(32, '3'), invite, 2).ok());
}

std::vector<OutgoingEnvelope> To(std::initializer_list<MailboxAddress> recipients,
                                 const std::string& ciphertext = "ct") {
  std::vector<OutgoingEnvelope> out;
  for (const auto& recipient : recipients) out.push_back({recipient, ciphertext});
  return out;
}

TEST_F(StoreTest, AppendIsAtomicAcrossMailboxesAndSequencedPerMailbox) {
  MailboxAddress a{Id('a'), 1}, b{Id('b'), 1}, b2{Id('b'), 2};
  MailboxAddress sender{Id('s'), 1};
  auto first = store_->AppendEnvelopes(sender, std::string(16, '1'), To({a, b, b2}), 1000);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  ASSERT_EQ(first->assigned.size(), 3u);
  for (const auto& [mailbox, seq] : first->assigned) EXPECT_EQ(seq, 1u);
  auto second = store_->AppendEnvelopes(sender, std::string(16, '2'), To({b}), 1001);
  EXPECT_EQ(second->assigned[0].second, 2u);

  auto page = store_->ReadMailbox(b, 0, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->envelopes.size(), 2u);
  EXPECT_EQ(page->envelopes[0].seq, 1u);
  EXPECT_EQ(page->envelopes[1].seq, 2u);
  EXPECT_EQ(page->envelopes[0].record.sender().user_id(), Id('s'));
  EXPECT_EQ(page->envelopes[1].record.server_timestamp_unix_ms(), 1001);
  EXPECT_FALSE(page->more);
  EXPECT_EQ(store_->ReadMailbox(a, 0, 100, 1 << 20)->envelopes.size(), 1u);
  EXPECT_EQ(store_->ReadMailbox(b2, 0, 100, 1 << 20)->envelopes.size(), 1u);
}

// Hardening finding 5: what a mailbox holds is counted as it changes (no
// scan), and a send that would take a mailbox over its quota stores nothing.
TEST_F(StoreTest, MailboxUsageAndQuota) {
  MailboxAddress a{Id('a'), 1}, b{Id('b'), 1};
  MailboxAddress sender{Id('s'), 1};
  const std::string ciphertext(1000, 'c');
  auto id = [](int i) { return std::string(15, 'q') + static_cast<char>(i); };
  const MailboxQuota quota{/*max_envelopes=*/3, /*max_bytes=*/0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->AppendEnvelopes(sender, id(i), To({a, b}, ciphertext), 1000, quota).ok());
  }
  auto usage = store_->GetMailboxUsage(a);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->envelopes, 3);
  EXPECT_GT(usage->bytes, 3000);
  EXPECT_LT(usage->bytes, 3300) << "ciphertext plus a small record each";
  // Over the quota: nothing stored, for either mailbox (all or none).
  auto refused = store_->AppendEnvelopes(sender, id(3), To({a, b}, ciphertext), 1000, quota);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->ReadMailbox(b, 0, 100, 1 << 20)->envelopes.size(), 3u);
  EXPECT_FALSE(store_->FindIdempotent(sender, id(3), To({a, b}, ciphertext))->has_value());
  // Acknowledging makes room; a byte quota counts too.
  ASSERT_EQ(*store_->DeleteEnvelopes(a, 0, 2), 2u);
  EXPECT_EQ(store_->GetMailboxUsage(a)->envelopes, 1);
  ASSERT_EQ(*store_->DeleteEnvelopes(b, 0, 2), 2u);
  EXPECT_TRUE(store_->AppendEnvelopes(sender, id(4), To({a, b}, ciphertext), 1000, quota).ok());
  EXPECT_EQ(store_
                ->AppendEnvelopes(sender, id(5), To({a}, ciphertext), 1000,
                                  MailboxQuota{0, /*max_bytes=*/2500})
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  // Deleting what is already gone subtracts nothing.
  EXPECT_EQ(*store_->DeleteEnvelopes(a, 0, 2), 0u);
  EXPECT_EQ(store_->GetMailboxUsage(a)->envelopes, 2);
  // The retention sweep subtracts what it deletes.
  clock_.AdvanceMs(10'000);
  auto swept = store_->Sweep(/*retention_ms=*/1000, /*audit_retention_ms=*/86'400'000);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->envelopes, 4u);
  EXPECT_EQ(*store_->GetMailboxUsage(a), MailboxUsage{});
  EXPECT_EQ(*store_->GetMailboxUsage(b), MailboxUsage{});
}

// A database from before usage records gets them counted once, at open.
TEST_F(StoreTest, UsageRecordsAreBuiltForAnOlderDatabase) {
  MailboxAddress a{Id('a'), 1}, b{Id('b'), 7};
  MailboxAddress sender{Id('s'), 1};
  for (int i = 0; i < 4; ++i) {
    std::string id(16, 'o');
    id[0] = static_cast<char>(i);
    ASSERT_TRUE(store_
                    ->AppendEnvelopes(sender, id,
                                      To(i < 3 ? std::initializer_list<MailboxAddress>{a, b}
                                               : std::initializer_list<MailboxAddress>{b},
                                         std::string(500, 'x')),
                                      1000)
                    .ok());
  }
  const MailboxUsage a_usage = *store_->GetMailboxUsage(a);
  const MailboxUsage b_usage = *store_->GetMailboxUsage(b);
  EXPECT_EQ(a_usage.envelopes, 3);
  EXPECT_EQ(b_usage.envelopes, 4);
  // Make it an older database: no usage records, no marker.
  store_.reset();
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : kColumnFamilyNames)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path() + "/db", families, &handles, &raw)
            .ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    // Before usage records there was no such column family: emptying it is
    // the same.
    auto* usage = handles[static_cast<size_t>(Cf::kMailboxUsage)];
    auto* meta = handles[static_cast<size_t>(Cf::kMeta)];
    ASSERT_TRUE(db->Delete({}, usage, keys::MailboxUsage(a.user_id, a.device_id)).ok());
    ASSERT_TRUE(db->Delete({}, usage, keys::MailboxUsage(b.user_id, b.device_id)).ok());
    ASSERT_TRUE(db->Delete({}, meta, "mailbox_usage").ok());
    for (auto* handle : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  Reopen();
  EXPECT_EQ(*store_->GetMailboxUsage(a), a_usage);
  EXPECT_EQ(*store_->GetMailboxUsage(b), b_usage);
}

TEST_F(StoreTest, CompactDropsAcknowledgedEnvelopesFromTheTableFiles) {
  MailboxAddress mailbox{Id('a'), 1};
  MailboxAddress sender{Id('s'), 1};
  const std::string ciphertext(4096, 'c');
  constexpr int kEnvelopes = 200;
  for (int i = 0; i < kEnvelopes; ++i) {
    std::string id(16, '\0');
    id[0] = static_cast<char>(i);
    id[1] = static_cast<char>(i >> 8);
    ASSERT_TRUE(store_->AppendEnvelopes(sender, id, To({mailbox}, ciphertext), 1000 + i).ok());
  }
  ASSERT_TRUE(store_->Compact().ok());
  auto stored = store_->Stats();
  ASSERT_TRUE(stored.ok());
  // The ciphertext is incompressible enough ('c' is not, so only a floor).
  EXPECT_GT(stored->sst_bytes, 0u);
  EXPECT_GE(stored->disk_bytes, stored->sst_bytes);
  std::map<std::string, uint64_t> counts(stored->counts.begin(), stored->counts.end());
  EXPECT_EQ(counts["envelopes"], static_cast<uint64_t>(kEnvelopes));

  ASSERT_EQ(*store_->DeleteEnvelopes(mailbox, 0, kEnvelopes), static_cast<uint32_t>(kEnvelopes));
  ASSERT_TRUE(store_->Compact().ok());
  auto after = store_->Stats();
  ASSERT_TRUE(after.ok());
  counts = std::map<std::string, uint64_t>(after->counts.begin(), after->counts.end());
  EXPECT_EQ(counts["envelopes"], 0u);
  EXPECT_LT(after->sst_bytes, stored->sst_bytes);
  // The high-water mark survives compaction: seqs are never reused.
  auto next = store_->AppendEnvelopes(sender, std::string(16, 'n'), To({mailbox}), 5000);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->assigned[0].second, static_cast<uint64_t>(kEnvelopes) + 1);
}

TEST_F(StoreTest, IdempotentRetryIsStoredOnce) {
  MailboxAddress a{Id('a'), 1};
  MailboxAddress sender{Id('s'), 1};
  const std::string id(16, 'm');
  auto first = store_->AppendEnvelopes(sender, id, To({a}), 1000);
  ASSERT_TRUE(first.ok());
  clock_.AdvanceMs(5);
  auto retry = store_->AppendEnvelopes(sender, id, To({a}), 2000);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->server_timestamp_unix_ms, 1000);
  EXPECT_TRUE(retry->assigned.empty());
  EXPECT_EQ(store_->ReadMailbox(a, 0, 100, 1 << 20)->envelopes.size(), 1u);
  EXPECT_EQ(*store_->FindIdempotent(sender, id, To({a})).value(), 1000);
  EXPECT_FALSE(
      store_->FindIdempotent({Id('s'), 2}, id, To({a})).value().has_value());  // Per device.
  // Another device of the sender with the same id is a different message.
  EXPECT_FALSE(store_->AppendEnvelopes({Id('s'), 2}, id, To({a}), 3000)->duplicate);
}

TEST_F(StoreTest, AReusedMessageIdWithOtherContentIsRefused) {
  MailboxAddress a{Id('a'), 1}, b{Id('b'), 1};
  MailboxAddress sender{Id('s'), 1};
  const std::string id(16, 'r');
  ASSERT_TRUE(store_->AppendEnvelopes(sender, id, To({a}), 1000).ok());
  // Other ciphertext, other recipient, an extra recipient: not a retry.
  for (const auto& other : {To({a}, "different"), To({b}), To({a, b})}) {
    auto reused = store_->AppendEnvelopes(sender, id, other, 2000);
    ASSERT_FALSE(reused.ok());
    EXPECT_EQ(reused.status().code(), StatusCode::kFailedPrecondition) << reused.status().message();
    EXPECT_EQ(store_->FindIdempotent(sender, id, other).status().code(),
              StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(store_->ReadMailbox(a, 0, 100, 1 << 20)->envelopes.size(), 1u);
  EXPECT_TRUE(store_->ReadMailbox(b, 0, 100, 1 << 20)->envelopes.empty());
}

// Hardening finding 13: the audit log kept both ids of every ended link (and
// every other event) for ever. Records older than the audit retention go.
TEST_F(StoreTest, AuditRecordsAreKeptOnlyForTheirRetention) {
  const int64_t day = 86400 * 1000;
  const int64_t t0 = clock_.NowUnixMs();
  for (int i = 0; i < 3; ++i) {
    v1::AuditRecord record;
    record.set_event("link_ended");
    record.set_user_id(Id('u'));
    record.set_peer_user_id(Id('p'));
    record.set_time_unix_ms(t0 + i * day);
    ASSERT_TRUE(store_->AppendAudit(record).ok());
  }
  clock_.SetMs(t0 + 10 * day);
  auto counts = store_->Sweep(/*retention_ms=*/30 * day, /*audit_retention_ms=*/8 * day);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->audit, 2u);  // t0 and t0 + day are older than 8 days.
  auto page = store_->ReadAudit("", 100);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].time_unix_ms(), t0 + 2 * day);
}

TEST_F(StoreTest, ReadMailboxPagesByCountAndBytes) {
  MailboxAddress a{Id('a'), 1};
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store_->AppendEnvelopes({Id('s'), 1}, std::string(15, 'm') + char('0' + i),
                                        To({a}, std::string(100, 'x')), 1000)
                    .ok());
  }
  auto page = store_->ReadMailbox(a, 0, 4, 1 << 20);
  EXPECT_EQ(page->envelopes.size(), 4u);
  EXPECT_TRUE(page->more);
  page = store_->ReadMailbox(a, 4, 100, 300);  // Bytes: two ~130-byte records fit.
  ASSERT_EQ(page->envelopes.size(), 2u);
  EXPECT_EQ(page->envelopes[0].seq, 5u);
  EXPECT_TRUE(page->more);
  page = store_->ReadMailbox(a, 9, 100, 1);  // Always at least one.
  ASSERT_EQ(page->envelopes.size(), 1u);
  EXPECT_FALSE(page->more);
  EXPECT_TRUE(store_->ReadMailbox(a, 10, 100, 1 << 20)->envelopes.empty());
  EXPECT_TRUE(store_->ReadMailbox(a, UINT64_MAX, 100, 1 << 20)->envelopes.empty());
}

TEST_F(StoreTest, DeleteUpToRemovesOnlyThatRange) {
  MailboxAddress a{Id('a'), 1}, b{Id('b'), 1};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->AppendEnvelopes({Id('s'), 1}, std::string(15, 'm') + char('0' + i),
                                        To({a, b}), 1000)
                    .ok());
  }
  EXPECT_EQ(store_->DeleteEnvelopes(a, 0, 3).value(), 3u);
  EXPECT_EQ(store_->DeleteEnvelopes(a, 0, 3).value(), 0u);
  auto page = store_->ReadMailbox(a, 0, 100, 1 << 20);
  ASSERT_EQ(page->envelopes.size(), 2u);
  EXPECT_EQ(page->envelopes[0].seq, 4u);
  EXPECT_EQ(store_->ReadMailbox(b, 0, 100, 1 << 20)->envelopes.size(), 5u);
  // A range that does not start at 0 leaves what lies below it.
  EXPECT_EQ(store_->DeleteEnvelopes(b, 3, 4).value(), 1u);
  page = store_->ReadMailbox(b, 0, 100, 1 << 20);
  ASSERT_EQ(page->envelopes.size(), 4u);
  EXPECT_EQ(page->envelopes[2].seq, 3u);
  EXPECT_EQ(page->envelopes[3].seq, 5u);
  EXPECT_EQ(store_->DeleteEnvelopes(b, 0, 5).value(), 4u);
  EXPECT_TRUE(store_->ReadMailbox(b, 0, 100, 1 << 20)->envelopes.empty());
}

TEST_F(StoreTest, SeqHighWaterSurvivesEmptyMailboxAndReopen) {
  MailboxAddress a{Id('a'), 1};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->AppendEnvelopes({Id('s'), 1}, std::string(15, 'm') + char('0' + i),
                                        To({a}), 1000)
                    .ok());
  }
  EXPECT_EQ(store_->DeleteEnvelopes(a, 0, 3).value(), 3u);
  Reopen();
  auto next = store_->AppendEnvelopes({Id('s'), 1}, std::string(16, 'n'), To({a}), 1000);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->assigned[0].second, 4u);  // Never reused.
  // Idempotency records survive a reopen too.
  EXPECT_TRUE(store_->AppendEnvelopes({Id('s'), 1}, std::string(15, 'm') + '0', To({a}), 1)->duplicate);
}

TEST_F(StoreTest, RetentionSweepWithInjectedClock) {
  MailboxAddress a{Id('a'), 1}, b{Id('b'), 1};
  const int64_t day = 86'400'000;
  int64_t t0 = clock_.NowUnixMs();
  ASSERT_TRUE(store_->AppendEnvelopes({Id('s'), 1}, std::string(16, '1'), To({a, b}), t0).ok());
  ASSERT_TRUE(store_->AppendEnvelopes({Id('s'), 1}, std::string(16, '2'), To({a}), t0 + 2 * day).ok());
  v1::TokenRecord token;
  token.set_user_id(Id('u'));
  token.set_device_id(1);
  token.set_expires_at_unix_ms(t0 + day);
  ASSERT_TRUE(store_->CreateSessionToken(std::string(32, 'k'), token, 10).ok());
  token.set_expires_at_unix_ms(t0 + 10 * day);
  ASSERT_TRUE(store_->CreateSessionToken(std::string(32, 'l'), token, 10).ok());
  v1::RegistrationTokenRecord registration;
  registration.set_expires_at_unix_ms(t0 + day);
  ASSERT_TRUE(store_->CreateRegistrationToken(std::string(32, 'r'), registration).ok());
  MakeAccount('t', v1::ROLE_THERAPIST);
  v1::InviteRecord invite;
  invite.set_therapist_user_id(Id('t'));
  invite.set_expires_at_unix_ms(t0 + day);
  ASSERT_TRUE(store_->CreateInvite(std::string(32, 'i'), invite, 5).ok());

  clock_.SetMs(t0 + 3 * day);
  auto counts = store_->Sweep(/*retention_ms=*/2 * day, /*audit_retention_ms=*/30 * day);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->envelopes, 2u);  // The first send's two envelopes.
  EXPECT_EQ(counts->idempotency, 1u);
  EXPECT_EQ(counts->tokens, 1u);
  EXPECT_EQ(counts->registration_tokens, 1u);
  EXPECT_EQ(counts->invites, 1u);
  auto page = store_->ReadMailbox(a, 0, 100, 1 << 20);
  ASSERT_EQ(page->envelopes.size(), 1u);
  EXPECT_EQ(page->envelopes[0].seq, 2u);
  EXPECT_TRUE(store_->ReadMailbox(b, 0, 100, 1 << 20)->envelopes.empty());
  EXPECT_TRUE(store_->GetSessionToken(std::string(32, 'k')).status().IsNotFound());
  EXPECT_TRUE(store_->GetSessionToken(std::string(32, 'l')).ok());
  // The invite index went with the invite: the limit counts nothing stale.
  EXPECT_TRUE(store_->CreateInvite(std::string(32, 'j'), invite, 1).ok());
  // The swept mailbox keeps its high-water mark.
  EXPECT_EQ(store_->AppendEnvelopes({Id('s'), 1}, std::string(16, '3'), To({b}), clock_.NowUnixMs())
                ->assigned[0].second,
            2u);
}

TEST_F(StoreTest, AuditPagingAndStats) {
  for (int i = 0; i < 5; ++i) {
    v1::AuditRecord record;
    record.set_event("login_failed");
    record.set_device_id(i);
    ASSERT_TRUE(store_->AppendAudit(record).ok());
  }
  auto page = store_->ReadAudit("", 3);
  ASSERT_EQ(page->records.size(), 3u);
  ASSERT_FALSE(page->next_key.empty());
  auto rest = store_->ReadAudit(page->next_key, 3);
  ASSERT_EQ(rest->records.size(), 2u);
  EXPECT_EQ(rest->records[0].device_id(), 3u);
  EXPECT_TRUE(rest->next_key.empty());

  MakeAccount('u', v1::ROLE_CLIENT, 4);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  std::map<std::string, uint64_t> counts(stats->counts.begin(), stats->counts.end());
  EXPECT_EQ(counts["accounts"], 1u);
  EXPECT_EQ(counts["prekeys"], 4u);
  EXPECT_EQ(counts["audit"], 6u);
  EXPECT_GT(stats->disk_bytes, 0u);
}

TEST_F(StoreTest, AuditCounterContinuesAfterReopen) {
  ASSERT_TRUE(store_->AppendAudit(v1::AuditRecord()).ok());
  Reopen();
  ASSERT_TRUE(store_->AppendAudit(v1::AuditRecord()).ok());  // Same ms, must not overwrite.
  EXPECT_EQ(AuditEvents().size(), 2u);
}

TEST_F(StoreTest, BackupIsAUsableDatabase) {
  MakeAccount('u', v1::ROLE_CLIENT, 1);
  std::string backup = dir_.path() + "/backup/db";
  std::filesystem::create_directories(dir_.path() + "/backup");
  ASSERT_TRUE(store_->Backup(backup).ok());
  EXPECT_EQ(store_->Backup(backup).code(), StatusCode::kFailedPrecondition);  // Not empty.
  RocksStoreOptions options;
  options.path = backup;
  options.create_if_missing = false;
  auto copy = RocksStore::Open(options, clock_);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_TRUE((*copy)->GetAccount(Id('u')).ok());
}

TEST_F(StoreTest, SecondOpenOfALockedDatabaseIsUnavailable) {
  RocksStoreOptions options;
  options.path = dir_.path() + "/db";
  auto second = RocksStore::Open(options, clock_);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  options.path = dir_.path() + "/none";
  options.create_if_missing = false;
  EXPECT_EQ(RocksStore::Open(options, clock_).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace securebase::server::testing
