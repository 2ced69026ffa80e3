// Every RPC's happy path against the real server, asserting the values the
// server hands back.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "securebase/crypto/signature.h"
#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subscription.h"
#include "tests/server/integration/harness/util.h"

namespace securebase::integration {
namespace {

using std::chrono::milliseconds;

class HappyPathTest : public ServerSuite<HappyPathTest> {};

crypto::ByteSpan Span(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST_F(HappyPathTest, RegisterClientAndTherapist) {
  for (v1::Role role : {v1::ROLE_CLIENT, v1::ROLE_THERAPIST}) {
    SCOPED_TRACE(v1::Role_Name(role));
    TestAccount a(api_, role);
    TestAccount b(api_, role);
    v1::RegisterResponse ra;
    v1::RegisterResponse rb;
    ASSERT_GRPC_OK(a.Register("", &ra));
    ASSERT_GRPC_OK(b.Register("", &rb));
    EXPECT_EQ(ra.user_id().size(), 16u);
    EXPECT_EQ(ra.device_id(), 1u);
    EXPECT_EQ(rb.user_id().size(), 16u);
    EXPECT_EQ(rb.device_id(), 1u);
    EXPECT_NE(ra.user_id(), rb.user_id());
  }
}

TEST_F(HappyPathTest, ChallengeAuthenticateGivesAWorkingToken) {
  TestAccount a(api_, v1::ROLE_CLIENT);
  ASSERT_GRPC_OK(a.Register());

  v1::GetChallengeRequest creq;
  creq.set_user_id(a.user_id());
  creq.set_device_id(a.device_id(0));
  v1::GetChallengeResponse c1;
  v1::GetChallengeResponse c2;
  const int64_t t0 = NowUnixMs();
  ASSERT_GRPC_OK(api_->accounts->GetChallenge(MakeContext().get(), creq, &c1));
  ASSERT_GRPC_OK(api_->accounts->GetChallenge(MakeContext().get(), creq, &c2));
  EXPECT_EQ(c1.challenge().size(), 32u);
  EXPECT_NE(c1.challenge(), c2.challenge());
  // Default --challenge-ttl-seconds is 60.
  EXPECT_GT(c1.expires_at_unix_ms(), t0);
  EXPECT_LE(c1.expires_at_unix_ms(), NowUnixMs() + 60'000 + kClockSlackMs);

  auto sig = a.device(0).auth.SignAuthChallenge(Span(c2.challenge()));
  ASSERT_TRUE(sig.ok());
  v1::AuthenticateRequest areq;
  areq.set_user_id(a.user_id());
  areq.set_device_id(a.device_id(0));
  areq.set_challenge(c2.challenge());
  areq.set_signature(KeyBytes(*sig));
  v1::AuthenticateResponse aresp;
  const int64_t t1 = NowUnixMs();
  ASSERT_GRPC_OK(api_->accounts->Authenticate(MakeContext().get(), areq, &aresp));
  EXPECT_EQ(aresp.token().size(), 64u);
  EXPECT_TRUE(IsLowerHex(aresp.token())) << aresp.token();
  // Default --token-ttl-seconds is 86400.
  EXPECT_GE(aresp.expires_at_unix_ms(), t1 + 86'400'000 - kClockSlackMs);
  EXPECT_LE(aresp.expires_at_unix_ms(), NowUnixMs() + 86'400'000 + kClockSlackMs);

  v1::ListDevicesResponse devices;
  ASSERT_GRPC_OK(api_->accounts->ListDevices(MakeContext(aresp.token()).get(), {}, &devices));
  ASSERT_EQ(devices.devices_size(), 1);
  EXPECT_EQ(devices.devices(0).device_id(), 1u);
}

TEST_F(HappyPathTest, AddDeviceAndListDevices) {
  const int64_t t0 = NowUnixMs();
  auto a = NewClient();
  ASSERT_TRUE(a);
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(3, &second));
  const int64_t t1 = NowUnixMs();
  EXPECT_EQ(a->device_id(second), 2u);

  for (size_t caller : {size_t{0}, second}) {
    v1::ListDevicesResponse resp;
    ASSERT_GRPC_OK(a->api().accounts->ListDevices(a->Context(caller).get(), {}, &resp));
    ASSERT_EQ(resp.devices_size(), 2);
    std::vector<v1::DeviceInfo> devices(resp.devices().begin(), resp.devices().end());
    std::sort(devices.begin(), devices.end(),
              [](const auto& x, const auto& y) { return x.device_id() < y.device_id(); });
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(devices[i].device_id(), a->device_id(i));
      EXPECT_EQ(devices[i].device_auth_key(), KeyBytes(a->device(i).auth.public_key()));
      EXPECT_GE(devices[i].created_at_unix_ms(), t0 - kClockSlackMs);
      EXPECT_LE(devices[i].created_at_unix_ms(), t1 + kClockSlackMs);
    }
  }
  // A third device gets id 3.
  size_t third = 0;
  ASSERT_GRPC_OK(a->AddDevice(0, &third));
  EXPECT_EQ(a->device_id(third), 3u);
}

TEST_F(HappyPathTest, LogoutRevokesOnlyThatToken) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const std::string first = a->token(0);
  ASSERT_GRPC_OK(a->Login(0));  // A second token for the same device.
  const std::string second = a->token(0);
  ASSERT_NE(first, second);

