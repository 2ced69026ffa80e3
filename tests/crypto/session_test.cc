// The Double Ratchet session (session.h): delivery in any order, the skip
// bounds, transactional refusal of tampered/replayed/foreign messages, state
// persistence, and the wire formats' cleartext prefix.
#include "securebase/crypto/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/padding.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"
#include "securebase/crypto/x3dh.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

constexpr uint32_t kSignedPreKeyId = 7;
constexpr uint32_t kOneTimePreKeyId = 42;

// From the wire formats in session.h (v3: version and type bytes first).
constexpr size_t kRatchetOverhead = 2 + 24 + 56 + 24 + 16;  // Plus the padded plaintext.
constexpr size_t kInitialPrefixSize = 2 + 1 + 32 + 32 + 4 + 1 + 4;
constexpr size_t kSpkIdOffset = 2 + 1 + 32 + 32;
constexpr size_t kHasOtkOffset = kSpkIdOffset + 4;
constexpr size_t kOtkIdOffset = kHasOtkOffset + 1;

bool SameBytes(ByteSpan a, ByteSpan b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

Bytes StateOf(const Session& session) {
  SecretBytes state = session.Serialize();
  return Bytes(state.span().begin(), state.span().end());
}

std::string Text(std::string_view prefix, size_t index) {
  return std::string(prefix) + std::to_string(index);
}

class SessionTest : public ::testing::Test {
 protected:
  SessionTest()
      : rng_(0x5E5510),
        alice_id_(IdentityKeyPair::Generate(rng_)),
        bob_id_(IdentityKeyPair::Generate(rng_)),
        carol_id_(IdentityKeyPair::Generate(rng_)),
        bob_spk_(SignedPreKey::Generate(bob_id_, kSignedPreKeyId, rng_)),
        bob_opk_(OneTimePreKey::Generate(kOneTimePreKeyId, rng_)),
        bob_opk2_(OneTimePreKey::Generate(kOneTimePreKeyId + 1, rng_)) {}

  // Alice initiates from Bob's bundle (with a one-time prekey) and sends
  // "hello bob"; Bob accepts it.
  void Establish() {
    auto alice = Session::Initiate(alice_id_, MakePreKeyBundle(bob_id_, bob_spk_, &bob_opk_), rng_);
    ASSERT_TRUE(alice.ok()) << alice.status().ToString();
    alice_.emplace(std::move(alice).value());
    first_message_ = Encrypt(*alice_, "hello bob");
    auto accepted = Session::Accept(bob_id_, bob_spk_, &bob_opk_, first_message_, rng_);
    ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
    ASSERT_TRUE(SameBytes(accepted->plaintext.span(), AsBytes("hello bob")));
    bob_.emplace(std::move(accepted->session));
  }

  // Bob replies and Alice decrypts it; Alice's next message starts a new
  // sending chain (DH ratchet step).
  void RoundTrip() {
    const std::string text = "reply " + std::to_string(round_trips_++);
    const Bytes reply = Encrypt(*bob_, text);
    ASSERT_TRUE(Decrypts(*alice_, reply, text));
  }

  Bytes Encrypt(Session& session, std::string_view text) {
    auto message = session.Encrypt(AsBytes(text), rng_);
    EXPECT_TRUE(message.ok()) << message.status().ToString();
    return message.ok() ? std::move(message).value() : Bytes();
  }

  std::vector<Bytes> EncryptMany(Session& session, size_t count, std::string_view prefix) {
    std::vector<Bytes> messages;
    messages.reserve(count);
    for (size_t i = 0; i < count; ++i) messages.push_back(Encrypt(session, Text(prefix, i)));
    return messages;
  }

  AssertionResult Decrypts(Session& session, ByteSpan message, std::string_view expected) {
    auto plaintext = session.Decrypt(message, rng_);
    if (!plaintext.ok()) {
      return AssertionFailure() << "decrypt failed: " << plaintext.status().ToString();
    }
    if (!SameBytes(plaintext->span(), AsBytes(expected))) {
      return AssertionFailure() << "wrong plaintext (" << plaintext->size() << " bytes, expected "
                                << expected.size() << ")";
    }
    return AssertionSuccess();
  }

  // Decrypt fails with one of `allowed` and leaves the serialized state as it was.
  AssertionResult Refused(Session& session, ByteSpan message,
                          std::initializer_list<ErrorCode> allowed) {
    const Bytes before = StateOf(session);
    auto plaintext = session.Decrypt(message, rng_);
    if (plaintext.ok()) return AssertionFailure() << "decrypted " << plaintext->size() << " bytes";
    if (std::find(allowed.begin(), allowed.end(), plaintext.status().code()) == allowed.end()) {
      return AssertionFailure() << "unexpected error " << plaintext.status().ToString();
    }
    if (StateOf(session) != before) return AssertionFailure() << "refused message changed state";
    return AssertionSuccess();
  }

  // Every single-byte change (xor 0x01 at each position), every truncation and
  // an appended byte are refused with kInvalidMessage without touching the
  // receiver's state; the intact message still decrypts afterwards.
  void ExpectEveryCorruptionRefused(Session& receiver, const Bytes& message,
                                    std::string_view plaintext) {
    const bool awaiting = receiver.awaiting_reply();
    // After a failure the receiver is put back as it was, so that every
    // position is judged on its own and reported individually.
    const Bytes snapshot = StateOf(receiver);
    auto expect_refused = [&](ByteSpan corrupted, const std::string& what) {
      AssertionResult refused = Refused(receiver, corrupted, {ErrorCode::kInvalidMessage});
      EXPECT_TRUE(refused) << what << " of " << message.size();
      if (!refused) {
        auto restored = Session::Deserialize(snapshot);
        ASSERT_TRUE(restored.ok());
        receiver = std::move(restored).value();
      }
    };
    for (size_t i = 0; i < message.size(); ++i) {
      Bytes tampered = message;
      tampered[i] ^= 0x01;
      expect_refused(tampered, "byte " + std::to_string(i));
    }
    for (size_t length = 0; length < message.size(); ++length) {
      expect_refused(ByteSpan(message).first(length), "truncated to " + std::to_string(length));
    }
    Bytes longer = message;
    longer.push_back(0);
    expect_refused(longer, "appended byte");
    EXPECT_EQ(receiver.awaiting_reply(), awaiting);
    EXPECT_TRUE(Decrypts(receiver, message, plaintext)) << "intact message after corruptions";
  }

  void Reload(std::optional<Session>& session) {
    SecretBytes state = session->Serialize();
    auto restored = Session::Deserialize(state.span());
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    session.emplace(std::move(restored).value());
  }

  // `messages` messages in random directions, delivered in random order from
  // bounded in-flight pools, with replays of delivered messages mixed in.
  void RunConversation(size_t messages, bool reload);

  DeterministicRandom rng_;
  IdentityKeyPair alice_id_;
  IdentityKeyPair bob_id_;
  IdentityKeyPair carol_id_;
  SignedPreKey bob_spk_;
  OneTimePreKey bob_opk_;
  OneTimePreKey bob_opk2_;
  std::optional<Session> alice_;
  std::optional<Session> bob_;
  Bytes first_message_;
  int round_trips_ = 0;
};

// ---------------------------------------------------------------------------
// Establishment and message types

TEST_F(SessionTest, EstablishesAndTalksBothWays) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes to_alice = Encrypt(*bob_, "hi alice");
  EXPECT_TRUE(Decrypts(*alice_, to_alice, "hi alice"));
  const Bytes to_bob = Encrypt(*alice_, "how are you");
  EXPECT_TRUE(Decrypts(*bob_, to_bob, "how are you"));
  EXPECT_EQ(alice_->skipped_key_count(), 0u);
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

TEST_F(SessionTest, IdentitiesAndBaseKeyAreConsistent) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  EXPECT_EQ(alice_->local_identity(), alice_id_.public_key());
  EXPECT_EQ(alice_->remote_identity(), bob_id_.public_key());
  EXPECT_EQ(bob_->local_identity(), bob_id_.public_key());
  EXPECT_EQ(bob_->remote_identity(), alice_id_.public_key());
  EXPECT_EQ(alice_->base_key(), bob_->base_key());
  EXPECT_NE(alice_->base_key(), DhPublicKey());
  auto parsed = ParseInitialMessage(first_message_);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.base_key, alice_->base_key());

  ASSERT_NO_FATAL_FAILURE(Reload(alice_));
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_EQ(alice_->local_identity(), alice_id_.public_key());
  EXPECT_EQ(alice_->remote_identity(), bob_id_.public_key());
  EXPECT_EQ(bob_->local_identity(), bob_id_.public_key());
  EXPECT_EQ(bob_->remote_identity(), alice_id_.public_key());
  EXPECT_EQ(alice_->base_key(), bob_->base_key());
}

