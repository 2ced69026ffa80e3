// Finding 2: replayed first messages. A server keeps a copy of a client's
// first message (X3DH) to the therapist and stores it again, as new, after
// the conversation has moved on to two newer sessions (the client reinstalled
// twice: here its sessions are deleted from its vault between runs). The
// therapist's device keeps a replay cache of the base keys it accepted for
// each signed prekey: the replay is refused and nothing is shown, neither as
// a message nor as an item that could not be read. The same holds when the
// server stripped the one-time prekey from every bundle it handed out, so
// that no one-time prekey is used up to stop a replay.
//
// The server here is real; the attacker is a man-in-the-middle proxy
// (mitm_proxy.h) that sees every request, keeps the client's send and its
// bearer token, and stores the copy again under a new client message id.
#include "client/src/device_address.h"
#include "client/src/stores.h"
#include "client/src/vault.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/client/e2e/mitm_proxy.h"

namespace securebase::e2e {
namespace {

namespace records = ::securebase::client::records;

class ReplayTest : public ProxiedE2eTest {
 protected:
  // Therapist and client, both through the proxy.
  void SetUpPair() {
    therapist_ = Create(sc::Role::kTherapist, "Dr. Replay", Through());
    client_ = Create(sc::Role::kClient, "Robin", Through());
    ASSERT_TRUE(therapist_ && client_);
    ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
    client_raw_ = crypto::FromHex(client_->user_id()).value();
    therapist_raw_ = crypto::FromHex(therapist_->user_id()).value();
  }

  // The client "reinstalls": its sessions with the therapist are deleted
  // from its vault (the client is closed meanwhile), so its next message
  // starts a new session from the therapist's bundle.
  void ForgetClientSessions() {
    client_.reset();
    auto vault = sc::Vault::Open(Home("Robin"), kPassphrase, std::chrono::seconds(10));
    ASSERT_SB_OK(vault);
    const crypto::IdentityKeyPair unused =
        crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
    ASSERT_SB_OK((*vault)->Transact([&](sc::VaultTransaction& txn) -> sc::Status {
      sc::Stores stores(txn, client_raw_, sc::AddressOf(client_raw_, 1).value(), unused,
                        crypto::SystemRandom());
      SB_ASSIGN_OR_RETURN(records::Contact * therapist, stores.contacts().Get(therapist_raw_));
      for (uint32_t device : therapist->device_ids()) {
        stores.sessions().Delete(sc::AddressOf(therapist_raw_, device).value());
      }
      therapist->clear_device_ids();
      therapist->clear_unanswered_since_unix_ms();
      stores.Flush();
      return sc::Status::Ok();
    }));
    client_ = Reopen("Robin", Through());
    ASSERT_TRUE(client_);
  }

  // The last send from the client to the therapist that went by.
  MitmProxy::CapturedSend LastSendToTherapist() {
    MitmProxy::CapturedSend last;
    for (const auto& send : proxy_->sends()) {
      if (send.request.recipient_user_id() == therapist_raw_) last = send;
    }
    return last;
  }

  // The base key of the X3DH header of a captured send's (only) ciphertext.
  static std::string BaseKeyOf(const MitmProxy::CapturedSend& send) {
    if (send.request.ciphertexts_size() != 1) return "";
    auto initial =
        crypto::ParseInitialMessage(crypto::AsBytes(send.request.ciphertexts(0).ciphertext()));
    return initial.ok() ? crypto::ToHex(initial->header.base_key.span()) : "";
  }

  void ReplayedFirstMessageIsRefused() {
    auto first = client_->SendText("Dr. Replay", "the first message");
    ASSERT_SB_OK(first);
    const MitmProxy::CapturedSend captured = LastSendToTherapist();
    const std::string first_base_key = BaseKeyOf(captured);
    ASSERT_FALSE(first_base_key.empty()) << "the first message is not an initial message";
    auto got = therapist_->Sync();
    ASSERT_SB_OK(got);
    ASSERT_EQ(CountId(got->new_items, *first), 1u) << DescribeHistory(got->new_items);

    // Two newer sessions, each confirmed by the therapist reading from it.
    std::vector<std::string> base_keys = {first_base_key};
    for (int i = 0; i < 2; ++i) {
      ASSERT_NO_FATAL_FAILURE(ForgetClientSessions());
      auto newer = client_->SendText("Dr. Replay", "newer session " + std::to_string(i));
      ASSERT_SB_OK(newer);
      base_keys.push_back(BaseKeyOf(LastSendToTherapist()));
      auto read = therapist_->Sync();
      ASSERT_SB_OK(read);
      ASSERT_EQ(CountId(read->new_items, *newer), 1u) << DescribeHistory(read->new_items);
    }
    ASSERT_NE(base_keys[1], base_keys[0]);
    ASSERT_NE(base_keys[2], base_keys[1]);

    // The server stores its copy again, as a new message from the client.
    v1::SendRequest replay = captured.request;
    replay.set_client_message_id(crypto::FromHex(RandomHex(16)).value());
    ASSERT_TRUE(proxy_->SendAs(captured.authorization, replay).ok());
    auto after = therapist_->Sync();
    ASSERT_SB_OK(after);
    EXPECT_EQ(after->envelopes, 1u) << "the replay reached the therapist's device";
    EXPECT_TRUE(after->new_items.empty()) << "a replayed first message was shown\n"
                                          << DescribeHistory(after->new_items);
    auto history = therapist_->History("Robin");
    ASSERT_SB_OK(history);
    EXPECT_EQ(CountId(*history, *first), 1u) << DescribeHistory(*history);
    EXPECT_EQ(CountInvalid(*history), 0u) << DescribeHistory(*history);
    // And the conversation carries on, on the newest session.
    auto later = client_->SendText("Dr. Replay", "still here");
    ASSERT_SB_OK(later);
    auto last = therapist_->Sync();
    ASSERT_SB_OK(last);
    ASSERT_EQ(CountId(last->new_items, *later), 1u) << DescribeHistory(last->new_items);
  }

  std::unique_ptr<sc::Client> therapist_;
  std::unique_ptr<sc::Client> client_;
  std::string client_raw_;
  std::string therapist_raw_;
};

TEST_F(ReplayTest, FirstMessageReplayedAfterTwoNewerSessionsIsRefusedAndNotShown) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  ASSERT_NO_FATAL_FAILURE(ReplayedFirstMessageIsRefused());
}

// The server hands out bundles without one-time prekeys, so no prekey is used
// up by the first message: only the replay cache stops its copy.
TEST_F(ReplayTest, StrippedOneTimePreKeysDoNotEnableAReplay) {
  int stripped = 0;
  proxy_->OnBundles([&](const v1::GetPreKeyBundlesRequest&, v1::GetPreKeyBundlesResponse& r) {
    for (auto& device : *r.mutable_devices()) {
      stripped += device.has_one_time_prekey();
      device.clear_one_time_prekey();
    }
  });
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  ASSERT_NO_FATAL_FAILURE(ReplayedFirstMessageIsRefused());
  EXPECT_GT(stripped, 0) << "the proxy stripped nothing: the test would prove nothing";
}

}  // namespace
}  // namespace securebase::e2e
