// The session cipher (session_cipher.h) over the in-memory reference stores:
// every branch of session selection (current, previous, new from a first
// message), one-time prekeys consumed only after success, identity changes
// noticed and refused when untrusted, and commit-on-success: every refused
// message or send leaves every store exactly as it was.
#include "securebase/crypto/session_cipher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/x3dh.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/in_memory_stores.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::InMemoryIdentityStore;
using ::securebase::testing::InMemoryPreKeyStore;
using ::securebase::testing::InMemorySessionStore;
using ::securebase::testing::NamedUser;

std::string AsString(const SecretBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// One account with one device (device 1): its keys, its stores and a cipher.
struct Party {
  Party(std::string_view user_id, RandomSource& rng_in,
        InMemoryIdentityStore::ReceivePolicy policy =
            InMemoryIdentityStore::ReceivePolicy::kAcceptNewKeys)
      : user(NamedUser(user_id)),
        rng(rng_in),
        identity(IdentityKeyPair::Generate(rng)),
        signed_prekey(SignedPreKey::GenerateForDevice(identity, address(), 1, rng)),
        identities(std::make_unique<InMemoryIdentityStore>(
            IdentityKeyPair::FromSeed(identity.ExportSeed().span()).value(), user, policy)),
        cipher(std::make_unique<SessionCipher>(sessions, prekeys, *identities, address(), rng)) {
    prekeys.AddSignedPreKey(signed_prekey);
    for (uint32_t id = 1; id <= 3; ++id) prekeys.AddOneTimePreKey(OneTimePreKey::Generate(id, rng));
  }

  DeviceAddress address() const { return DeviceAddress{user, 1}; }

  // A bundle with the lowest one-time prekey still held (as a server hands
  // out each one once), or none.
  PreKeyBundle Bundle(bool with_one_time = true) {
    std::optional<OneTimePreKey> otk;
    if (with_one_time) {
      for (uint32_t id = next_otk; id <= 3 && !otk; ++id) {
        if (prekeys.HasOneTimePreKey(id)) {
          otk = prekeys.LoadOneTimePreKey(id).value();
          next_otk = id + 1;
        }
      }
    }
    PreKeyBundle bundle = MakePreKeyBundle(identity, signed_prekey, otk ? &*otk : nullptr);
    bundle.device = address();
    return bundle;
  }

  UserId user;
  RandomSource& rng;
  IdentityKeyPair identity;
  SignedPreKey signed_prekey;
  uint32_t next_otk = 1;
  InMemorySessionStore sessions;
  InMemoryPreKeyStore prekeys;
  std::unique_ptr<InMemoryIdentityStore> identities;
  std::unique_ptr<SessionCipher> cipher;
};

class SessionCipherTest : public ::testing::Test {
 protected:
  SessionCipherTest() : rng_(0xC1F4E2), alice_("alice", rng_), bob_("bob", rng_) {}

  Bytes Send(Party& from, Party& to, std::string_view text, bool bundle = true) {
    PreKeyBundle b = to.Bundle();
    auto sent = from.cipher->Encrypt(to.address(), AsBytes(text), bundle ? &b : nullptr);
    EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    return sent.ok() ? std::move(sent).value() : Bytes();
  }

  ::testing::AssertionResult Receives(Party& at, const Party& from, const Bytes& message,
                                      std::string_view expected) {
    auto got = at.cipher->Decrypt(from.address(), message);
    if (at.sessions.outstanding_loans() != 0) {
      return ::testing::AssertionFailure() << "a borrowed session record was not given back";
    }
    if (!got.ok()) return ::testing::AssertionFailure() << got.status().ToString();
    if (AsString(got->plaintext) != expected) {
      return ::testing::AssertionFailure() << "got \"" << AsString(got->plaintext) << "\"";
    }
    return ::testing::AssertionSuccess();
  }

  // Every record a cipher borrowed was given back (session_cipher.h).
  void TearDown() override {
    EXPECT_EQ(alice_.sessions.outstanding_loans(), 0);
    EXPECT_EQ(bob_.sessions.outstanding_loans(), 0);
  }

  // Alice starts, Bob answers: a session both sides use.
  void Establish() {
    Bytes first = Send(alice_, bob_, "hello bob");
    ASSERT_TRUE(Receives(bob_, alice_, first, "hello bob"));
    Bytes reply = Send(bob_, alice_, "hello alice", false);
    ASSERT_TRUE(Receives(alice_, bob_, reply, "hello alice"));
  }

  DeterministicRandom rng_;
  Party alice_;
  Party bob_;
};

TEST_F(SessionCipherTest, FirstContactStartsASessionBothWays) {
  PreKeyBundle bundle = bob_.Bundle();
  ASSERT_TRUE(bundle.one_time_prekey.has_value());
  const uint32_t otk = bundle.one_time_prekey->id;
  auto first = alice_.cipher->Encrypt(bob_.address(), AsBytes("hello bob"), &bundle);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(alice_.identities->Known(NamedUser("bob")), bob_.identity.public_key());

  auto decrypted = bob_.cipher->Decrypt(alice_.address(), *first);
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(AsString(decrypted->plaintext), "hello bob");
  EXPECT_TRUE(decrypted->new_session);
  EXPECT_EQ(decrypted->identity, IdentityChange::kNew);
  EXPECT_FALSE(bob_.prekeys.HasOneTimePreKey(otk)) << "used up once the message decrypted";
  EXPECT_EQ(bob_.identities->Known(NamedUser("alice")), alice_.identity.public_key());

  // Bob answers on the session without a bundle; Alice's later messages are
  // ordinary ratchet messages on the same session.
  Bytes reply = Send(bob_, alice_, "hi alice", false);
  auto back = alice_.cipher->Decrypt(bob_.address(), reply);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->new_session);
  EXPECT_EQ(back->identity, IdentityChange::kUnchanged);
  for (int i = 0; i < 3; ++i) {
    const std::string text = "ratchet " + std::to_string(i);
    Bytes m = Send(alice_, bob_, text, false);
    ASSERT_EQ(PeekMessageType(m).value(), MessageType::kRatchet);
    auto got = bob_.cipher->Decrypt(alice_.address(), m);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(AsString(got->plaintext), text);
    EXPECT_FALSE(got->new_session);
  }
}