TEST_F(SessionTest, EstablishesWithoutOneTimePreKey) {
  auto alice = Session::Initiate(alice_id_, MakePreKeyBundle(bob_id_, bob_spk_, nullptr), rng_);
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  const Bytes first = Encrypt(*alice, "no otk");
  auto parsed = ParseInitialMessage(first);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.one_time_prekey_id, std::nullopt);
  EXPECT_EQ(first[kHasOtkOffset], 0);
  // An OPK the header does not name is a caller error.
  EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, &bob_opk_, first, rng_).status().code(),
            ErrorCode::kInvalidArgument);
  auto accepted = Session::Accept(bob_id_, bob_spk_, nullptr, first, rng_);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_TRUE(SameBytes(accepted->plaintext.span(), AsBytes("no otk")));
  const Bytes reply = Encrypt(accepted->session, "ok");
  EXPECT_TRUE(Decrypts(*alice, reply, "ok"));
}

TEST_F(SessionTest, InitiatorSendsInitialMessagesUntilItDecryptsAReply) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  EXPECT_EQ(first_message_[0], kMessageVersion);
  EXPECT_EQ(first_message_[1], kInitialMessageType);
  EXPECT_TRUE(alice_->awaiting_reply());
  EXPECT_FALSE(bob_->awaiting_reply());

  const Bytes a1 = Encrypt(*alice_, "a1");
  const Bytes a2 = Encrypt(*alice_, "a2");
  for (const Bytes& m : {a1, a2}) {
    EXPECT_EQ(m[1], kInitialMessageType);
    auto type = PeekMessageType(m);
    ASSERT_TRUE(type.ok());
    EXPECT_EQ(*type, MessageType::kInitial);
  }
  EXPECT_TRUE(Decrypts(*bob_, a1, "a1"));
  EXPECT_TRUE(Decrypts(*bob_, a2, "a2"));

  const Bytes b1 = Encrypt(*bob_, "b1");
  EXPECT_EQ(b1[0], kMessageVersion);
  EXPECT_EQ(b1[1], kRatchetMessageType);
  auto b1_type = PeekMessageType(b1);
  ASSERT_TRUE(b1_type.ok());
  EXPECT_EQ(*b1_type, MessageType::kRatchet);

  // Until the reply is decrypted, Alice still sends initial messages.
  const Bytes a3 = Encrypt(*alice_, "a3");
  EXPECT_EQ(a3[1], kInitialMessageType);
  EXPECT_TRUE(alice_->awaiting_reply());

  EXPECT_TRUE(Decrypts(*alice_, b1, "b1"));
  EXPECT_FALSE(alice_->awaiting_reply());
  const Bytes a4 = Encrypt(*alice_, "a4");
  EXPECT_EQ(a4[1], kRatchetMessageType);

  // Bob gets the new chain first, then the late initial message of the old one.
  EXPECT_TRUE(Decrypts(*bob_, a4, "a4"));
  EXPECT_EQ(bob_->skipped_key_count(), 1u);
  EXPECT_TRUE(Decrypts(*bob_, a3, "a3"));
  EXPECT_EQ(bob_->skipped_key_count(), 0u);

  // awaiting_reply survives save/load.
  ASSERT_NO_FATAL_FAILURE(Reload(alice_));
  EXPECT_FALSE(alice_->awaiting_reply());
}

TEST_F(SessionTest, AwaitingReplySurvivesSaveAndLoad) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(Reload(alice_));
  EXPECT_TRUE(alice_->awaiting_reply());
  const Bytes a1 = Encrypt(*alice_, "after reload");
  EXPECT_EQ(a1[1], kInitialMessageType);
  EXPECT_TRUE(Decrypts(*bob_, a1, "after reload"));
}

TEST_F(SessionTest, AcceptTakesAnyOfTheInitialMessages) {
  // The first message may be lost or overtaken: Bob accepts the third, then
  // decrypts the other two with the same session.
  auto alice = Session::Initiate(alice_id_, MakePreKeyBundle(bob_id_, bob_spk_, &bob_opk_), rng_);
  ASSERT_TRUE(alice.ok());
  const std::vector<Bytes> m = EncryptMany(*alice, 3, "m");
  auto accepted = Session::Accept(bob_id_, bob_spk_, &bob_opk_, m[2], rng_);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_TRUE(SameBytes(accepted->plaintext.span(), AsBytes("m2")));
  Session bob = std::move(accepted->session);
  EXPECT_EQ(bob.skipped_key_count(), 2u);
  EXPECT_TRUE(Decrypts(bob, m[0], "m0"));
  EXPECT_TRUE(Decrypts(bob, m[1], "m1"));
  EXPECT_TRUE(Refused(bob, m[2], {ErrorCode::kDuplicateMessage}));
}

// Finding 4: devices of one account (one identity key) hold ordinary
// sessions with each other, started from device-bound bundles.
TEST_F(SessionTest, DevicesOfOneAccountTalkBothWays) {
  std::array<uint8_t, kUserIdSize> user{};
  user.fill(0xA1);
  const DeviceAddress phone{UserId(user), 1}, laptop{UserId(user), 2};
  SignedPreKey laptop_spk = SignedPreKey::GenerateForDevice(alice_id_, laptop, 1, rng_);
  OneTimePreKey laptop_opk = OneTimePreKey::Generate(1, rng_);
  auto from_phone = Session::Initiate(
      alice_id_, phone, MakePreKeyBundle(alice_id_, laptop_spk, &laptop_opk), laptop, rng_);
  ASSERT_TRUE(from_phone.ok()) << from_phone.status().ToString();
  const Bytes first = Encrypt(*from_phone, "sent from my phone");
  auto on_laptop = Session::Accept(alice_id_, laptop_spk, &laptop_opk, first, rng_);
  ASSERT_TRUE(on_laptop.ok()) << on_laptop.status().ToString();
  EXPECT_TRUE(SameBytes(on_laptop->plaintext.span(), AsBytes("sent from my phone")));
  EXPECT_EQ(on_laptop->session.remote_identity(), alice_id_.public_key());
  EXPECT_TRUE(
      Decrypts(*from_phone, Encrypt(on_laptop->session, "read on laptop"), "read on laptop"));
  EXPECT_TRUE(Decrypts(on_laptop->session, Encrypt(*from_phone, "next"), "next"));
  // A message reflected back to its own sender never decrypts there.
  const Bytes to_laptop = Encrypt(*from_phone, "to laptop");
  EXPECT_TRUE(Refused(*from_phone, to_laptop, {ErrorCode::kInvalidMessage}));
  EXPECT_TRUE(Decrypts(on_laptop->session, to_laptop, "to laptop"));
}

