// Sessions that never get a reply expire after 30 days (libsignal's rule),
// on the client's own clock (ClientOptions::clock, moved by the test): the
// next send makes a new first contact (a new X3DH base key) instead of
// adding to a session the peer may never read. A session that was answered
// does not expire. A man-in-the-middle proxy shows what went on the wire.
#include <atomic>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/session.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/client/e2e/mitm_proxy.h"

namespace securebase::e2e {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000LL;

// The system's time, moved forward on demand.
class MovableClock final : public sc::Clock {
 public:
  int64_t NowUnixMs() override { return sc::SystemClock().NowUnixMs() + offset_.load(); }
  void Advance(int64_t ms) { offset_ += ms; }

 private:
  std::atomic<int64_t> offset_{0};
};

class SessionExpiryTest : public E2eTest {};

TEST_F(SessionExpiryTest, UnansweredSessionExpiresAfterThirtyDays) {
  MitmProxy proxy(server().channel());
  ASSERT_TRUE(proxy.Start());
  MovableClock clock;
  auto therapist = Create(sc::Role::kTherapist, "Dr. Away",
                          [&](sc::ClientOptions& o) { o.server_address = proxy.address(); });
  auto client = Create(sc::Role::kClient, "Ari", [&](sc::ClientOptions& o) {
    o.server_address = proxy.address();
    o.clock = &clock;
  });
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  const std::string therapist_id = crypto::FromHex(therapist->user_id()).value();
  // What the client's last message to the therapist was on the wire: the
  // X3DH base key of an initial message, or "" for a ratchet message.
  auto last_base_key = [&]() -> std::string {
    std::string key = "none";
    for (const auto& send : proxy.sends()) {
      if (send.request.recipient_user_id() != therapist_id) continue;
      auto initial =
          crypto::ParseInitialMessage(crypto::AsBytes(send.request.ciphertexts(0).ciphertext()));
      key = initial.ok() ? crypto::ToHex(initial->header.base_key.span()) : "";
    }
    return key;
  };
  const std::string introduction = last_base_key();
  ASSERT_FALSE(introduction.empty());

  // The therapist does not answer (it does not even sync).
  auto m1 = client->SendText("Dr. Away", "are you there?");
  ASSERT_SB_OK(m1);
  EXPECT_EQ(last_base_key(), introduction) << "the same session, before 30 days";
  clock.Advance(29 * kDayMs);
  auto m2 = client->SendText("Dr. Away", "still waiting");
  ASSERT_SB_OK(m2);
  EXPECT_EQ(last_base_key(), introduction) << "the same session, before 30 days";
  clock.Advance(2 * kDayMs);
  auto m3 = client->SendText("Dr. Away", "a month later");
  ASSERT_SB_OK(m3);
  const std::string renewed = last_base_key();
  EXPECT_FALSE(renewed.empty()) << "not a first contact";
  EXPECT_NE(renewed, introduction) << "the unanswered session was still used after 30 days";

  // The therapist reads all three, from both sessions.
  auto read = therapist->Sync();
  ASSERT_SB_OK(read);
  for (const auto& id : {*m1, *m2, *m3}) EXPECT_EQ(CountId(read->new_items, id), 1u);
  EXPECT_EQ(CountInvalid(read->new_items), 0u) << DescribeHistory(read->new_items);

  // Answered now (the therapist's receipts and a reply): a session that got a
  // reply does not expire, however long the next silence.
  ASSERT_SB_OK(therapist->SendText("Ari", "sorry, I was away"));
  ASSERT_SB_OK(client->Sync());
  clock.Advance(45 * kDayMs);
  auto m4 = client->SendText("Dr. Away", "no rush");
  ASSERT_SB_OK(m4);
  EXPECT_EQ(last_base_key(), "") << "an answered session started over";
  auto again = therapist->Sync();
  ASSERT_SB_OK(again);
  EXPECT_EQ(CountId(again->new_items, *m4), 1u) << DescribeHistory(again->new_items);
}

}  // namespace
}  // namespace securebase::e2e