  v1::LogoutResponse out;
  ASSERT_GRPC_OK(a->api().accounts->Logout(MakeContext(first).get(), {}, &out));
  v1::ListDevicesResponse devices;
  EXPECT_GRPC_CODE(a->api().accounts->ListDevices(MakeContext(first).get(), {}, &devices),
                   grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_GRPC_OK(a->api().accounts->ListDevices(MakeContext(second).get(), {}, &devices));
}

TEST_F(HappyPathTest, UploadPreKeysAndCount) {
  auto a = NewClient(5);
  ASSERT_TRUE(a);
  uint32_t count = 0;
  ASSERT_GRPC_OK(a->GetPreKeyCount(0, &count));
  EXPECT_EQ(count, 5u);

  v1::UploadPreKeysResponse up;
  ASSERT_GRPC_OK(a->UploadOneTimePreKeys(0, 3, &up));
  EXPECT_EQ(up.one_time_prekey_count(), 8u);
  ASSERT_GRPC_OK(a->GetPreKeyCount(0, &count));
  EXPECT_EQ(count, 8u);

  // A signed prekey alone replaces the current one and leaves the pool.
  v1::UploadPreKeysRequest req;
  *req.mutable_signed_prekey() = a->NewSignedPreKey(0);
  ASSERT_GRPC_OK(a->api().keys->UploadPreKeys(a->Context().get(), req, &up));
  EXPECT_EQ(up.one_time_prekey_count(), 8u);

  // Both at once.
  req.Clear();
  *req.mutable_signed_prekey() = a->NewSignedPreKey(0);
  *req.add_one_time_prekeys() = a->NewOneTimePreKey(0);
  ASSERT_GRPC_OK(a->api().keys->UploadPreKeys(a->Context().get(), req, &up));
  EXPECT_EQ(up.one_time_prekey_count(), 9u);

  // Each device has its own pool.
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(2, &second));
  ASSERT_GRPC_OK(a->GetPreKeyCount(second, &count));
  EXPECT_EQ(count, 2u);
  ASSERT_GRPC_OK(a->GetPreKeyCount(0, &count));
  EXPECT_EQ(count, 9u);
}

// Checks a bundle's signed prekey against the device's current one and its
// signature with the crypto library.
void ExpectSignedPreKey(const TestAccount& owner, size_t device, const v1::SignedPreKey& got) {
  const crypto::SignedPreKey& want = owner.device(device).signed_prekey;
  EXPECT_EQ(got.key_id(), want.id);
  EXPECT_EQ(got.public_key(), KeyBytes(want.key.public_key()));
  EXPECT_EQ(got.signature(), KeyBytes(want.signature));
  auto key = crypto::DhPublicKey::FromBytes(Span(got.public_key()));
  auto sig = crypto::Signature::FromBytes(Span(got.signature()));
  ASSERT_TRUE(key.ok() && sig.ok());
  EXPECT_TRUE(
      crypto::VerifySignedPreKey(owner.identity().public_key(), got.key_id(), *key, *sig).ok());
}

TEST_F(HappyPathTest, GetPreKeyBundlesWithAndWithoutOneTimePreKeys) {
  auto t = NewTherapist(2);
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  size_t second = 0;
  ASSERT_GRPC_OK(t->AddDevice(0, &second));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));

  std::set<std::pair<uint32_t, std::string>> uploaded;
  for (const auto& k : t->device(0).one_time_prekeys) {
    uploaded.insert({k.id, KeyBytes(k.key.public_key())});
  }
  std::set<std::pair<uint32_t, std::string>> handed_out;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    v1::GetPreKeyBundlesResponse resp;
    ASSERT_GRPC_OK(c->GetPreKeyBundles(t->user_id(), &resp));
    EXPECT_EQ(resp.user_id(), t->user_id());
    EXPECT_EQ(resp.identity_key(), t->identity_key());
    ASSERT_EQ(resp.devices_size(), 2);
    for (const v1::DeviceBundle& b : resp.devices()) {
      size_t index = b.device_id() == t->device_id(0) ? 0 : second;
      ASSERT_EQ(b.device_id(), t->device_id(index));
      ExpectSignedPreKey(*t, index, b.signed_prekey());
      if (index == second) {
        EXPECT_FALSE(b.has_one_time_prekey()) << "device 2 has no one-time prekeys";
      } else if (round < 2) {
        ASSERT_TRUE(b.has_one_time_prekey());
        std::pair<uint32_t, std::string> k{b.one_time_prekey().key_id(),
                                           b.one_time_prekey().public_key()};
        EXPECT_TRUE(uploaded.count(k)) << "not an uploaded prekey";
        EXPECT_TRUE(handed_out.insert(k).second) << "handed out twice";
      } else {
        EXPECT_FALSE(b.has_one_time_prekey()) << "the pool is empty after two bundles";
      }
    }
  }
  uint32_t count = 99;
  ASSERT_GRPC_OK(t->GetPreKeyCount(0, &count));
  EXPECT_EQ(count, 0u);

  // A new signed prekey shows up in the next bundle.
  v1::UploadPreKeysRequest req;
  *req.mutable_signed_prekey() = t->NewSignedPreKey(0);
  v1::UploadPreKeysResponse up;
  ASSERT_GRPC_OK(t->api().keys->UploadPreKeys(t->Context(0).get(), req, &up));
  v1::GetPreKeyBundlesResponse resp;
  ASSERT_GRPC_OK(c->GetPreKeyBundles(t->user_id(), &resp));
  for (const v1::DeviceBundle& b : resp.devices()) {
    if (b.device_id() == t->device_id(0)) ExpectSignedPreKey(*t, 0, b.signed_prekey());
  }

  // The user itself may fetch its own bundles (for its other devices).
  v1::GetPreKeyBundlesResponse own;
  ASSERT_GRPC_OK(t->GetPreKeyBundles(t->user_id(), &own, second));
  EXPECT_EQ(own.devices_size(), 2);
}