TEST_F(SessionTest, EachEncryptionIsDifferent) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes a = Encrypt(*bob_, "same");
  const Bytes b = Encrypt(*bob_, "same");
  EXPECT_NE(a, b);
  EXPECT_TRUE(Decrypts(*alice_, b, "same"));
  EXPECT_TRUE(Decrypts(*alice_, a, "same"));
}

TEST_F(SessionTest, PeekMessageType) {
  EXPECT_EQ(PeekMessageType(ByteSpan()).status().code(), ErrorCode::kInvalidMessage);
  // Unknown versions, and the current version with an unknown or missing type.
  for (const Bytes& message : {Bytes{0x00, 1, 2, 3}, Bytes{0x04, 1, 2, 3}, Bytes{0x80, 1},
                               Bytes{0xFF, 1}, Bytes{kMessageVersion}, Bytes{kMessageVersion, 0x00},
                               Bytes{kMessageVersion, 0x03}, Bytes{kMessageVersion, 0xFF}}) {
    EXPECT_EQ(PeekMessageType(message).status().code(), ErrorCode::kInvalidMessage)
        << int{message[0]};
  }
  for (const auto& [bytes, type] : std::vector<std::pair<Bytes, MessageType>>{
           {Bytes{kMessageVersion, kRatchetMessageType}, MessageType::kRatchet},
           {Bytes{kMessageVersion, kInitialMessageType}, MessageType::kInitial},
           {Bytes{kLegacyRatchetMessageVersion}, MessageType::kRatchet},
           {Bytes{kLegacyInitialMessageVersion}, MessageType::kInitial}}) {
    auto peeked = PeekMessageType(bytes);
    ASSERT_TRUE(peeked.ok());
    EXPECT_EQ(*peeked, type);
  }
}

// ---------------------------------------------------------------------------
// Many messages, any order

void SessionTest::RunConversation(size_t messages, bool reload) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  // A model of the DH ratchet, to know which messages the bound on kept
  // receiving chains makes undecryptable: each side's sending chain number,
  // and the newest chain of the peer's it has received. Receiving a message
  // of a newer chain is a DH step: a new sending chain. A receiver keeps its
  // newest chain and kMaxPreviousReceivingChains before it; a message of an
  // older chain no longer authenticates (kInvalidMessage) and is the only
  // kind of message allowed to be lost here.
  struct InFlight {
    Bytes message;
    std::string plaintext;
    int chain = 0;
  };
  int send_chain[2] = {0, 0};        // By sender: 0 Alice, 1 Bob.
  int newest_received[2] = {-1, 0};  // By receiver: 0 Alice, 1 Bob (Bob accepted chain 0).
  auto keeps = [&](int receiver_side, int chain) {
    return chain >= newest_received[receiver_side] - static_cast<int>(kMaxPreviousReceivingChains);
  };
  size_t lost_to_chain_bound = 0;
  constexpr size_t kMaxInFlight = 16;  // Per direction.
  std::mt19937 gen(20240611);
  // Index 0: Alice -> Bob. Index 1: Bob -> Alice.
  std::vector<InFlight> in_flight[2];
  std::vector<InFlight> delivered[2];
  std::set<std::string> seen;
  auto sender = [&](int direction) -> Session& { return direction == 0 ? *alice_ : *bob_; };
  auto receiver = [&](int direction) -> Session& { return direction == 0 ? *bob_ : *alice_; };
  size_t sent = 0;
  size_t received = 0;
  size_t replays = 0;
  size_t max_skipped = 0;

  for (size_t step = 0; sent < messages || !in_flight[0].empty() || !in_flight[1].empty(); ++step) {
    const int action = std::uniform_int_distribution<int>(0, 99)(gen);
    const int direction = action % 2;
    if (action < 48) {
      if (sent == messages || in_flight[direction].size() >= kMaxInFlight) continue;
      std::string text = (direction == 0 ? "a>b " : "b>a ") + std::to_string(sent) + " ";
      text.append(std::uniform_int_distribution<size_t>(0, 300)(gen),
                  static_cast<char>('a' + sent % 26));
      Bytes message = Encrypt(sender(direction), text);
      ASSERT_FALSE(message.empty()) << "step " << step;
      in_flight[direction].push_back({std::move(message), std::move(text), send_chain[direction]});
      ++sent;
    } else if (action < 96) {
      std::vector<InFlight>& pool = in_flight[direction];
      if (pool.empty()) continue;
      const size_t index = std::uniform_int_distribution<size_t>(0, pool.size() - 1)(gen);
      std::swap(pool[index], pool.back());
      InFlight item = std::move(pool.back());
      pool.pop_back();
      const int receiver_side = 1 - direction;
      if (!keeps(receiver_side, item.chain)) {
        ASSERT_TRUE(Refused(receiver(direction), item.message, {ErrorCode::kInvalidMessage}))
            << "step " << step << ": " << item.plaintext.substr(0, 12);
        ++lost_to_chain_bound;
        continue;
      }
      ASSERT_TRUE(Decrypts(receiver(direction), item.message, item.plaintext))
          << "step " << step << ": " << item.plaintext.substr(0, 12) << " chain " << item.chain
          << " newest " << newest_received[receiver_side];
      ASSERT_TRUE(seen.insert(item.plaintext).second) << item.plaintext.substr(0, 12);
      if (item.chain > newest_received[receiver_side]) {
        newest_received[receiver_side] = item.chain;
        ++send_chain[receiver_side];
      }
      delivered[direction].push_back(std::move(item));
      ++received;
      max_skipped = std::max(max_skipped, receiver(direction).skipped_key_count());
    } else {
      const std::vector<InFlight>& done = delivered[direction];
      if (done.empty()) continue;
      const InFlight& replayed =
          done[std::uniform_int_distribution<size_t>(0, done.size() - 1)(gen)];
      // A replay within the kept chains is a duplicate, beyond them unknown.
      ASSERT_TRUE(Refused(receiver(direction), replayed.message,
                          {keeps(1 - direction, replayed.chain) ? ErrorCode::kDuplicateMessage
                                                                : ErrorCode::kInvalidMessage}))
          << "replay at step " << step;
      ++replays;
    }
    if (reload && step % 53 == 52) {
      ASSERT_NO_FATAL_FAILURE(Reload(alice_));
      ASSERT_NO_FATAL_FAILURE(Reload(bob_));
    }
  }
  EXPECT_EQ(sent, messages);
  EXPECT_EQ(received + lost_to_chain_bound, messages);
  EXPECT_EQ(seen.size(), received);
  // The bound rarely bites at this reordering depth.
  EXPECT_LT(lost_to_chain_bound, messages / 50);
  EXPECT_GT(replays, 0u);
  EXPECT_GT(max_skipped, 2u);  // The delivery order really was shuffled.
  EXPECT_GT(delivered[0].size(), messages / 4);
  EXPECT_GT(delivered[1].size(), messages / 4);
  // Every skipped key was used by the message it was kept for.
  EXPECT_EQ(alice_->skipped_key_count(), 0u);
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
  EXPECT_FALSE(alice_->awaiting_reply());
}