TEST_F(SessionCipherTest, FirstContactWithoutAOneTimePreKey) {
  PreKeyBundle bundle = bob_.Bundle(/*with_one_time=*/false);
  auto first = alice_.cipher->Encrypt(bob_.address(), AsBytes("no otk"), &bundle);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Receives(bob_, alice_, *first, "no otk"));
  EXPECT_EQ(bob_.prekeys.one_time_count(), 3u);
}

TEST_F(SessionCipherTest, RefusedFirstMessageConsumesNoPreKeyAndStoresNothing) {
  PreKeyBundle bundle = bob_.Bundle();
  const uint32_t otk = bundle.one_time_prekey->id;
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("hello"), &bundle).value();
  Bytes tampered = first;
  tampered.back() ^= 0x01;  // The body's tag.
  auto refused = bob_.cipher->Decrypt(alice_.address(), tampered);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidMessage);
  EXPECT_TRUE(bob_.prekeys.HasOneTimePreKey(otk));
  EXPECT_FALSE(bob_.sessions.RawRecord(alice_.address()).has_value());
  EXPECT_FALSE(bob_.identities->Known(NamedUser("alice")).has_value());
  EXPECT_EQ(bob_.sessions.writes() + bob_.prekeys.writes() + bob_.identities->writes(), 0);
  // The real one still works afterwards.
  EXPECT_TRUE(Receives(bob_, alice_, first, "hello"));
  EXPECT_FALSE(bob_.prekeys.HasOneTimePreKey(otk));
}

TEST_F(SessionCipherTest, FirstMessageNamingAMissingPreKeyIsRefused) {
  PreKeyBundle bundle = bob_.Bundle();
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("hello"), &bundle).value();
  ASSERT_TRUE(bob_.prekeys.RemoveOneTimePreKey(bundle.one_time_prekey->id).ok());
  auto refused = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidMessage);
  EXPECT_FALSE(bob_.sessions.RawRecord(alice_.address()).has_value());
}

TEST_F(SessionCipherTest, RepeatedFirstMessageIsADuplicateOnItsSession) {
  PreKeyBundle bundle = bob_.Bundle();
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("once"), &bundle).value();
  ASSERT_TRUE(Receives(bob_, alice_, first, "once"));
  const auto before = bob_.sessions.RawRecord(alice_.address());
  auto again = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(bob_.sessions.RawRecord(alice_.address()), before);
}

