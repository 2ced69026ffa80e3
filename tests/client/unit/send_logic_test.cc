// The client's send logic (client/src/sender.cc) on the fake server: fan-out
// to every device, device-list repair, retries under one client message id,
// held sends, and answers from a broken or lying server refused as such.
#include <gtest/gtest.h>

#include <algorithm>

#include "securebase/crypto/encoding.h"
#include "tests/client/unit/fake_server_fixture.h"

namespace securebase::client::testing {
namespace {

class SendLogicTest : public FakeServerTest {};

std::vector<std::string> Texts(const std::vector<HistoryItem>& items) {
  std::vector<std::string> texts;
  for (const HistoryItem& item : items) {
    if (const auto* text = std::get_if<TextMessage>(&item.content)) texts.push_back(text->body);
  }
  return texts;
}

TEST_F(SendLogicTest, EncryptsToEveryDeviceOfThePeer) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  BarePeer peer(server_, Role::kClient);
  ASSERT_NO_FATAL_FAILURE(LinkBare(*therapist, peer));
  const uint32_t second = peer.AddDevice();
  const size_t stored_before = server_.StoredSends().size();
  auto sent = therapist->SendText(peer.user_id_hex(), "to both devices");
  ASSERT_TRUE(sent.ok()) << Describe(sent);
  EXPECT_EQ(peer.ReceiveTexts(1), std::vector<std::string>{"to both devices"});
  EXPECT_EQ(peer.ReceiveTexts(second), std::vector<std::string>{"to both devices"});
  ASSERT_EQ(server_.StoredSends().size(), stored_before + 1) << "one logical message, one request";
  EXPECT_EQ(server_.StoredSends().back().ciphertexts.size(), 2u);
}

// The peer adds a device and retires one after the first message: the
// server refuses the next send with a device mismatch; the client fetches
// the new device's bundle, drops the stale one's session and sends again.
TEST_F(SendLogicTest, DeviceMismatchIsRepairedAndTheSendGoesOut) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  BarePeer peer(server_, Role::kClient);
  ASSERT_NO_FATAL_FAILURE(LinkBare(*therapist, peer));
  ASSERT_TRUE(therapist->SendText(peer.user_id_hex(), "first").ok());
  EXPECT_EQ(peer.ReceiveTexts(1), std::vector<std::string>{"first"});

  const uint32_t added = peer.AddDevice();
  server_.RemoveDevice(peer.user_id(), 1);
  const int sends_before = server_.calls(FakeCall::kSend);
  auto sent = therapist->SendText(peer.user_id_hex(), "after the change");
  ASSERT_TRUE(sent.ok()) << Describe(sent);
  EXPECT_EQ(server_.calls(FakeCall::kSend) - sends_before, 2) << "one refusal, one send";
  EXPECT_EQ(peer.ReceiveTexts(added), std::vector<std::string>{"after the change"});
  const std::vector<SendRequest> stored = server_.StoredSends();
  ASSERT_FALSE(stored.empty());
  for (const auto& c : stored.back().ciphertexts) {
    EXPECT_EQ(c.recipient.device_id, added) << "no ciphertext for the retired device";
  }
  auto history = therapist->History(peer.user_id_hex());
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().state, DeliveryState::kSent);
}

// A lying server asks for a device of a user the message is not for: the
// client refuses to encrypt to it (kInvalidServerResponse) and sends nothing
// to that user; the message stays queued.
TEST_F(SendLogicTest, MismatchNamingAnUnrelatedUserIsRefusedAsAnInvalidServerResponse) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  BarePeer peer(server_, Role::kClient);
  BarePeer stranger(server_, Role::kClient);
  ASSERT_NO_FATAL_FAILURE(LinkBare(*therapist, peer));
  ASSERT_TRUE(therapist->SendText(peer.user_id_hex(), "first").ok());
  EXPECT_EQ(peer.ReceiveTexts(1), std::vector<std::string>{"first"});
  DeviceMismatch lie;
  lie.missing_devices.push_back({stranger.user_id(), 1});
  server_.AnswerNextSendWith(lie);
  const int bundles_before = server_.calls(FakeCall::kGetPreKeyBundles);
  auto sent = therapist->SendText(peer.user_id_hex(), "for the peer only");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), ErrorCode::kInvalidServerResponse) << Describe(sent);
  EXPECT_EQ(server_.calls(FakeCall::kGetPreKeyBundles), bundles_before)
      << "no keys of the stranger were fetched";
  EXPECT_TRUE(stranger.Receive(1).empty());
  // Queued, not lost: the next sync sends it to the peer.
  auto history = therapist->History(peer.user_id_hex());
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().state, DeliveryState::kQueued);
  auto synced = therapist->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(synced->outbox_sent, 1u);
  EXPECT_EQ(peer.ReceiveTexts(1), std::vector<std::string>{"for the peer only"});
}

