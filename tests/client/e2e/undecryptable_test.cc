// Finding 5: a message that can no longer be decrypted is shown as such.
//
// A server withholds a client's messages (a man-in-the-middle proxy answers
// the client's sends as if stored, and keeps them): it delivers the second
// message, then the 1003rd, so the therapist's device skips a thousand
// message keys in one chain and, to stay within its bound, evicts the key of
// the first; then the server delivers the first. Its key is gone: the
// therapist sees an item saying a message from the client could not be
// decrypted (in the library's history and in the `securebase` app), not
// nothing, and not a duplicate.
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/limits.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/client/e2e/mitm_proxy.h"

namespace securebase::e2e {
namespace {

// Withheld: the 3rd to the 1002nd message (1000 keys skipped at once, the
// most one message may skip), so the chain holds 1001 and evicts one.
static_assert(crypto::kMaxSkipPerChain == 1000);
static_assert(crypto::kMaxSkippedKeysTotal >= 1001);

class UndecryptableTest : public E2eTest {};

TEST_F(UndecryptableTest, EvictedMessageIsShownAsNotDecryptable) {
  MitmProxy proxy(server().channel());
  ASSERT_TRUE(proxy.Start());
  auto therapist = Create(sc::Role::kTherapist, "Dr. Late",
                          [&](sc::ClientOptions& o) { o.server_address = proxy.address(); });
  auto client = Create(sc::Role::kClient, "Noa", [&](sc::ClientOptions& o) {
    o.server_address = proxy.address();
    o.vault_access = sc::VaultAccess::kExclusive;  // A thousand sends: keep the vault open.
  });
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  // A reply, so the client's next messages start a fresh sending chain.
  ASSERT_SB_OK(therapist->SendText("Noa", "welcome"));
  ASSERT_SB_OK(client->Sync());

  const std::string therapist_id = crypto::FromHex(therapist->user_id()).value();
  constexpr int kLast = 1003;
  std::atomic<int> numbered{0};
  proxy.OnSend([&](const v1::SendRequest& request) {
    if (request.recipient_user_id() != therapist_id) return MitmProxy::SendAction::kForward;
    const int n = ++numbered;
    return n == 2 || n == kLast ? MitmProxy::SendAction::kForward : MitmProxy::SendAction::kSwallow;
  });
  std::string first_id;
  for (int n = 1; n <= kLast; ++n) {
    auto sent = client->SendText("Dr. Late", "message " + std::to_string(n));
    ASSERT_SB_OK(sent) << n;
    if (n == 1) first_id = *sent;
  }
  ASSERT_EQ(numbered.load(), kLast);
  proxy.OnSend(nullptr);
  // Late, the first one.
  const auto sends = proxy.sends();
  const MitmProxy::CapturedSend* first = nullptr;
  for (const auto& send : sends) {
    if (send.request.recipient_user_id() == therapist_id && !send.forwarded) {
      first = &send;
      break;
    }
  }
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(proxy.SendAs(first->authorization, first->request).ok());

  auto synced = therapist->Sync();
  ASSERT_SB_OK(synced);
  ASSERT_EQ(synced->new_items.size(), 3u) << DescribeHistory(synced->new_items);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"message 2", ""}, synced->new_items[0].content));
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"message 1003", ""}, synced->new_items[1].content));
  const auto* invalid = std::get_if<sc::InvalidContent>(&synced->new_items[2].content);
  ASSERT_NE(invalid, nullptr) << DescribeHistory(synced->new_items);
  EXPECT_NE(invalid->reason.find("Noa"), std::string::npos) << invalid->reason;
  EXPECT_NE(invalid->reason.find("could not be decrypted: it arrived too late"), std::string::npos)
      << invalid->reason;
  auto history = therapist->History("Noa");
  ASSERT_SB_OK(history);
  EXPECT_EQ(CountInvalid(*history), 1u) << DescribeHistory(*history);
  EXPECT_EQ(CountId(*history, first_id), 0u);

  // The app shows it too.
  if (!CliBinary().empty()) {
    therapist.reset();
    it::CommandResult r;
    ASSERT_TRUE(it::RunCommand({CliBinary(), "--home", Home("Dr. Late"), "--server",
                                server_address(), "--insecure", "history", "Noa"},
                               kCliTimeout, &r));
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_NE(r.stdout_text.find("could not be read"), std::string::npos) << r.stdout_text;
    EXPECT_NE(r.stdout_text.find("could not be decrypted: it arrived too late"), std::string::npos)
        << r.stdout_text;
  }
}

}  // namespace
}  // namespace securebase::e2e