// Once the session a first message started is gone from the record (two
// newer sessions replaced it), a replay of that message is recognised by its
// base key (the replay cache) and refused as a duplicate: dropped, not shown
// again.
TEST_F(SessionCipherTest, OldFirstMessageReplayedAfterItsSessionWasDroppedIsRefused) {
  PreKeyBundle bundle = bob_.Bundle();
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("original"), &bundle).value();
  ASSERT_TRUE(Receives(bob_, alice_, first, "original"));
  for (int i = 0; i < static_cast<int>(kMaxPreviousSessions) + 1; ++i) {
    alice_.sessions.Delete(bob_.address());  // Alice reinstalls: a new session each time.
    Bytes fresh = Send(alice_, bob_, "fresh " + std::to_string(i));
    ASSERT_TRUE(Receives(bob_, alice_, fresh, "fresh " + std::to_string(i)));
  }
  const auto before = bob_.sessions.RawRecord(alice_.address());
  auto replayed = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.status().code(), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(bob_.sessions.RawRecord(alice_.address()), before);
}

// The same replay when the first message used no one-time prekey (a server
// stripped it from the bundle, so nothing was used up): only the replay cache
// stops it from starting a session again.
TEST_F(SessionCipherTest, ReplayOfAFirstMessageWithoutAOneTimePreKeyIsRefused) {
  PreKeyBundle bundle = bob_.Bundle(/*with_one_time=*/false);
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("original"), &bundle).value();
  ASSERT_TRUE(Receives(bob_, alice_, first, "original"));
  EXPECT_EQ(bob_.prekeys.used_base_keys(bob_.signed_prekey.id), 1u);
  for (int i = 0; i < static_cast<int>(kMaxPreviousSessions) + 1; ++i) {
    alice_.sessions.Delete(bob_.address());
    Bytes fresh = Send(alice_, bob_, "fresh " + std::to_string(i));
    ASSERT_TRUE(Receives(bob_, alice_, fresh, "fresh " + std::to_string(i)));
  }
  const auto before = bob_.sessions.RawRecord(alice_.address());
  const int writes = bob_.sessions.writes() + bob_.prekeys.writes();
  auto replayed = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(replayed.ok()) << "a replayed first message started a session again";
  EXPECT_EQ(replayed.status().code(), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(bob_.sessions.RawRecord(alice_.address()), before);
  EXPECT_EQ(bob_.sessions.writes() + bob_.prekeys.writes(), writes);

  // Once the signed prekey and its cache are gone (rotation, after the grace
  // period), the message names a prekey the device no longer has.
  bob_.prekeys.RemoveSignedPreKey(bob_.signed_prekey.id);
  auto later = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), ErrorCode::kInvalidMessage);
}

// A refused first message leaves no trace in the replay cache: the genuine
// message is accepted afterwards.
TEST_F(SessionCipherTest, RefusedFirstMessageIsNotRecordedAsUsed) {
  PreKeyBundle bundle = bob_.Bundle();
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("hello"), &bundle).value();
  Bytes tampered = first;
  tampered.back() ^= 0x01;
  ASSERT_FALSE(bob_.cipher->Decrypt(alice_.address(), tampered).ok());
  EXPECT_EQ(bob_.prekeys.used_base_keys(bob_.signed_prekey.id), 0u);
  EXPECT_TRUE(Receives(bob_, alice_, first, "hello"));
  EXPECT_EQ(bob_.prekeys.used_base_keys(bob_.signed_prekey.id), 1u);
}