TEST_F(HappyPathTest, CreateAndRedeemInvite) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  const std::string profile = RandomBytes(4096);  // The maximum size.

  v1::CreateInviteRequest ireq;
  ireq.set_expires_in_seconds(600);
  ireq.set_sealed_profile(profile);
  v1::CreateInviteResponse invite;
  const int64_t t0 = NowUnixMs();
  ASSERT_GRPC_OK(t->api().links->CreateInvite(t->Context().get(), ireq, &invite));
  EXPECT_EQ(invite.invite_secret().size(), 16u);
  EXPECT_GE(invite.expires_at_unix_ms(), t0 + 600'000 - kClockSlackMs);
  EXPECT_LE(invite.expires_at_unix_ms(), NowUnixMs() + 600'000 + kClockSlackMs);

  v1::RedeemInviteRequest rreq;
  rreq.set_invite_secret(invite.invite_secret());
  v1::RedeemInviteResponse redeemed;
  ASSERT_GRPC_OK(c->api().links->RedeemInvite(c->Context().get(), rreq, &redeemed));
  const int64_t t1 = NowUnixMs();
  EXPECT_EQ(redeemed.sealed_profile(), profile);
  EXPECT_EQ(redeemed.link().peer_user_id(), t->user_id());
  EXPECT_EQ(redeemed.link().peer_role(), v1::ROLE_THERAPIST);
  EXPECT_EQ(redeemed.link().peer_identity_key(), t->identity_key());
  EXPECT_GE(redeemed.link().created_at_unix_ms(), t0 - kClockSlackMs);
  EXPECT_LE(redeemed.link().created_at_unix_ms(), t1 + kClockSlackMs);

  // Default expiry (0) is in the future; an empty profile comes back empty.
  auto c2 = NewClient();
  ASSERT_TRUE(c2);
  ireq.Clear();
  ASSERT_GRPC_OK(t->api().links->CreateInvite(t->Context().get(), ireq, &invite));
  EXPECT_GT(invite.expires_at_unix_ms(), NowUnixMs());
  rreq.set_invite_secret(invite.invite_secret());
  ASSERT_GRPC_OK(c2->api().links->RedeemInvite(c2->Context().get(), rreq, &redeemed));
  EXPECT_EQ(redeemed.sealed_profile(), "");
  EXPECT_EQ(redeemed.link().peer_user_id(), t->user_id());
}

std::map<std::string, v1::Link> ByPeer(const v1::ListLinksResponse& resp) {
  std::map<std::string, v1::Link> out;
  for (const v1::Link& l : resp.links()) out[l.peer_user_id()] = l;
  return out;
}

TEST_F(HappyPathTest, ListLinksFromBothSides) {
  auto t = NewTherapist();
  auto c1 = NewClient();
  auto c2 = NewClient();
  ASSERT_TRUE(t && c1 && c2);
  v1::ListLinksResponse resp;
  ASSERT_GRPC_OK(t->ListLinks(&resp));
  EXPECT_EQ(resp.links_size(), 0);

  ASSERT_GRPC_OK(LinkAccounts(*t, *c1));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c2));

  ASSERT_GRPC_OK(t->ListLinks(&resp));
  auto caseload = ByPeer(resp);
  ASSERT_EQ(resp.links_size(), 2);
  ASSERT_EQ(caseload.size(), 2u);
  for (const TestAccount* c : {c1.get(), c2.get()}) {
    ASSERT_TRUE(caseload.count(c->user_id()));
    const v1::Link& l = caseload[c->user_id()];
    EXPECT_EQ(l.peer_role(), v1::ROLE_CLIENT);
    EXPECT_EQ(l.peer_identity_key(), c->identity_key());
    EXPECT_GT(l.created_at_unix_ms(), 0);
  }
  ASSERT_GRPC_OK(c1->ListLinks(&resp));
  ASSERT_EQ(resp.links_size(), 1);
  EXPECT_EQ(resp.links(0).peer_user_id(), t->user_id());
  EXPECT_EQ(resp.links(0).peer_role(), v1::ROLE_THERAPIST);
  EXPECT_EQ(resp.links(0).peer_identity_key(), t->identity_key());
}