TEST_F(SessionTest, RandomConversationDecryptsEveryMessageExactlyOnce) {
  RunConversation(1000, /*reload=*/false);
}

TEST_F(SessionTest, RandomConversationSurvivesSaveAndLoad) {
  RunConversation(1000, /*reload=*/true);
}

TEST_F(SessionTest, OutOfOrderAcrossRatchetSteps) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const std::vector<Bytes> a = EncryptMany(*alice_, 4, "a");  // a0..a3, first chain.
  EXPECT_TRUE(Decrypts(*bob_, a[0], "a0"));
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> b = EncryptMany(*alice_, 3, "b");  // Second chain.
  // The last of the new chain first: skips a1..a3 and b0..b1.
  EXPECT_TRUE(Decrypts(*bob_, b[2], "b2"));
  EXPECT_EQ(bob_->skipped_key_count(), 5u);
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> c = EncryptMany(*alice_, 2, "c");  // Third chain.
  EXPECT_TRUE(Decrypts(*bob_, c[1], "c1"));
  EXPECT_EQ(bob_->skipped_key_count(), 6u);
  // Bob's replies are also delivered out of order to Alice.
  const std::vector<Bytes> r = EncryptMany(*bob_, 3, "r");
  EXPECT_TRUE(Decrypts(*alice_, r[2], "r2"));
  EXPECT_TRUE(Decrypts(*alice_, r[0], "r0"));
  // Messages two chains old, then one chain old, then current.
  EXPECT_TRUE(Decrypts(*bob_, a[2], "a2"));
  EXPECT_TRUE(Decrypts(*bob_, b[0], "b0"));
  EXPECT_TRUE(Decrypts(*bob_, a[3], "a3"));
  EXPECT_TRUE(Decrypts(*bob_, c[0], "c0"));
  EXPECT_TRUE(Decrypts(*bob_, a[1], "a1"));
  EXPECT_TRUE(Decrypts(*bob_, b[1], "b1"));
  EXPECT_TRUE(Decrypts(*alice_, r[1], "r1"));
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
  EXPECT_EQ(alice_->skipped_key_count(), 0u);
}

// ---------------------------------------------------------------------------
// Skip bounds