// Both sides start a session at the same moment. Each accepts the other's
// first message, so each side's current session is the one the other
// started, and the messages each sends next arrive on the other's previous
// session: that session decrypts and becomes current again, and both sides
// converge on one session.
TEST_F(SessionCipherTest, SimultaneousFirstContactConvergesThroughThePreviousSession) {
  Bytes from_alice = Send(alice_, bob_, "alice first");
  // A second first message of Alice's session, delivered late.
  Bytes late = Send(alice_, bob_, "late", false);
  ASSERT_EQ(PeekMessageType(late).value(), MessageType::kInitial);
  Bytes from_bob = Send(bob_, alice_, "bob first");
  ASSERT_TRUE(Receives(bob_, alice_, from_alice, "alice first"));
  ASSERT_TRUE(Receives(alice_, bob_, from_bob, "bob first"));
  {
    auto record = bob_.sessions.LoadSession(alice_.address()).value();
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->previous_count(), 1u) << "Bob's own session was kept as previous";
    bob_.sessions.ReleaseSession(alice_.address(), std::move(*record));
  }
  // Alice writes on her current session (the one Bob started): Bob's
  // current session is Alice's, so this opens on his previous one.
  Bytes a2 = Send(alice_, bob_, "alice second", false);
  ASSERT_TRUE(Receives(bob_, alice_, a2, "alice second"));
  // The late first message of Alice's own session still decrypts: its base
  // key names that session, now the previous one on Bob's side.
  ASSERT_TRUE(Receives(bob_, alice_, late, "late"));
  for (int round = 0; round < 3; ++round) {
    const std::string a = "a" + std::to_string(round), b = "b" + std::to_string(round);
    Bytes to_bob = Send(alice_, bob_, a, false);
    ASSERT_TRUE(Receives(bob_, alice_, to_bob, a));
    Bytes to_alice = Send(bob_, alice_, b, false);
    ASSERT_TRUE(Receives(alice_, bob_, to_alice, b));
  }
  auto alice_record = alice_.sessions.LoadSession(bob_.address()).value();
  auto bob_record = bob_.sessions.LoadSession(alice_.address()).value();
  ASSERT_TRUE(alice_record && bob_record);
  EXPECT_EQ(alice_record->current().base_key(), bob_record->current().base_key())
      << "both sides use the same session";
  alice_.sessions.ReleaseSession(bob_.address(), std::move(*alice_record));
  bob_.sessions.ReleaseSession(alice_.address(), std::move(*bob_record));
}

TEST_F(SessionCipherTest, ReplayedRatchetMessageIsADuplicateAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Bytes m = Send(alice_, bob_, "only once", false);
  ASSERT_TRUE(Receives(bob_, alice_, m, "only once"));
  const auto before = bob_.sessions.RawRecord(alice_.address());
  const int writes = bob_.sessions.writes();
  auto again = bob_.cipher->Decrypt(alice_.address(), m);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(bob_.sessions.RawRecord(alice_.address()), before);
  EXPECT_EQ(bob_.sessions.writes(), writes);
}

TEST_F(SessionCipherTest, TamperedRatchetMessageIsRefusedAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Bytes m = Send(alice_, bob_, "intact", false);
  const auto before = bob_.sessions.RawRecord(alice_.address());
  for (size_t at : {size_t{0}, size_t{5}, m.size() / 2, m.size() - 1}) {
    Bytes tampered = m;
    tampered[at] ^= 0x40;
    auto refused = bob_.cipher->Decrypt(alice_.address(), tampered);
    ASSERT_FALSE(refused.ok()) << "byte " << at;
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidMessage) << "byte " << at;
    EXPECT_EQ(bob_.sessions.RawRecord(alice_.address()), before) << "byte " << at;
  }
  EXPECT_TRUE(Receives(bob_, alice_, m, "intact"));
}

TEST_F(SessionCipherTest, RatchetMessageWithoutASessionIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Bytes m = Send(alice_, bob_, "to a forgotten session", false);
  bob_.sessions.Delete(alice_.address());
  auto refused = bob_.cipher->Decrypt(alice_.address(), m);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidMessage);
  EXPECT_FALSE(bob_.sessions.RawRecord(alice_.address()).has_value());
  // Another sender's address does not reach Alice's session either.
  Party carol("carol", rng_);
  auto foreign = bob_.cipher->Decrypt(carol.address(), m);
  EXPECT_FALSE(foreign.ok());
}

TEST_F(SessionCipherTest, EmptyOrUnknownMessagesAreInvalid) {
  for (const Bytes& junk :
       {Bytes{}, Bytes{0x7f, 1, 2}, Bytes{kRatchetMessageType}, Bytes{kInitialMessageType, 0}}) {
    auto refused = bob_.cipher->Decrypt(alice_.address(), junk);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidMessage);
  }
  EXPECT_EQ(bob_.sessions.writes(), 0);
}

TEST_F(SessionCipherTest, EncryptWithoutSessionOrBundleIsInvalidStateAndWritesNothing) {
  auto refused = alice_.cipher->Encrypt(bob_.address(), AsBytes("x"), nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidState);
  EXPECT_EQ(alice_.sessions.writes() + alice_.identities->writes(), 0);
}