TEST_F(HappyPathTest, EndLinkFromEitherSide) {
  auto t = NewTherapist();
  auto c1 = NewClient();
  auto c2 = NewClient();
  ASSERT_TRUE(t && c1 && c2);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c1));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c2));

  v1::EndLinkRequest req;
  v1::EndLinkResponse out;
  req.set_peer_user_id(t->user_id());
  ASSERT_GRPC_OK(c1->api().links->EndLink(c1->Context().get(), req, &out));  // Client side.
  req.set_peer_user_id(c2->user_id());
  ASSERT_GRPC_OK(t->api().links->EndLink(t->Context().get(), req, &out));  // Therapist side.

  v1::ListLinksResponse resp;
  for (const TestAccount* a : {t.get(), c1.get(), c2.get()}) {
    ASSERT_GRPC_OK(a->ListLinks(&resp));
    EXPECT_EQ(resp.links_size(), 0);
  }
}

TEST_F(HappyPathTest, SendAndFetchFanOutToEveryDevice) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(t->AddDevice());
  ASSERT_GRPC_OK(c->AddDevice());
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));

  v1::SendResponse sent;
  const int64_t t0 = NowUnixMs();
  ASSERT_GRPC_OK(c->Send(*t, "hello", 0, &sent));
  const int64_t t1 = NowUnixMs();
  EXPECT_GE(sent.server_timestamp_unix_ms(), t0 - kClockSlackMs);
  EXPECT_LE(sent.server_timestamp_unix_ms(), t1 + kClockSlackMs);

  // Each of the therapist's devices and the client's other device get their
  // own ciphertext, with the server-set sender.
  struct Want {
    const TestAccount* account;
    size_t device;
  };
  for (Want w : {Want{t.get(), 0}, Want{t.get(), 1}, Want{c.get(), 1}}) {
    SCOPED_TRACE(AddressString(w.account->address(w.device)));
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(w.account->FetchAll(w.device, 0, &got));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_GT(got[0].seq(), 0u);
    EXPECT_EQ(got[0].sender().user_id(), c->user_id());
    EXPECT_EQ(got[0].sender().device_id(), c->device_id(0));
    EXPECT_EQ(got[0].server_timestamp_unix_ms(), sent.server_timestamp_unix_ms());
    EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("hello", w.account->address(w.device)));
  }
  std::vector<v1::Envelope> own;
  ASSERT_GRPC_OK(c->FetchAll(0, 0, &own));
  EXPECT_TRUE(own.empty()) << "the sending device gets no copy";

  // And the reply, from the therapist's second device.
  ASSERT_GRPC_OK(t->Send(*c, "reply", 1));
  for (Want w : {Want{c.get(), 0}, Want{c.get(), 1}, Want{t.get(), 0}}) {
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(w.account->FetchAll(w.device, 0, &got));
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().sender().user_id(), t->user_id());
    EXPECT_EQ(got.back().sender().device_id(), t->device_id(1));
    EXPECT_EQ(got.back().ciphertext(), TargetCiphertext("reply", w.account->address(w.device)));
  }
}