TEST_F(SessionTest, SkippingExactlyMaxPerChainWorksOneMoreIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());  // Alice's next messages start a fresh chain.
  const std::vector<Bytes> m = EncryptMany(*alice_, kMaxSkipPerChain + 2, "m");
  EXPECT_TRUE(Refused(*bob_, m[kMaxSkipPerChain + 1], {ErrorCode::kUndecryptableMessage}));
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
  EXPECT_TRUE(Decrypts(*bob_, m[kMaxSkipPerChain], Text("m", kMaxSkipPerChain)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkipPerChain);
  EXPECT_TRUE(Decrypts(*bob_, m[kMaxSkipPerChain + 1], Text("m", kMaxSkipPerChain + 1)));
  for (size_t i = 0; i < kMaxSkipPerChain; ++i) {
    ASSERT_TRUE(Decrypts(*bob_, m[i], Text("m", i))) << i;
  }
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

TEST_F(SessionTest, SkipBoundCountsFromTheChainPosition) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  constexpr size_t kReceived = 5;
  const std::vector<Bytes> m = EncryptMany(*alice_, kReceived + kMaxSkipPerChain + 2, "m");
  for (size_t i = 0; i < kReceived; ++i) ASSERT_TRUE(Decrypts(*bob_, m[i], Text("m", i)));
  const size_t too_far = kReceived + kMaxSkipPerChain + 1;
  EXPECT_TRUE(Refused(*bob_, m[too_far], {ErrorCode::kUndecryptableMessage}));
  EXPECT_TRUE(Decrypts(*bob_, m[too_far - 1], Text("m", too_far - 1)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkipPerChain);
  EXPECT_TRUE(Decrypts(*bob_, m[too_far], Text("m", too_far)));
}

TEST_F(SessionTest, SkipBoundAppliesToTheOldChainOnARatchetStep) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> old_chain = EncryptMany(*alice_, kMaxSkipPerChain + 2, "old");
  ASSERT_TRUE(Decrypts(*bob_, old_chain[0], "old0"));
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const Bytes next_chain = Encrypt(*alice_, "new");
  // Would skip old1..old1001 (kMaxSkipPerChain + 1 keys) of the old chain.
  EXPECT_TRUE(Refused(*bob_, next_chain, {ErrorCode::kUndecryptableMessage}));
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
  // Receiving the old chain's last message first skips exactly the maximum.
  EXPECT_TRUE(Decrypts(*bob_, old_chain[kMaxSkipPerChain + 1], Text("old", kMaxSkipPerChain + 1)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkipPerChain);
  EXPECT_TRUE(Decrypts(*bob_, next_chain, "new"));
  EXPECT_TRUE(Decrypts(*bob_, old_chain[1], "old1"));
}

TEST_F(SessionTest, SkipBoundIsPerChain) {
  static_assert(2 * kMaxSkipPerChain <= kMaxSkippedKeysTotal);
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> old_chain = EncryptMany(*alice_, kMaxSkipPerChain + 1, "old");
  ASSERT_TRUE(Decrypts(*bob_, old_chain[0], "old0"));
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> new_chain = EncryptMany(*alice_, kMaxSkipPerChain + 1, "new");
  // kMaxSkipPerChain keys in the old chain plus kMaxSkipPerChain in the new one.
  EXPECT_TRUE(Decrypts(*bob_, new_chain[kMaxSkipPerChain], Text("new", kMaxSkipPerChain)));
  EXPECT_EQ(bob_->skipped_key_count(), 2 * kMaxSkipPerChain);
  for (size_t i = 1; i <= kMaxSkipPerChain; ++i) {
    ASSERT_TRUE(Decrypts(*bob_, old_chain[i], Text("old", i))) << i;
  }
  for (size_t i = 0; i < kMaxSkipPerChain; ++i) {
    ASSERT_TRUE(Decrypts(*bob_, new_chain[i], Text("new", i))) << i;
  }
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

TEST_F(SessionTest, TotalSkippedKeysAreBoundedOldestEvicted) {
  static_assert(kMaxSkippedKeysTotal == 2 * kMaxSkipPerChain,
                "the chain sizes below are chosen for these limits");
  constexpr size_t kSkip = kMaxSkipPerChain;
  constexpr size_t kHalf = kSkip / 2;
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());

  // Chain 1: skip kSkip keys (c1[0..kSkip)).
  const std::vector<Bytes> c1 = EncryptMany(*alice_, kSkip + 1, "c1-");
  ASSERT_TRUE(Decrypts(*bob_, c1[kSkip], Text("c1-", kSkip)));
  EXPECT_EQ(bob_->skipped_key_count(), kSkip);
  ASSERT_NO_FATAL_FAILURE(RoundTrip());

  // Chain 2: skip kSkip more; now exactly at the bound.
  const std::vector<Bytes> c2 = EncryptMany(*alice_, kSkip + 1, "c2-");
  ASSERT_TRUE(Decrypts(*bob_, c2[kSkip], Text("c2-", kSkip)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkippedKeysTotal);
  ASSERT_NO_FATAL_FAILURE(RoundTrip());

  // Chain 3: skip kHalf (the total bound evicts c1[0..kHalf)), then kSkip
  // more in the same chain: chain 3 would hold kHalf + kSkip keys, so the
  // per-chain bound evicts its own oldest (c3[0..kHalf)), and the total bound
  // the rest of chain 1. Neither message is refused.
  const std::vector<Bytes> c3 = EncryptMany(*alice_, kHalf + 1 + kSkip + 1, "c3-");
  ASSERT_TRUE(Decrypts(*bob_, c3[kHalf], Text("c3-", kHalf)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkippedKeysTotal);
  ASSERT_TRUE(Decrypts(*bob_, c3[kHalf + 1 + kSkip], Text("c3-", kHalf + 1 + kSkip)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkippedKeysTotal);

  // A state holding the maximum of skipped keys still saves and loads.
  EXPECT_LE(bob_->Serialize().size(), kMaxSessionStateSize);
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkippedKeysTotal);

  // The evicted ones are reported as undecryptable (never as duplicates:
  // they were never decrypted). Checked at the edges and a sample in
  // between, to keep the test fast.
  auto expect_evicted = [&](const std::vector<Bytes>& chain, size_t begin, size_t end) {
    std::vector<size_t> sample = {begin, end - 1};
    for (size_t i = begin + 1; i < end - 1; i += 37) sample.push_back(i);
    for (size_t i : sample) {
      EXPECT_TRUE(Refused(*bob_, chain[i], {ErrorCode::kUndecryptableMessage}))
          << "evicted message " << i;
    }
  };
  expect_evicted(c1, 0, kSkip);
  expect_evicted(c3, 0, kHalf);
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkippedKeysTotal);
  // Messages that were decrypted are duplicates, in every chain.
  EXPECT_TRUE(Refused(*bob_, c1[kSkip], {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Refused(*bob_, c2[kSkip], {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Refused(*bob_, c3[kHalf], {ErrorCode::kDuplicateMessage}));

  // Every other one still decrypts.
  for (size_t i = 0; i < kSkip; ++i) ASSERT_TRUE(Decrypts(*bob_, c2[i], Text("c2-", i))) << i;
  for (size_t i = kHalf + 1; i < kHalf + 1 + kSkip; ++i) {
    ASSERT_TRUE(Decrypts(*bob_, c3[i], Text("c3-", i))) << i;
  }
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
  // Evicted stays evicted after all that.
  expect_evicted(c1, 0, kSkip);

  // And the conversation goes on.
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  EXPECT_TRUE(Decrypts(*bob_, Encrypt(*alice_, "still here"), "still here"));
}

// Finding 5: the documented per-chain bound held only per message, so two
// skips in one chain kept 1,998 keys; the second skip now evicts the chain's
// oldest, which are then reported as undecryptable.
TEST_F(SessionTest, PerChainBoundHoldsAcrossSkipsInOneChain) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  constexpr size_t kJump = kMaxSkipPerChain - 1;
  const std::vector<Bytes> m = EncryptMany(*alice_, 2 * (kJump + 1), "m");
  ASSERT_TRUE(Decrypts(*bob_, m[kJump], Text("m", kJump)));
  EXPECT_EQ(bob_->skipped_key_count(), kJump);
  ASSERT_TRUE(Decrypts(*bob_, m[2 * kJump + 1], Text("m", 2 * kJump + 1)));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxSkipPerChain);
  // 2 * kJump keys were skipped; the oldest kJump - 2 of them were evicted.
  const size_t evicted = 2 * kJump - kMaxSkipPerChain;
  for (size_t i : {size_t{0}, evicted / 2, evicted - 1}) {
    EXPECT_TRUE(Refused(*bob_, m[i], {ErrorCode::kUndecryptableMessage})) << i;
  }
  EXPECT_TRUE(Refused(*bob_, m[kJump], {ErrorCode::kDuplicateMessage}));
  for (size_t i = evicted; i < 2 * kJump + 1; ++i) {
    if (i == kJump) continue;
    ASSERT_TRUE(Decrypts(*bob_, m[i], Text("m", i))) << i;
  }
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

// Finding 5: at most kMaxPreviousReceivingChains old chains are kept. A
// message of a kept chain is a duplicate or decrypts; one of an older chain
// no longer authenticates.
TEST_F(SessionTest, OnlyTheNewestPreviousChainsAreKept) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  constexpr size_t kChains = kMaxPreviousReceivingChains + 3;
  std::vector<Bytes> decrypted, skipped;  // One of each per chain of Alice's.
  for (size_t chain = 0; chain < kChains; ++chain) {
    const std::vector<Bytes> m = EncryptMany(*alice_, 2, Text("c", chain) + "-");
    ASSERT_TRUE(Decrypts(*bob_, m[1], Text("c", chain) + "-1"));
    decrypted.push_back(m[1]);
    skipped.push_back(m[0]);
    ASSERT_NO_FATAL_FAILURE(RoundTrip());
  }
  // Bob's newest receiving chain is Alice's last one, with the previous
  // kMaxPreviousReceivingChains before it.
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_EQ(bob_->skipped_key_count(), kMaxPreviousReceivingChains + 1);
  for (size_t chain = 0; chain < kChains; ++chain) {
    const bool kept = chain + kMaxPreviousReceivingChains + 1 >= kChains;
    if (!kept) {
      EXPECT_TRUE(Refused(*bob_, decrypted[chain], {ErrorCode::kInvalidMessage})) << chain;
      EXPECT_TRUE(Refused(*bob_, skipped[chain], {ErrorCode::kInvalidMessage})) << chain;
      continue;
    }
    EXPECT_TRUE(Refused(*bob_, decrypted[chain], {ErrorCode::kDuplicateMessage})) << chain;
    EXPECT_TRUE(Decrypts(*bob_, skipped[chain], Text("c", chain) + "-0")) << chain;
    EXPECT_TRUE(Refused(*bob_, skipped[chain], {ErrorCode::kDuplicateMessage})) << chain;
  }
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

// Evicted counters are remembered in a bounded number of ranges. With more
// holes than that, decrypted messages between merged ranges read as
// evicted; an evicted message never reads as a duplicate.
TEST_F(SessionTest, EvictedRangesAreBoundedAndNeverClaimADuplicate) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  constexpr size_t kHoles = 3 * kMaxEvictedRangesPerChain;
  const std::vector<Bytes> m = EncryptMany(*alice_, kMaxSkipPerChain + 2 * kHoles + 2, "m");
  // Skip kMaxSkipPerChain keys, then decrypt every other one of the oldest
  // 2 * kHoles: the chain's skipped keys now alternate with decrypted ones.
  ASSERT_TRUE(Decrypts(*bob_, m[kMaxSkipPerChain], Text("m", kMaxSkipPerChain)));
  std::vector<bool> was_decrypted(m.size(), false);
  for (size_t i = 1; i < 2 * kHoles; i += 2) {
    ASSERT_TRUE(Decrypts(*bob_, m[i], Text("m", i)));
    was_decrypted[i] = true;
  }
  // Skipping 2 * kHoles + 1 more in the chain evicts its oldest keys: the
  // even-numbered messages below 2 * kHoles, each a separate range.
  ASSERT_TRUE(Decrypts(*bob_, m.back(), Text("m", m.size() - 1)));
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  size_t duplicates = 0;
  for (size_t i = 0; i < 2 * kHoles; ++i) {
    const Bytes before = StateOf(*bob_);
    auto result = bob_->Decrypt(m[i], rng_);
    ASSERT_FALSE(result.ok()) << i;
    EXPECT_EQ(StateOf(*bob_), before);
    if (!was_decrypted[i]) {
      EXPECT_EQ(result.status().code(), ErrorCode::kUndecryptableMessage) << i;
    } else {
      EXPECT_TRUE(result.status().code() == ErrorCode::kDuplicateMessage ||
                  result.status().code() == ErrorCode::kUndecryptableMessage)
          << i;
      duplicates += result.status().code() == ErrorCode::kDuplicateMessage;
    }
  }
  // Most decrypted ones are still known as such; the state stays small.
  EXPECT_GT(duplicates, kMaxEvictedRangesPerChain / 2);
  EXPECT_LT(bob_->Serialize().size(), 2 * 1024 + kMaxSkipPerChain * 36);
}

// ---------------------------------------------------------------------------
// Tampering

TEST_F(SessionTest, TamperedInitialMessagesAreRefusedWithoutStateChange) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const std::vector<Bytes> a = EncryptMany(*alice_, 3, "a");
  ASSERT_EQ(a[0][1], kInitialMessageType);
  // In order, then one that skips, then the skipped one.
  ExpectEveryCorruptionRefused(*bob_, a[0], "a0");
  ExpectEveryCorruptionRefused(*bob_, a[2], "a2");
  ExpectEveryCorruptionRefused(*bob_, a[1], "a1");
}

TEST_F(SessionTest, TamperedFirstReplyIsRefusedWithoutStateChange) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes reply = Encrypt(*bob_, "first reply");
  ExpectEveryCorruptionRefused(*alice_, reply, "first reply");
  EXPECT_FALSE(alice_->awaiting_reply());
}

TEST_F(SessionTest, TamperedRatchetMessagesAreRefusedWithoutStateChange) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> x = EncryptMany(*alice_, 3, "x");
  ASSERT_EQ(x[0][1], kRatchetMessageType);
  // A DH ratchet step that also skips two keys, then the skipped keys.
  ExpectEveryCorruptionRefused(*bob_, x[2], "x2");
  ExpectEveryCorruptionRefused(*bob_, x[0], "x0");
  // The same-chain path, in order, on the other side.
  const std::vector<Bytes> y = EncryptMany(*bob_, 2, "y");
  ExpectEveryCorruptionRefused(*alice_, y[0], "y0");
  ExpectEveryCorruptionRefused(*alice_, y[1], "y1");
  EXPECT_TRUE(Decrypts(*bob_, x[1], "x1"));
}

TEST_F(SessionTest, OtherMessageTypesAreRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes m = Encrypt(*bob_, "m");
  for (uint8_t version : {uint8_t{0x00}, kLegacyRatchetMessageVersion, kLegacyInitialMessageVersion,
                          uint8_t{0x04}, uint8_t{0xFF}}) {
    Bytes changed = m;
    changed[0] = version;
    EXPECT_TRUE(Refused(*alice_, changed, {ErrorCode::kInvalidMessage})) << int{version};
  }
  for (uint8_t type : {uint8_t{0x00}, kInitialMessageType, uint8_t{0x03}, uint8_t{0xFF}}) {
    Bytes changed = m;
    changed[1] = type;
    EXPECT_TRUE(Refused(*alice_, changed, {ErrorCode::kInvalidMessage})) << int{type};
  }
  EXPECT_TRUE(Refused(*alice_, ByteSpan(), {ErrorCode::kInvalidMessage}));
  EXPECT_TRUE(Decrypts(*alice_, m, "m"));
}

// ---------------------------------------------------------------------------
// Replays

TEST_F(SessionTest, ReplayIsRefusedAsDuplicate) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  // The initial message Accept consumed.
  EXPECT_TRUE(Refused(*bob_, first_message_, {ErrorCode::kDuplicateMessage}));
  const Bytes a1 = Encrypt(*alice_, "a1");
  ASSERT_TRUE(Decrypts(*bob_, a1, "a1"));
  EXPECT_TRUE(Refused(*bob_, a1, {ErrorCode::kDuplicateMessage}));
  const Bytes b1 = Encrypt(*bob_, "b1");
  ASSERT_TRUE(Decrypts(*alice_, b1, "b1"));
  EXPECT_TRUE(Refused(*alice_, b1, {ErrorCode::kDuplicateMessage}));
  // Ratchet messages of the current chain.
  const Bytes a2 = Encrypt(*alice_, "a2");
  ASSERT_TRUE(Decrypts(*bob_, a2, "a2"));
  EXPECT_TRUE(Refused(*bob_, a2, {ErrorCode::kDuplicateMessage}));
}