TEST_F(SessionCipherTest, BundleWithABadSignatureIsRefused) {
  PreKeyBundle bundle = bob_.Bundle();
  bundle.signed_prekey_signature.data()[0] ^= 1;
  auto refused = alice_.cipher->Encrypt(bob_.address(), AsBytes("x"), &bundle);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBadSignature);
  EXPECT_FALSE(alice_.sessions.RawRecord(bob_.address()).has_value());
  EXPECT_FALSE(alice_.identities->Known(NamedUser("bob")).has_value());
}

// A bundle signed with the deprecated v1 signature binds no device, so a
// server could present it as any device's: refused.
TEST_F(SessionCipherTest, BundleWithoutADeviceBoundSignatureIsRefused) {
  const SignedPreKey v1 = SignedPreKey::Generate(bob_.identity, 9, rng_);
  PreKeyBundle bundle = MakePreKeyBundle(bob_.identity, v1, nullptr);
  auto refused = alice_.cipher->Encrypt(bob_.address(), AsBytes("x"), &bundle);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBadSignature);
  EXPECT_FALSE(alice_.sessions.RawRecord(bob_.address()).has_value());
}

// A server that replays one device's bundle as the bundle of a device it
// invented: the signature names the real device, so it is refused.
TEST_F(SessionCipherTest, BundleReplayedAsAnotherDeviceIsRefused) {
  PreKeyBundle bundle = bob_.Bundle();
  bundle.device.reset();  // Whatever the bundle claims, the recipient's address decides.
  const DeviceAddress invented{bob_.user, 7};
  auto refused = alice_.cipher->Encrypt(invented, AsBytes("x"), &bundle);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBadSignature);
  EXPECT_FALSE(alice_.sessions.RawRecord(invented).has_value());
}

// Two devices of one account (one identity key) hold a session with each
// other, both ways; neither may start one with itself.
TEST_F(SessionCipherTest, DevicesOfOneAccountHoldSessionsWithEachOther) {
  const DeviceAddress second_address{alice_.user, 2};
  InMemorySessionStore sessions;
  InMemoryPreKeyStore prekeys;
  InMemoryIdentityStore identities(
      IdentityKeyPair::FromSeed(alice_.identity.ExportSeed().span()).value(), alice_.user);
  SessionCipher second(sessions, prekeys, identities, second_address, rng_);
  const SignedPreKey spk =
      SignedPreKey::GenerateForDevice(alice_.identity, second_address, 4, rng_);
  prekeys.AddSignedPreKey(spk);
  PreKeyBundle bundle = MakePreKeyBundle(alice_.identity, spk, nullptr);

  auto to_second = alice_.cipher->Encrypt(second_address, AsBytes("sent transcript"), &bundle);
  ASSERT_TRUE(to_second.ok()) << to_second.status().ToString();
  auto got = second.Decrypt(alice_.address(), *to_second);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(AsString(got->plaintext), "sent transcript");
  EXPECT_EQ(got->identity, IdentityChange::kUnchanged);
  EXPECT_EQ(got->remote_identity, alice_.identity.public_key());
  auto back = second.Encrypt(alice_.address(), AsBytes("read up to here"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto at_first = alice_.cipher->Decrypt(second_address, *back);
  ASSERT_TRUE(at_first.ok()) << at_first.status().ToString();
  EXPECT_EQ(AsString(at_first->plaintext), "read up to here");

  PreKeyBundle own = alice_.Bundle();
  auto self = alice_.cipher->Encrypt(alice_.address(), AsBytes("x"), &own);
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.status().code(), ErrorCode::kInvalidArgument);
}

// A message really sent in the session whose keys are gone (here: further
// ahead than one chain may skip) is reported as undecryptable, not as junk
// and not as a duplicate, and changes nothing.
TEST_F(SessionCipherTest, MessageTooFarAheadIsUndecryptableNotInvalid) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Bytes last;
  for (uint32_t i = 0; i <= kMaxSkipPerChain + 1; ++i) last = Send(alice_, bob_, "m", false);
  const auto before = bob_.sessions.RawRecord(alice_.address());
  auto refused = bob_.cipher->Decrypt(alice_.address(), last);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUndecryptableMessage);
  EXPECT_EQ(bob_.sessions.RawRecord(alice_.address()), before);
}

TEST_F(SessionCipherTest, DecryptedNamesTheKeyOfTheSessionThatDecrypted) {
  Bytes first = Send(alice_, bob_, "one");
  auto got = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->remote_identity, alice_.identity.public_key());
  Bytes second = Send(alice_, bob_, "two", false);
  got = bob_.cipher->Decrypt(alice_.address(), second);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->new_session);
  EXPECT_EQ(got->remote_identity, alice_.identity.public_key());
}