// The server hands out a device whose signed prekey and binding are not
// signed by the peer's identity key (here: the therapist's only device, at
// the client's first contact): the client refuses the device; with no device
// the peer vouches for, the introduction is refused (kInvalidServerResponse)
// and nothing is written: no history item, no outbox entry, no session.
TEST_F(SendLogicTest, BundleNotSignedByThePeerIsRefusedAndNothingIsKept) {
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(client);
  BarePeer therapist(server_, Role::kTherapist);
  BarePeer impostor(server_, Role::kTherapist);
  const std::string code = therapist.CreateInvite("Dr Bare");
  server_.RemoveDevice(therapist.user_id(), 1);
  therapist.AddDevice(&impostor.identity());  // Vouched for by the wrong key.
  auto accepted = client->AcceptInvite(code);
  ASSERT_FALSE(accepted.ok());
  EXPECT_EQ(accepted.status().code(), ErrorCode::kInvalidServerResponse) << Describe(accepted);
  EXPECT_TRUE(server_.StoredSends().empty());
  auto history = client->History(therapist.user_id_hex());
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  auto synced = client->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(synced->outbox_sent, 0u);
  EXPECT_TRUE(server_.StoredSends().empty());
}

// The server insists on a copy for a device the peer never vouched for (no
// binding; its keys are the server's): the client encrypts nothing to it and
// says the server's answer is invalid; the message stays queued.
TEST_F(SendLogicTest, MismatchNamingADeviceNobodyVouchedForIsRefused) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  BarePeer peer(server_, Role::kClient);
  ASSERT_NO_FATAL_FAILURE(LinkBare(*therapist, peer));
  ASSERT_TRUE(therapist->SendText(peer.user_id_hex(), "first").ok());
  EXPECT_EQ(peer.ReceiveTexts(1), std::vector<std::string>{"first"});
  const uint32_t invented = server_.AddDevice(peer.user_id(), SignedPreKeyWire{}, {});
  const size_t stored_before = server_.StoredSends().size();
  auto sent = therapist->SendText(peer.user_id_hex(), "not for an invented device");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), ErrorCode::kInvalidServerResponse) << Describe(sent);
  EXPECT_EQ(server_.StoredSends().size(), stored_before);
  EXPECT_TRUE(server_.Mailbox(peer.user_id(), invented).empty());
  auto history = therapist->History(peer.user_id_hex());
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().state, DeliveryState::kQueued);
  // Gone again: the queued message goes out to the real device.
  server_.RemoveDevice(peer.user_id(), invented);
  auto synced = therapist->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(peer.ReceiveTexts(1), std::vector<std::string>{"not for an invented device"});
}

// The server went away right after the client redeemed the invite: its
// introduction (the profile with the invite proof) is queued. A message
// written next does not overtake it: the therapist accepts the client and
// reads the message.
TEST_F(SendLogicTest, AQueuedIntroductionGoesOutBeforeTheNextMessage) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  auto code = therapist->CreateInvite(std::chrono::hours(1));
  ASSERT_TRUE(code.ok());
  server_.FailNext(FakeCall::kSend, Status(ErrorCode::kUnavailable, "gone for a moment"));
  auto accepted = client->AcceptInvite(*code);
  ASSERT_TRUE(accepted.ok()) << Describe(accepted);
  auto text = client->SendText("T", "hello, it's me");
  ASSERT_TRUE(text.ok()) << Describe(text);
  auto synced = therapist->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(Texts(synced->new_items), std::vector<std::string>{"hello, it's me"});
  auto contact = therapist->FindContact(client->user_id());
  ASSERT_TRUE(contact.ok()) << Describe(contact);
  EXPECT_TRUE(contact->verified);
}

// The server claims our own account has another identity key (a device of
// ours under a key we never had): refused.
TEST_F(SendLogicTest, OwnAccountUnderAnotherIdentityKeyIsRefused) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  BarePeer peer(server_, Role::kClient);
  ASSERT_NO_FATAL_FAILURE(LinkBare(*therapist, peer));
  ASSERT_TRUE(therapist->SendText(peer.user_id_hex(), "first").ok());
  BarePeer other(server_, Role::kTherapist);
  server_.SetIdentityKey(Raw(therapist->user_id()),
                         std::string(crypto::AsStringView(other.identity().public_key().span())));
  server_.AddDevice(Raw(therapist->user_id()), SignedPreKeyWire{}, {});
  auto sent = therapist->SendText(peer.user_id_hex(), "second");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), ErrorCode::kInvalidServerResponse) << Describe(sent);
}

// Unreachable: queued in the outbox (history "queued"); the next sync sends
// it once.
TEST_F(SendLogicTest, UnreachableServerQueuesTheMessageForTheNextSync) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  server_.SetReachable(false);
  auto queued = client->SendText("T", "written offline");
  ASSERT_FALSE(queued.ok());
  EXPECT_EQ(queued.status().code(), ErrorCode::kUnavailable);
  auto history = client->History("T");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->at(0).state, DeliveryState::kQueued);
  server_.SetReachable(true);
  auto synced = client->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(synced->outbox_sent, 1u);
  auto received = therapist->Sync();
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(Texts(received->new_items), std::vector<std::string>{"written offline"});
}

