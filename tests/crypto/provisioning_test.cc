// Provisioning messages (provisioning.h), played against a malicious server
// that swaps blobs between slots, moves a message to another channel, replays
// old messages, tampers with, truncates or extends them, and against a forged
// link code. Messages that authenticate but are malformed (only a code holder
// could make them) are sealed here with bare libsodium from the documented
// format, which checks that format independently of the opener.
#include "securebase/crypto/provisioning.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "securebase/crypto/hkdf.h"
#include "securebase/crypto/limits.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/must.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::Must;

constexpr uint64_t kCodeShownAt = 1'767'225'600;  // 2026-01-01 00:00 UTC
constexpr uint64_t kSealedAt = kCodeShownAt + 40;
constexpr uint64_t kOpenedAt = kCodeShownAt + 45;

ByteSpan Span(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::string AsString(const SecretBytes& b) { return std::string(b.span().begin(), b.span().end()); }

class FailingRecord final : public ProvisioningReplayRecord {
 public:
  Result<bool> Contains(const ProvisioningId&) const override {
    return Status::StorageFailure("vault unreadable");
  }
  Status Remember(const ProvisioningId&, uint64_t) override { return Status::Ok(); }
};

class ProvisioningTest : public ::testing::Test {
 protected:
  SealedProvisioningMessage Seal(std::string_view payload, const ArchiveKey* history = nullptr,
                                 uint64_t created_at = kSealedAt) {
    return Must(SealProvisioningMessage(link_.code(), {created_at, history, Span(payload)}, rng_),
                "Seal");
  }
  Status OpenStatus(ByteSpan sealed, uint64_t now = kOpenedAt) {
    return link_.Open(sealed, now, seen_).status();
  }

  DeterministicRandom rng_{11};
  PendingLink link_ = PendingLink::Generate(kCodeShownAt, rng_);
  PendingLink other_link_ = PendingLink::Generate(kCodeShownAt, rng_);
  ArchiveKey history_key_ = ArchiveKey::Generate(rng_);
  InMemoryProvisioningReplayRecord seen_;
};

TEST_F(ProvisioningTest, OpensExactlyWhatWasSealed) {
  const auto sealed = Seal("account, contacts, settings", &history_key_);
  auto opened = link_.Open(sealed.bytes, kOpenedAt, seen_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsString(opened->payload), "account, contacts, settings");
  EXPECT_EQ(opened->created_at_unix_seconds, kSealedAt);
  EXPECT_EQ(opened->id, sealed.id);
  ASSERT_TRUE(opened->history_key.has_value());
  EXPECT_TRUE(ConstantTimeEquals(opened->history_key->bytes(), history_key_.bytes()));
  EXPECT_EQ(sealed.bytes[0], kProvisioningMessageVersion);

  const auto without_history = Seal("");
  opened = link_.Open(without_history.bytes, kOpenedAt, seen_);
  ASSERT_TRUE(opened.ok());
  EXPECT_FALSE(opened->history_key.has_value());
  EXPECT_TRUE(opened->payload.empty());
  EXPECT_NE(without_history.id, sealed.id);
}

TEST_F(ProvisioningTest, TheLargestPayloadRoundTripsAndALargerOneIsRefused) {
  const std::string largest(kMaxProvisioningPayloadSize, 'p');
  const auto sealed = Seal(largest, &history_key_);
  EXPECT_EQ(sealed.bytes.size(), kMaxProvisioningMessageSize);
  auto opened = link_.Open(sealed.bytes, kOpenedAt, seen_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsString(opened->payload), largest);
  const std::string too_large(kMaxProvisioningPayloadSize + 1, 'p');
  EXPECT_EQ(SealProvisioningMessage(link_.code(), {kSealedAt, nullptr, Span(too_large)}, rng_)
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(ProvisioningTest, LengthsArePaddedToWholeKilobytes) {
  const size_t empty = Seal("").bytes.size();
  EXPECT_EQ(empty, kProvisioningOverhead + kProvisioningPaddingBlock);
  EXPECT_EQ(Seal(std::string(900, 'x'), &history_key_).bytes.size(), empty);
  EXPECT_EQ(Seal(std::string(1000, 'x'), &history_key_).bytes.size(),
            empty + kProvisioningPaddingBlock);
}

TEST_F(ProvisioningTest, OpeningChangesNothingAndCanBeRepeated) {
  const auto sealed = Seal("payload", &history_key_);
  ASSERT_TRUE(OpenStatus(sealed.bytes).ok());
  ASSERT_TRUE(OpenStatus(sealed.bytes).ok());
  EXPECT_FALSE(*seen_.Contains(sealed.id));  // Remembering is the caller's commit.
}

// --- A malicious server ------------------------------------------------------

TEST_F(ProvisioningTest, ABlobSwappedFromAnotherSlotIsRefused) {
  const auto for_other =
      Must(SealProvisioningMessage(other_link_.code(), {kSealedAt, &history_key_, Span("x")}, rng_),
           "Seal");
  const Status s = OpenStatus(for_other.bytes);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(s.message(),
            "this provisioning message does not open with this link code: it was sealed to "
            "another code or channel, or was modified on the way");
  EXPECT_TRUE(other_link_.Open(for_other.bytes, kOpenedAt, seen_).ok());
}

TEST_F(ProvisioningTest, AMessageForAnotherChannelOfTheSameKeyIsRefused) {
  LinkCode moved = link_.code();
  moved.channel_id = other_link_.code().channel_id;
  const auto sealed =
      Must(SealProvisioningMessage(moved, {kSealedAt, nullptr, Span("x")}, rng_), "Seal");
  EXPECT_EQ(OpenStatus(sealed.bytes).code(), ErrorCode::kInvalidMessage);
}

TEST_F(ProvisioningTest, AnyModifiedTruncatedOrExtendedMessageIsOneError) {
  const auto sealed = Seal("account", &history_key_);
  const std::string expected = OpenStatus(Bytes()).message();  // The one refusal.
  for (size_t i = 0; i < sealed.bytes.size(); i += (i < 100 ? 1 : 37)) {
    Bytes tampered = sealed.bytes;
    tampered[i] ^= (i == 0 ? 0x01 : 0x40);  // Version 1 -> 0: not a message either.
    const Status s = OpenStatus(tampered);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << i;
    EXPECT_EQ(s.message(), expected) << i;
  }
  for (size_t cut : {size_t{0}, size_t{1}, size_t{57}, sealed.bytes.size() - 1,
                     sealed.bytes.size() - kProvisioningPaddingBlock}) {
    EXPECT_EQ(OpenStatus(ByteSpan(sealed.bytes).first(cut)).message(), expected) << cut;
  }
  Bytes extended = sealed.bytes;
  extended.resize(extended.size() + kProvisioningPaddingBlock, 0);
  EXPECT_EQ(OpenStatus(extended).message(), expected);
}

TEST_F(ProvisioningTest, ALowOrderSenderKeyIsRefusedBeforeDecryption) {
  Bytes sealed = Seal("x").bytes;
  std::fill(sealed.begin() + 1, sealed.begin() + 33, 0);  // The all-zero (order 1) point.
  EXPECT_EQ(OpenStatus(sealed).code(), ErrorCode::kInvalidMessage);
}

TEST_F(ProvisioningTest, AForgedLinkCodeWithALowOrderKeyCannotBeSealedTo) {
  LinkCode forged = link_.code();
  forged.public_key = DhPublicKey();  // All zeros.
  const auto sealed = SealProvisioningMessage(forged, {kSealedAt, nullptr, Span("x")}, rng_);
  EXPECT_EQ(sealed.status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(ProvisioningTest, AReplayedMessageIsRefusedOnceRemembered) {
  const auto sealed = Seal("account", &history_key_);
  auto opened = link_.Open(sealed.bytes, kOpenedAt, seen_);
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(seen_.Remember(opened->id, opened->created_at_unix_seconds).ok());
  const Status replay = OpenStatus(sealed.bytes, kOpenedAt + 30);
  EXPECT_EQ(replay.code(), ErrorCode::kDuplicateMessage);
  EXPECT_NE(replay.message().find("replay"), std::string::npos);
  // A new message (new id) from the same device still opens.
  EXPECT_TRUE(OpenStatus(Seal("account again").bytes, kOpenedAt + 30).ok());
  // The record's own failure is reported as such.
  FailingRecord failing;
  EXPECT_EQ(link_.Open(sealed.bytes, kOpenedAt, failing).status().code(),
            ErrorCode::kStorageFailure);
}

TEST_F(ProvisioningTest, MessagesOutsideTheTimeWindowAreRefused) {
  struct Case {
    const char* what;
    uint64_t created_at;
    uint64_t now;
    bool accepted;
    const char* message_part;
  };
  const uint64_t skew = kProvisioningClockSkewSeconds;
  const uint64_t age = kMaxProvisioningAgeSeconds;
  const Case cases[] = {
      {"sealed just now", kCodeShownAt + 5, kCodeShownAt + 6, true, ""},
      {"sender clock behind, within skew", kCodeShownAt - skew, kCodeShownAt + 1, true, ""},
      {"made before the code", kCodeShownAt - skew - 1, kCodeShownAt + 1, false, "before this"},
      {"an old message", kCodeShownAt - 86'400, kCodeShownAt + 1, false, "before this"},
      {"sender clock ahead, within skew", kCodeShownAt + skew + 10, kCodeShownAt + 10, true, ""},
      {"dated in the future", kCodeShownAt + skew + 11, kCodeShownAt + 10, false, "future"},
      {"oldest accepted", kCodeShownAt, kCodeShownAt + age + skew, true, ""},
      {"too old", kCodeShownAt, kCodeShownAt + age + skew + 1, false, "too old"},
  };
  for (const auto& c : cases) {
    const auto sealed = Seal("x", nullptr, c.created_at);
    const Status s = OpenStatus(sealed.bytes, c.now);
    if (c.accepted) {
      EXPECT_TRUE(s.ok()) << c.what << ": " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << c.what;
      EXPECT_NE(s.message().find(c.message_part), std::string::npos)
          << c.what << ": " << s.message();
    }
  }
}

TEST_F(ProvisioningTest, ANewerVersionSaysSoAndVersionZeroDoesNotOpen) {
  Bytes sealed = Seal("x").bytes;
  sealed[0] = 2;
  const Status s = OpenStatus(sealed);
  EXPECT_EQ(s.code(), ErrorCode::kUnsupportedVersion);
  EXPECT_NE(s.message().find("newer SecureBase"), std::string::npos);
  sealed[0] = 0;
  EXPECT_EQ(OpenStatus(sealed).code(), ErrorCode::kInvalidMessage);
}

// --- The format, sealed with bare libsodium ---------------------------------

// Seals `inner` (already padded, or deliberately not) to `code` exactly as
// provisioning.h specifies, with the sender ephemeral key `e`.
Bytes RawSeal(const LinkCode& code, const Bytes& inner, RandomSource& rng) {
  uint8_t e[32], e_pub[32], shared[32];
  rng.Fill(e);
  crypto_scalarmult_base(e_pub, e);
  EXPECT_EQ(crypto_scalarmult(shared, e, code.public_key.data()), 0);
  const std::string label = "SecureBase/v1/provisioning";
  Bytes info(label.begin(), label.end());
  info.push_back(1);
  info.insert(info.end(), e_pub, e_pub + 32);
  info.insert(info.end(), code.public_key.span().begin(), code.public_key.span().end());
  info.insert(info.end(), code.channel_id.span().begin(), code.channel_id.span().end());
  uint8_t key[32];
  EXPECT_TRUE(Hkdf(ByteSpan(), ByteSpan(shared, 32), info, std::span<uint8_t>(key, 32)).ok());
  Bytes ad = {1};
  ad.insert(ad.end(), code.channel_id.span().begin(), code.channel_id.span().end());
  ad.insert(ad.end(), e_pub, e_pub + 32);
  Bytes out = {1};
  out.insert(out.end(), e_pub, e_pub + 32);
  Bytes nonce(24);
  rng.Fill(nonce);
  out.insert(out.end(), nonce.begin(), nonce.end());
  Bytes ciphertext(inner.size() + 16);
  crypto_aead_xchacha20poly1305_ietf_encrypt(ciphertext.data(), nullptr, inner.data(), inner.size(),
                                             ad.data(), ad.size(), nullptr, nonce.data(), key);
  out.insert(out.end(), ciphertext.begin(), ciphertext.end());
  return out;
}

Bytes Inner(uint64_t created_at, uint8_t flags, size_t key_bytes, std::string_view payload,
            bool pad = true) {
  Bytes inner;
  for (int i = 7; i >= 0; --i) inner.push_back(static_cast<uint8_t>(created_at >> (8 * i)));
  inner.resize(inner.size() + 16, 0xd1);  // Provisioning id.
  inner.push_back(flags);
  inner.resize(inner.size() + key_bytes, 0x4b);
  inner.insert(inner.end(), payload.begin(), payload.end());
  if (pad) {
    inner.push_back(0x80);
    inner.resize((inner.size() + 1023) / 1024 * 1024, 0);
  }
  return inner;
}

TEST_F(ProvisioningTest, TheDocumentedFormatOpens) {
  const Bytes sealed = RawSeal(link_.code(), Inner(kSealedAt, 1, 32, "hello"), rng_);
  auto opened = link_.Open(sealed, kOpenedAt, seen_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsString(opened->payload), "hello");
  EXPECT_EQ(opened->created_at_unix_seconds, kSealedAt);
  EXPECT_EQ(opened->id.array()[0], 0xd1);
  ASSERT_TRUE(opened->history_key.has_value());
  EXPECT_EQ(opened->history_key->bytes()[31], 0x4b);
}

TEST_F(ProvisioningTest, ACodeHolderCannotSlipMalformedContentPastTheOpener) {
  struct Case {
    const char* what;
    Bytes inner;
  };
  const Case cases[] = {
      {"unknown flag", Inner(kSealedAt, 0x02, 0, "x")},
      {"history flag without the key", Inner(kSealedAt, 0x01, 0, "")},
      {"no padding", Inner(kSealedAt, 0, 0, std::string(1024 - 25, 'x'), false)},
      {"all zeros", Bytes(1024, 0)},
      {"shorter than the fixed fields",
       [] {
         Bytes b = {0, 0, 0, 0, 0x80};
         b.resize(1024, 0);
         return b;
       }()},
  };
  for (const auto& c : cases) {
    const Status s = OpenStatus(RawSeal(link_.code(), c.inner, rng_));
    EXPECT_EQ(s.code(), ErrorCode::kInvalidMessage) << c.what;
    EXPECT_EQ(s.message(), "this provisioning message is malformed") << c.what;
  }
}

}  // namespace
}  // namespace securebase::crypto