TEST_F(SessionTest, ReplayOfASkippedKeyMessageIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  const std::vector<Bytes> m = EncryptMany(*alice_, 4, "m");
  ASSERT_TRUE(Decrypts(*bob_, m[3], "m3"));
  ASSERT_TRUE(Decrypts(*bob_, m[1], "m1"));  // Uses (and must delete) a skipped key.
  EXPECT_EQ(bob_->skipped_key_count(), 2u);
  EXPECT_TRUE(Refused(*bob_, m[1], {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Refused(*bob_, m[3], {ErrorCode::kDuplicateMessage}));

  // After save/load, used keys stay used; unused ones still work once.
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_EQ(bob_->skipped_key_count(), 2u);
  EXPECT_TRUE(Refused(*bob_, m[1], {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Refused(*bob_, m[3], {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Decrypts(*bob_, m[0], "m0"));
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_TRUE(Refused(*bob_, m[0], {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Decrypts(*bob_, m[2], "m2"));
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

TEST_F(SessionTest, ReplayAfterSaveAndLoadIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes a1 = Encrypt(*alice_, "a1");
  ASSERT_TRUE(Decrypts(*bob_, a1, "a1"));
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_TRUE(Refused(*bob_, a1, {ErrorCode::kDuplicateMessage}));
  EXPECT_TRUE(Refused(*bob_, first_message_, {ErrorCode::kDuplicateMessage}));
  const Bytes b1 = Encrypt(*bob_, "b1");
  ASSERT_TRUE(Decrypts(*alice_, b1, "b1"));
  ASSERT_NO_FATAL_FAILURE(Reload(alice_));
  EXPECT_TRUE(Refused(*alice_, b1, {ErrorCode::kDuplicateMessage}));
}

TEST_F(SessionTest, ReplayFromAnOlderChainIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes a1 = Encrypt(*alice_, "a1");
  ASSERT_TRUE(Decrypts(*bob_, a1, "a1"));
  const Bytes b1 = Encrypt(*bob_, "b1");
  ASSERT_TRUE(Decrypts(*alice_, b1, "b1"));
  // Two more DH ratchet steps in each direction.
  for (int i = 0; i < 2; ++i) {
    ASSERT_NO_FATAL_FAILURE(RoundTrip());
    ASSERT_TRUE(Decrypts(*bob_, Encrypt(*alice_, "step"), "step"));
  }
  const std::initializer_list<ErrorCode> refused = {ErrorCode::kDuplicateMessage,
                                                    ErrorCode::kInvalidMessage};
  EXPECT_TRUE(Refused(*bob_, a1, refused));
  EXPECT_TRUE(Refused(*bob_, first_message_, refused));
  EXPECT_TRUE(Refused(*alice_, b1, refused));
  ASSERT_NO_FATAL_FAILURE(Reload(alice_));
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  EXPECT_TRUE(Refused(*bob_, a1, refused));
  EXPECT_TRUE(Refused(*bob_, first_message_, refused));
  EXPECT_TRUE(Refused(*alice_, b1, refused));
}

// ---------------------------------------------------------------------------
// Persistence

TEST_F(SessionTest, SerializeMidConversationAndContinueBothWays) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  ASSERT_NO_FATAL_FAILURE(RoundTrip());
  // Leave skipped keys pending on both sides.
  const std::vector<Bytes> a = EncryptMany(*alice_, 3, "a");
  ASSERT_TRUE(Decrypts(*bob_, a[2], "a2"));
  const std::vector<Bytes> b = EncryptMany(*bob_, 3, "b");
  ASSERT_TRUE(Decrypts(*alice_, b[1], "b1"));

  const Bytes alice_state = StateOf(*alice_);
  const Bytes bob_state = StateOf(*bob_);
  const size_t alice_skipped = alice_->skipped_key_count();
  const size_t bob_skipped = bob_->skipped_key_count();
  ASSERT_NO_FATAL_FAILURE(Reload(alice_));
  ASSERT_NO_FATAL_FAILURE(Reload(bob_));
  // Loading is lossless: the same bytes come back out.
  EXPECT_TRUE(StateOf(*alice_) == alice_state);
  EXPECT_TRUE(StateOf(*bob_) == bob_state);
  EXPECT_EQ(alice_->skipped_key_count(), alice_skipped);
  EXPECT_EQ(bob_->skipped_key_count(), bob_skipped);
  EXPECT_FALSE(alice_->awaiting_reply());

  EXPECT_TRUE(Decrypts(*bob_, a[0], "a0"));
  EXPECT_TRUE(Decrypts(*alice_, b[0], "b0"));
  EXPECT_TRUE(Decrypts(*alice_, b[2], "b2"));
  EXPECT_TRUE(Decrypts(*bob_, a[1], "a1"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Decrypts(*bob_, Encrypt(*alice_, "more a"), "more a"));
    EXPECT_TRUE(Decrypts(*alice_, Encrypt(*bob_, "more b"), "more b"));
  }
}

TEST_F(SessionTest, DeserializeRejectsTruncationsAndTrailingBytes) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const std::vector<Bytes> a = EncryptMany(*alice_, 3, "a");
  ASSERT_TRUE(Decrypts(*bob_, a[2], "a2"));  // Two skipped keys in the state.
  for (const Session* session : {&*alice_, &*bob_}) {
    const Bytes state = StateOf(*session);
    ASSERT_TRUE(Session::Deserialize(state).ok());
    for (size_t length = 0; length < state.size(); ++length) {
      EXPECT_EQ(Session::Deserialize(ByteSpan(state).first(length)).status().code(),
                ErrorCode::kInvalidMessage)
          << length << " of " << state.size();
    }
    Bytes longer = state;
    longer.push_back(0);
    EXPECT_EQ(Session::Deserialize(longer).status().code(), ErrorCode::kInvalidMessage);
  }
}

TEST_F(SessionTest, DeserializeRejectsUnknownVersionGarbageAndOversize) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const Bytes state = StateOf(*bob_);
  // The state format is private, but like every format of this library it
  // starts with its version byte.
  ASSERT_EQ(state[0], kSessionStateVersion);
  for (uint8_t version : {uint8_t{0}, uint8_t{kSessionStateVersion + 1}, uint8_t{0xFF}}) {
    Bytes other = state;
    other[0] = version;
    EXPECT_EQ(Session::Deserialize(other).status().code(), ErrorCode::kInvalidMessage)
        << int{version};
  }
  std::mt19937 gen(7);
  for (size_t size : {size_t{1}, size_t{2}, size_t{64}, state.size(), size_t{5000}}) {
    Bytes garbage(size);
    for (uint8_t& byte : garbage) byte = static_cast<uint8_t>(gen());
    garbage[0] = kSessionStateVersion;
    EXPECT_EQ(Session::Deserialize(garbage).status().code(), ErrorCode::kInvalidMessage) << size;
  }
  Bytes oversized = state;
  oversized.resize(kMaxSessionStateSize + 1, 0);
  EXPECT_EQ(Session::Deserialize(oversized).status().code(), ErrorCode::kInvalidMessage);
}

// ---------------------------------------------------------------------------
// Sizes and padding

TEST_F(SessionTest, CiphertextLengthDependsOnlyOnThePaddingBucket) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  // Alice (initial messages) and Bob (ratchet messages).
  for (Session* session : {&*alice_, &*bob_}) {
    const size_t prefix = session->awaiting_reply() ? kInitialPrefixSize : 0;
    const size_t expected = prefix + kRatchetOverhead + kMinPaddedSize;
    for (size_t length : {size_t{0}, size_t{1}, size_t{200}, kMinPaddedSize - 1}) {
      EXPECT_EQ(Encrypt(*session, std::string(length, 'x')).size(), expected) << length;
    }
    EXPECT_EQ(Encrypt(*session, std::string(kMinPaddedSize, 'x')).size(),
              prefix + kRatchetOverhead + PaddedSize(kMinPaddedSize));
    EXPECT_EQ(Encrypt(*session, std::string(5000, 'x')).size(),
              prefix + kRatchetOverhead + PaddedSize(5000));
  }
}

TEST_F(SessionTest, EmptyPlaintextRoundTrips) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  EXPECT_TRUE(Decrypts(*bob_, Encrypt(*alice_, ""), ""));
  EXPECT_TRUE(Decrypts(*alice_, Encrypt(*bob_, ""), ""));
  // A default (null-data) span is an empty plaintext too.
  auto message = bob_->Encrypt(ByteSpan(), rng_);
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  EXPECT_TRUE(Decrypts(*alice_, *message, ""));
}

TEST_F(SessionTest, MaxPlaintextRoundTripsLargerIsInvalidArgument) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const std::string largest(kMaxPlaintextSize, 'L');
  EXPECT_TRUE(Decrypts(*bob_, Encrypt(*alice_, largest), largest));
  EXPECT_TRUE(Decrypts(*alice_, Encrypt(*bob_, largest), largest));

  const Bytes too_large(kMaxPlaintextSize + 1, 'L');
  for (Session* session : {&*alice_, &*bob_}) {
    const Bytes before = StateOf(*session);
    EXPECT_EQ(session->Encrypt(too_large, rng_).status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(StateOf(*session) == before);
  }
  // Nothing was consumed: the next message needs no skipping.
  EXPECT_TRUE(Decrypts(*bob_, Encrypt(*alice_, "next"), "next"));
  EXPECT_EQ(bob_->skipped_key_count(), 0u);
}

// ---------------------------------------------------------------------------
// Foreign messages

TEST_F(SessionTest, MessagesFromAnotherSessionAreRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  // Carol talks to Bob in her own session.
  auto carol = Session::Initiate(carol_id_, MakePreKeyBundle(bob_id_, bob_spk_, &bob_opk2_), rng_);
  ASSERT_TRUE(carol.ok());
  const Bytes carol_first = Encrypt(*carol, "carol 0");
  auto bob_carol = Session::Accept(bob_id_, bob_spk_, &bob_opk2_, carol_first, rng_);
  ASSERT_TRUE(bob_carol.ok()) << bob_carol.status().ToString();
  const Bytes carol_initial = Encrypt(*carol, "carol 1");
  const Bytes bob_to_carol = Encrypt(bob_carol->session, "to carol");
  ASSERT_TRUE(Decrypts(*carol, bob_to_carol, "to carol"));
  const Bytes carol_ratchet = Encrypt(*carol, "carol 2");

  for (const Bytes& foreign : {carol_first, carol_initial, carol_ratchet}) {
    EXPECT_TRUE(Refused(*bob_, foreign, {ErrorCode::kInvalidMessage}));
  }
  EXPECT_TRUE(Refused(*alice_, bob_to_carol, {ErrorCode::kInvalidMessage}));

  // A second session between the same two people is another session too.
  auto alice2 = Session::Initiate(alice_id_, MakePreKeyBundle(bob_id_, bob_spk_, nullptr), rng_);
  ASSERT_TRUE(alice2.ok());
  EXPECT_TRUE(Refused(*bob_, Encrypt(*alice2, "second session"), {ErrorCode::kInvalidMessage}));

  // The real session is unaffected.
  EXPECT_TRUE(Decrypts(*bob_, Encrypt(*alice_, "still fine"), "still fine"));
  EXPECT_TRUE(Decrypts(*alice_, Encrypt(*bob_, "yes"), "yes"));
}

// ---------------------------------------------------------------------------
// Accept and the initial message

TEST_F(SessionTest, ParseInitialMessageReadsTheHeader) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  auto parsed = ParseInitialMessage(first_message_);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->header.initiator_identity, alice_id_.public_key());
  EXPECT_EQ(parsed->header.base_key, alice_->base_key());
  EXPECT_EQ(parsed->header.signed_prekey_id, kSignedPreKeyId);
  EXPECT_EQ(parsed->header.one_time_prekey_id, std::optional<uint32_t>(kOneTimePreKeyId));
  EXPECT_EQ(first_message_[kHasOtkOffset], 1);
  ASSERT_EQ(parsed->ratchet_message.size(), first_message_.size() - kInitialPrefixSize);
  EXPECT_EQ(parsed->ratchet_message.data(), first_message_.data() + kInitialPrefixSize);
  EXPECT_EQ(parsed->ratchet_message[0], kMessageVersion);
  EXPECT_EQ(parsed->ratchet_message[1], kRatchetMessageType);
  EXPECT_EQ(parsed->format_version, kMessageVersion);
  EXPECT_EQ(first_message_[2], kInitialHeaderVersion);
  EXPECT_EQ(first_message_.size(), kInitialPrefixSize + kRatchetOverhead + kMinPaddedSize);
}

TEST_F(SessionTest, ParseInitialMessageRejectsMalformedInput) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  // Every truncation that cuts into the fixed fields: the prefix and the
  // embedded ratchet message's type, nonces, encrypted header and body tag.
  for (size_t length = 0; length < kInitialPrefixSize + kRatchetOverhead; ++length) {
    EXPECT_EQ(ParseInitialMessage(ByteSpan(first_message_).first(length)).status().code(),
              ErrorCode::kInvalidMessage)
        << length;
  }
  EXPECT_EQ(ParseInitialMessage(Encrypt(*bob_, "ratchet")).status().code(),
            ErrorCode::kInvalidMessage);
  for (uint8_t flag : {uint8_t{2}, uint8_t{0xFF}}) {
    Bytes bad_flag = first_message_;
    bad_flag[kHasOtkOffset] = flag;
    EXPECT_EQ(ParseInitialMessage(bad_flag).status().code(), ErrorCode::kInvalidMessage);
  }
  Bytes bad_inner_type = first_message_;
  bad_inner_type[kInitialPrefixSize + 1] = kInitialMessageType;
  EXPECT_EQ(ParseInitialMessage(bad_inner_type).status().code(), ErrorCode::kInvalidMessage);
  // The X3DH header's own version byte, and a legacy inner message in a v3 one.
  for (uint8_t version : {uint8_t{0}, uint8_t{kInitialHeaderVersion + 1}, uint8_t{0xFF}}) {
    Bytes bad_header_version = first_message_;
    bad_header_version[2] = version;
    EXPECT_EQ(ParseInitialMessage(bad_header_version).status().code(), ErrorCode::kInvalidMessage);
  }
  Bytes legacy_inner = first_message_;
  legacy_inner[kInitialPrefixSize] = kLegacyRatchetMessageVersion;
  EXPECT_EQ(ParseInitialMessage(legacy_inner).status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(SessionTest, AcceptRefusesEveryTamperedByte) {
  auto alice = Session::Initiate(alice_id_, MakePreKeyBundle(bob_id_, bob_spk_, &bob_opk_), rng_);
  ASSERT_TRUE(alice.ok());
  const Bytes first = Encrypt(*alice, "hello");
  for (size_t i = 0; i < first.size(); ++i) {
    Bytes tampered = first;
    tampered[i] ^= 0x01;
    auto accepted = Session::Accept(bob_id_, bob_spk_, &bob_opk_, tampered, rng_);
    ASSERT_FALSE(accepted.ok()) << "byte " << i << " flipped and accepted";
    const ErrorCode code = accepted.status().code();
    if (i >= kSpkIdOffset && i < kHasOtkOffset) {
      EXPECT_EQ(code, ErrorCode::kInvalidArgument) << "spk id byte " << i;
    } else if (i >= kOtkIdOffset && i < kInitialPrefixSize) {
      EXPECT_EQ(code, ErrorCode::kInvalidArgument) << "otk id byte " << i;
    } else if (i == kHasOtkOffset) {
      EXPECT_TRUE(code == ErrorCode::kInvalidArgument || code == ErrorCode::kInvalidMessage)
          << accepted.status().ToString();
    } else {
      EXPECT_EQ(code, ErrorCode::kInvalidMessage) << "byte " << i;
    }
  }
  for (size_t length = 0; length < first.size(); ++length) {
    EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, &bob_opk_, ByteSpan(first).first(length), rng_)
                  .status()
                  .code(),
              ErrorCode::kInvalidMessage)
        << length;
  }
  Bytes longer = first;
  longer.push_back(0);
  EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, &bob_opk_, longer, rng_).status().code(),
            ErrorCode::kInvalidMessage);
  // The intact message is still accepted.
  EXPECT_TRUE(Session::Accept(bob_id_, bob_spk_, &bob_opk_, first, rng_).ok());
}