// The server stores a send but its answer is lost: the client retries with
// the same client message id and the server stores it once; the peer sees
// it once.
TEST_F(SendLogicTest, LostAnswerIsRetriedUnderTheSameIdAndStoredOnce) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  const size_t stored_before = server_.StoredSends().size();
  server_.LoseNextSendAnswer();
  auto lost = client->SendText("T", "said once");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), ErrorCode::kUnavailable);
  auto synced = client->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(synced->outbox_sent, 1u) << "retried";
  EXPECT_EQ(server_.StoredSends().size(), stored_before + 1) << "stored once";
  auto received = therapist->Sync();
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(Texts(received->new_items), std::vector<std::string>{"said once"});
}

// A crash (here: a failure) between the commit and the send: the entry is in
// the outbox with its ciphertext; later sends advance the chain beyond it (no
// key reuse) and the peer decrypts both, in any order.
TEST_F(SendLogicTest, FailureBetweenCommitAndSendKeepsTheMessage) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  faults_.Set([](FaultPoint point) { return point == FaultPoint::kAfterCommitBeforeSend; });
  auto interrupted = client->SendText("T", "interrupted");
  EXPECT_EQ(interrupted.status().code(), ErrorCode::kUnavailable);
  faults_.Set(nullptr);
  ASSERT_TRUE(client->SendText("T", "after").ok());
  ASSERT_TRUE(client->Sync().ok());
  auto received = therapist->Sync();
  ASSERT_TRUE(received.ok());
  std::vector<std::string> texts = Texts(received->new_items);
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{"after", "interrupted"}));
  for (const HistoryItem& item : received->new_items) {
    EXPECT_FALSE(std::holds_alternative<InvalidContent>(item.content));
  }
}

// A verified contact's key changes (the server now states another key and
// another device): the send is held, nothing is encrypted to the new key;
// after Trust it goes out to the new device.
TEST_F(SendLogicTest, ChangedKeyOfAVerifiedContactHoldsSendsUntilTrust) {
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(client);
  BarePeer therapist(server_, Role::kTherapist);
  auto linked = client->AcceptInvite(therapist.CreateInvite("Dr Bare"));
  ASSERT_TRUE(linked.ok()) << Describe(linked);
  EXPECT_TRUE(linked->verified) << "pinned by the invite";
  ASSERT_TRUE(client->Verify(therapist.user_id_hex()).ok());
  ASSERT_TRUE(client->SendText(therapist.user_id_hex(), "before").ok());
  EXPECT_EQ(therapist.ReceiveTexts(1), std::vector<std::string>{"before"});

  BarePeer rekeyed(server_, Role::kTherapist);  // Its identity: the "new" key.
  server_.SetIdentityKey(therapist.user_id(),
                         std::string(crypto::AsStringView(rekeyed.identity().public_key().span())));
  server_.RemoveDevice(therapist.user_id(), 1);
  const uint32_t new_device = therapist.AddDevice(&rekeyed.identity());
  const size_t stored_before = server_.StoredSends().size();
  auto held = client->SendText(therapist.user_id_hex(), "held");
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), ErrorCode::kIdentityChanged) << Describe(held);
  EXPECT_EQ(server_.StoredSends().size(), stored_before) << "nothing went to the new key";
  auto contact = client->FindContact(therapist.user_id_hex());
  ASSERT_TRUE(contact.ok());
  EXPECT_TRUE(contact->identity_changed);
  EXPECT_TRUE(contact->sends_held);
  // Still held at the next sync.
  auto synced = client->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_EQ(server_.StoredSends().size(), stored_before);

  ASSERT_TRUE(client->Trust(therapist.user_id_hex()).ok());
  EXPECT_EQ(server_.StoredSends().size(), stored_before + 1);
  // The new device's keys are the rekeyed identity's: a test-made peer with
  // that identity reads it.
  EXPECT_EQ(server_.Mailbox(therapist.user_id(), new_device).size(), 1u);
}

TEST_F(SendLogicTest, ClientsMayNotAssignExercisesAndNobodySendsLibraryContent) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  Exercise exercise{"A title", "Do it", "free", Recurrence::kNone, ""};
  EXPECT_EQ(client->Send("T", exercise).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      therapist->Send("C", Receipt{ReceiptType::kRead, {std::string(32, 'a')}}).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(therapist->Send("C", Profile{"Dr Fake", std::nullopt}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(therapist->Send("C", Availability{"9-5", ""}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(therapist->Send("C", TextMessage{"", ""}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(therapist->Send("C", exercise).ok());
}

TEST_F(SendLogicTest, SendAfterTheLinkEndedFails) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  ASSERT_TRUE(therapist->EndLink("C").ok());
  EXPECT_EQ(therapist->SendText("C", "too late").status().code(), ErrorCode::kFailedPrecondition);
  // The client learns at its next sync; its own send is refused by the
  // server for good (not linked) and marked failed.
  auto sent = client->SendText("T", "also too late");
  EXPECT_FALSE(sent.ok());
  auto history = client->History("T");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().state, DeliveryState::kFailed);
}

}  // namespace
}  // namespace securebase::client::testing