TEST_F(HappyPathTest, FetchPagesInSeqOrder) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  for (int i = 0; i < 5; ++i) ASSERT_GRPC_OK(c->Send(*t, "m" + std::to_string(i)));

  std::vector<v1::Envelope> all;
  uint64_t cursor = 0;
  std::vector<bool> mores;
  for (int page = 0; page < 3; ++page) {
    v1::FetchResponse resp;
    ASSERT_GRPC_OK(t->Fetch(0, cursor, 2, &resp));
    ASSERT_EQ(resp.envelopes_size(), page < 2 ? 2 : 1) << "page " << page;
    mores.push_back(resp.more());
    for (const v1::Envelope& e : resp.envelopes()) {
      EXPECT_GT(e.seq(), cursor);
      cursor = e.seq();
      all.push_back(e);
    }
  }
  EXPECT_EQ(mores, (std::vector<bool>{true, true, false}));
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(all[i].ciphertext(), TargetCiphertext("m" + std::to_string(i), t->address(0)));
  }
  v1::FetchResponse empty;
  ASSERT_GRPC_OK(t->Fetch(0, cursor, 0, &empty));
  EXPECT_EQ(empty.envelopes_size(), 0);
  EXPECT_FALSE(empty.more());
  // A cursor in the middle.
  v1::FetchResponse tail;
  ASSERT_GRPC_OK(t->Fetch(0, all[2].seq(), 0, &tail));
  ASSERT_EQ(tail.envelopes_size(), 2);
  EXPECT_EQ(tail.envelopes(0).seq(), all[3].seq());
  EXPECT_EQ(tail.envelopes(1).seq(), all[4].seq());
}

TEST_F(HappyPathTest, SubscribeGivesStoredThenLiveEnvelopes) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(c->Send(*t, "stored-1"));
  ASSERT_GRPC_OK(c->Send(*t, "stored-2"));

  Subscription sub(*t, 0, 0);
  ASSERT_TRUE(sub.WaitForCount(2, milliseconds(10000))) << sub.ReceivedCount();
  ASSERT_GRPC_OK(c->Send(*t, "live-1"));
  ASSERT_TRUE(sub.WaitForCount(3, milliseconds(10000))) << sub.ReceivedCount();
  std::vector<v1::Envelope> got = sub.Received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("stored-1", t->address(0)));
  EXPECT_EQ(got[1].ciphertext(), TargetCiphertext("stored-2", t->address(0)));
  EXPECT_EQ(got[2].ciphertext(), TargetCiphertext("live-1", t->address(0)));
  EXPECT_LT(got[0].seq(), got[1].seq());
  EXPECT_LT(got[1].seq(), got[2].seq());
  EXPECT_EQ(got[2].sender().user_id(), c->user_id());
  EXPECT_FALSE(sub.ended());

  // A cursor skips what was seen.
  Subscription later(*t, 0, got[1].seq());
  ASSERT_TRUE(later.WaitForCount(1, milliseconds(10000)));
  EXPECT_EQ(later.Received()[0].seq(), got[2].seq());
}

TEST_F(HappyPathTest, AcknowledgeDeletesUpToSeq) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  for (int i = 0; i < 3; ++i) ASSERT_GRPC_OK(c->Send(*t, "a" + std::to_string(i)));
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  ASSERT_EQ(got.size(), 3u);

  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t->Acknowledge(0, got[1].seq(), &ack));
  EXPECT_EQ(ack.deleted(), 2u);
  std::vector<v1::Envelope> left;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &left));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].seq(), got[2].seq());
  ASSERT_GRPC_OK(t->Acknowledge(0, got[2].seq(), &ack));
  EXPECT_EQ(ack.deleted(), 1u);
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &left));
  EXPECT_TRUE(left.empty());
}

}  // namespace
}  // namespace securebase::integration