TEST_F(SessionTest, AcceptRefusesWrongPrekeysAndWrongIdentity) {
  auto alice = Session::Initiate(alice_id_, MakePreKeyBundle(bob_id_, bob_spk_, &bob_opk_), rng_);
  ASSERT_TRUE(alice.ok());
  const Bytes first = Encrypt(*alice, "hello");
  EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, nullptr, first, rng_).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, &bob_opk2_, first, rng_).status().code(),
            ErrorCode::kInvalidArgument);
  SignedPreKey other_spk = SignedPreKey::Generate(bob_id_, kSignedPreKeyId + 1, rng_);
  EXPECT_EQ(Session::Accept(bob_id_, other_spk, &bob_opk_, first, rng_).status().code(),
            ErrorCode::kInvalidArgument);
  // Right ids, wrong key material: the message does not authenticate.
  SignedPreKey same_id_spk = SignedPreKey::Generate(bob_id_, kSignedPreKeyId, rng_);
  EXPECT_EQ(Session::Accept(bob_id_, same_id_spk, &bob_opk_, first, rng_).status().code(),
            ErrorCode::kInvalidMessage);
  OneTimePreKey same_id_opk = OneTimePreKey::Generate(kOneTimePreKeyId, rng_);
  EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, &same_id_opk, first, rng_).status().code(),
            ErrorCode::kInvalidMessage);
  // Someone else holding Bob's prekeys cannot accept it.
  EXPECT_EQ(Session::Accept(carol_id_, bob_spk_, &bob_opk_, first, rng_).status().code(),
            ErrorCode::kInvalidMessage);
  // A ratchet message is not an initial message.
  ASSERT_NO_FATAL_FAILURE(Establish());
  EXPECT_EQ(Session::Accept(bob_id_, bob_spk_, &bob_opk_, Encrypt(*bob_, "ratchet"), rng_)
                .status()
                .code(),
            ErrorCode::kInvalidMessage);
}

}  // namespace
}  // namespace securebase::crypto