// A send to several devices is all or nothing: one bad bundle, and no
// session is stored for any device, not even those that encrypted.
TEST_F(SessionCipherTest, EncryptToAllIsAllOrNothing) {
  Party carol("carol", rng_);
  ASSERT_NO_FATAL_FAILURE(Establish());
  const auto bob_before = alice_.sessions.RawRecord(bob_.address());
  PreKeyBundle carol_bundle = carol.Bundle();
  carol_bundle.signed_prekey_signature.data()[3] ^= 1;
  const SessionCipher::Recipient recipients[] = {
      {bob_.address(), AsBytes("to bob"), nullptr},
      {carol.address(), AsBytes("to carol"), &carol_bundle},
  };
  auto refused = alice_.cipher->EncryptToAll(recipients);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBadSignature);
  EXPECT_EQ(alice_.sessions.RawRecord(bob_.address()), bob_before) << "Bob's chain not advanced";
  EXPECT_FALSE(alice_.sessions.RawRecord(carol.address()).has_value());

  carol_bundle = carol.Bundle();
  const SessionCipher::Recipient good[] = {
      {bob_.address(), AsBytes("to bob"), nullptr},
      {carol.address(), AsBytes("to carol"), &carol_bundle},
      {bob_.address(), AsBytes("to bob again"), nullptr},
  };
  auto sent = alice_.cipher->EncryptToAll(good);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent->size(), 3u);
  EXPECT_TRUE(Receives(bob_, alice_, (*sent)[0], "to bob"));
  EXPECT_TRUE(Receives(carol, alice_, (*sent)[1], "to carol"));
  EXPECT_TRUE(Receives(bob_, alice_, (*sent)[2], "to bob again"))
      << "a device listed twice advances its one session twice";
}

// A plaintext over the limit anywhere in a send refuses the whole send
// before any session advances.
TEST_F(SessionCipherTest, OversizedPlaintextRefusesTheWholeSend) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  const auto before = alice_.sessions.RawRecord(bob_.address());
  const std::string huge(kMaxPlaintextSize + 1, 'x');
  const SessionCipher::Recipient recipients[] = {
      {bob_.address(), AsBytes("fine"), nullptr},
      {bob_.address(), AsBytes(huge), nullptr},
  };
  auto refused = alice_.cipher->EncryptToAll(recipients);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(alice_.sessions.RawRecord(bob_.address()), before);
}

// A device whose stored session cannot send (a state no library version
// writes: its sending chain is gone) fails the send after other devices'
// sessions already advanced in memory: they are restored and given back
// unchanged, so nothing of the send is stored.
TEST_F(SessionCipherTest, FailureAfterOtherSessionsAdvancedRestoresThem) {
  Party carol("carol", rng_);
  ASSERT_NO_FATAL_FAILURE(Establish());
  PreKeyBundle carol_bundle = carol.Bundle();
  ASSERT_TRUE(alice_.cipher->Encrypt(carol.address(), AsBytes("hi carol"), &carol_bundle).ok());
  // Clear the sending chain and header key of Alice's session with Carol
  // (session.h state v1: flags at byte 1; cks at 194, hks at 258), inside
  // the record (version, count, length: 6 bytes before the state).
  crypto::Bytes record = *alice_.sessions.RawRecord(carol.address());
  constexpr size_t kState = 6, kFlagHasCks = 1 << 2, kFlagHasHks = 1 << 4;
  record[kState + 1] &= static_cast<uint8_t>(~(kFlagHasCks | kFlagHasHks));
  std::fill(record.begin() + kState + 194, record.begin() + kState + 226, 0);
  std::fill(record.begin() + kState + 258, record.begin() + kState + 290, 0);
  alice_.sessions.PutRawRecord(carol.address(), record);
  ASSERT_TRUE(SessionRecord::Deserialize(record).ok()) << "a well-formed state";

  const auto bob_before = alice_.sessions.RawRecord(bob_.address());
  const SessionCipher::Recipient recipients[] = {
      {bob_.address(), AsBytes("to bob"), nullptr},
      {carol.address(), AsBytes("to carol"), nullptr},
  };
  auto refused = alice_.cipher->EncryptToAll(recipients);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidState);
  EXPECT_EQ(alice_.sessions.RawRecord(bob_.address()), bob_before) << "Bob's chain restored";
  EXPECT_EQ(alice_.sessions.RawRecord(carol.address()), record);
  EXPECT_EQ(alice_.sessions.outstanding_loans(), 0);
  // And Bob's session still works from where it was.
  Bytes next = Send(alice_, bob_, "after the failed send", false);
  EXPECT_TRUE(Receives(bob_, alice_, next, "after the failed send"));
}

// Bob reinstalls under a new identity key. Alice learns the new key (as the
// client does when it fetches bundles): the send is refused until she
// trusts it, and nothing is written meanwhile.
TEST_F(SessionCipherTest, ChangedIdentityIsNotUsedForSendingUntilTrusted) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Party new_bob("bob", rng_);
  PreKeyBundle bundle = new_bob.Bundle();
  auto change = alice_.identities->SaveIdentity(new_bob.address(), bundle.identity_key);
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(*change, IdentityChange::kReplaced);
  alice_.sessions.Delete(bob_.address());  // The old key's sessions are obsolete.

  auto held = alice_.cipher->Encrypt(new_bob.address(), AsBytes("held"), &bundle);
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), ErrorCode::kUntrustedIdentity);
  EXPECT_FALSE(alice_.sessions.RawRecord(bob_.address()).has_value());

  alice_.identities->Trust(NamedUser("bob"));
  auto sent = alice_.cipher->Encrypt(new_bob.address(), AsBytes("after trust"), &bundle);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_TRUE(Receives(new_bob, alice_, *sent, "after trust"));
}

// A stored session under a key the identity store no longer trusts is not
// used for sending either.
TEST_F(SessionCipherTest, SessionUnderAnUntrustedKeyIsNotUsedForSending) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Party other("bob", rng_);
  ASSERT_TRUE(alice_.identities->SaveIdentity(bob_.address(), other.identity.public_key()).ok());
  const auto before = alice_.sessions.RawRecord(bob_.address());
  auto refused = alice_.cipher->Encrypt(bob_.address(), AsBytes("x"), nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUntrustedIdentity);
  EXPECT_EQ(alice_.sessions.RawRecord(bob_.address()), before);
}

// Alice reinstalls under a new identity key and writes first. Bob's cipher
// reports the replaced key; under a strict policy it refuses the message.
TEST_F(SessionCipherTest, FirstMessageUnderANewIdentityReportsTheChange) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  Party new_alice("alice", rng_);
  Bytes first = Send(new_alice, bob_, "new phone, same me");
  auto got = bob_.cipher->Decrypt(new_alice.address(), first);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->new_session);
  EXPECT_EQ(got->identity, IdentityChange::kReplaced);
  EXPECT_EQ(bob_.identities->Known(NamedUser("alice")), new_alice.identity.public_key());
  // Received, but not trusted for sending until Bob accepts it.
  auto reply = bob_.cipher->Encrypt(new_alice.address(), AsBytes("who is this?"), nullptr);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), ErrorCode::kUntrustedIdentity);
}

TEST_F(SessionCipherTest, StrictPolicyRefusesAFirstMessageUnderAnUntrustedKey) {
  Party strict_bob("bob", rng_, InMemoryIdentityStore::ReceivePolicy::kRefuseUntrusted);
  Bytes first = Send(alice_, strict_bob, "hello");
  ASSERT_TRUE(Receives(strict_bob, alice_, first, "hello"));
  Party new_alice("alice", rng_);
  PreKeyBundle bundle = strict_bob.Bundle();
  const uint32_t otk = bundle.one_time_prekey->id;
  Bytes second = new_alice.cipher->Encrypt(strict_bob.address(), AsBytes("x"), &bundle).value();
  const int writes = strict_bob.sessions.writes();
  auto refused = strict_bob.cipher->Decrypt(new_alice.address(), second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUntrustedIdentity);
  EXPECT_TRUE(strict_bob.prekeys.HasOneTimePreKey(otk));
  EXPECT_EQ(strict_bob.sessions.writes(), writes);
  EXPECT_EQ(strict_bob.identities->Known(NamedUser("alice")), alice_.identity.public_key());
}

// A first message that claims the receiver's own account under another key
// is a forgery: the local account's devices are trusted only under the local
// identity key.
TEST_F(SessionCipherTest, FirstMessageClaimingOurOwnAccountUnderAnotherKeyIsRefused) {
  Party impostor("mallory", rng_);
  Bytes forged = Send(impostor, bob_, "it's me, your other phone");
  auto refused = bob_.cipher->Decrypt(DeviceAddress{NamedUser("bob"), 2}, forged);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUntrustedIdentity);
  EXPECT_FALSE(bob_.sessions.RawRecord(DeviceAddress{NamedUser("bob"), 2}).has_value());
}

TEST_F(SessionCipherTest, StoreFailuresPassThroughAndCommitNothing) {
  PreKeyBundle bundle = bob_.Bundle();
  const uint32_t otk = bundle.one_time_prekey->id;
  Bytes first = alice_.cipher->Encrypt(bob_.address(), AsBytes("hello"), &bundle).value();

  bob_.sessions.FailNextReads(1);
  auto read_failed = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(read_failed.ok());
  EXPECT_EQ(read_failed.status().code(), ErrorCode::kStorageFailure);

  bob_.sessions.FailNextWrites(1);
  auto write_failed = bob_.cipher->Decrypt(alice_.address(), first);
  ASSERT_FALSE(write_failed.ok());
  EXPECT_EQ(write_failed.status().code(), ErrorCode::kStorageFailure);
  EXPECT_TRUE(bob_.prekeys.HasOneTimePreKey(otk)) << "the session write failed first";
  EXPECT_FALSE(bob_.sessions.RawRecord(alice_.address()).has_value());

  EXPECT_TRUE(Receives(bob_, alice_, first, "hello"));

  alice_.sessions.FailNextWrites(1);
  auto send_failed = alice_.cipher->Encrypt(bob_.address(), AsBytes("x"), nullptr);
  ASSERT_FALSE(send_failed.ok());
  EXPECT_EQ(send_failed.status().code(), ErrorCode::kStorageFailure);
}

TEST_F(SessionCipherTest, HasSession) {
  EXPECT_FALSE(alice_.cipher->HasSession(bob_.address()).value());
  ASSERT_NO_FATAL_FAILURE(Establish());
  EXPECT_TRUE(alice_.cipher->HasSession(bob_.address()).value());
  EXPECT_TRUE(bob_.cipher->HasSession(alice_.address()).value());
}

// A long conversation with messages dropped, duplicated and reordered in
// both directions: every message is decrypted exactly once (a redelivery is
// a duplicate), none decrypts to anything else, and the sessions survive.
TEST_F(SessionCipherTest, LossyReorderingDuplicatingNetworkDeliversEachMessageOnce) {
  ASSERT_NO_FATAL_FAILURE(Establish());
  std::mt19937 random(20261203);
  struct InFlight {
    Bytes bytes;
    std::string text;
    bool delivered = false;
  };
  std::vector<InFlight> to_bob, to_alice;
  int delivered = 0;
  for (int step = 0; step < 600; ++step) {
    const int action = static_cast<int>(random() % 10);
    const bool alice_side = random() % 2 == 0;
    Party& from = alice_side ? alice_ : bob_;
    Party& to = alice_side ? bob_ : alice_;
    auto& queue = alice_side ? to_bob : to_alice;
    if (action < 4 || queue.empty()) {
      const std::string text = (alice_side ? "a" : "b") + std::to_string(step);
      queue.push_back({Send(from, to, text, false), text, false});
      continue;
    }
    // Deliver (or redeliver) a recent message, or drop the oldest.
    const size_t window = std::min<size_t>(queue.size(), 8);
    InFlight& message = queue[queue.size() - 1 - random() % window];
    auto got = to.cipher->Decrypt(from.address(), message.bytes);
    if (message.delivered) {
      // A replay within a chain whose skipped keys are kept is a duplicate;
      // one from a chain that keeps none no longer decrypts at all.
      ASSERT_FALSE(got.ok()) << "redelivered " << message.text;
      EXPECT_TRUE(got.status().code() == ErrorCode::kDuplicateMessage ||
                  got.status().code() == ErrorCode::kInvalidMessage)
          << message.text << ": " << got.status().ToString();
    } else {
      ASSERT_TRUE(got.ok()) << message.text << ": " << got.status().ToString();
      EXPECT_EQ(AsString(got->plaintext), message.text);
      message.delivered = true;
      ++delivered;
    }
    if (action == 9 && queue.size() > 16) queue.erase(queue.begin());  // Lost for good.
  }
  EXPECT_GT(delivered, 100);
}

}  // namespace
}  // namespace securebase::crypto
