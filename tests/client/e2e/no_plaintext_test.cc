// No plaintext on the server: every content type (and both display names, the
// availability notice, the invite's profile) is sent with a unique marker;
// after the conversation the server is stopped (everything flushed) and no
// file under its data dir, no log, and no record of its store (read through
// RocksDB, so compressed blocks are searched too) contains any marker. The
// vaults on the devices hold no marker and no contact's id in the clear
// either.
#include "securebase/crypto/encoding.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

class NoPlaintextTest : public E2eTest {};

TEST_F(NoPlaintextTest, NoMarkerReachesTheServerOrTheDisk) {
  const std::string run = RandomHex(6);
  auto marker = [&](const std::string& what) { return "SBMARK" + run + what; };
  std::vector<std::string> markers;
  auto use = [&](const std::string& what) {
    markers.push_back(marker(what));
    return markers.back();
  };

  const std::string therapist_name = "Dr. " + use("therapistname");
  const std::string client_name = "Client " + use("clientname");
  // Homes named without markers (RocksDB's LOG names its directory).
  auto therapist_created = sc::Client::Create(Options(Home("therapist")), kPassphrase,
                                              sc::Role::kTherapist, therapist_name);
  auto client_created =
      sc::Client::Create(Options(Home("client")), kPassphrase, sc::Role::kClient, client_name);
  ASSERT_SB_OK(therapist_created);
  ASSERT_SB_OK(client_created);
  std::unique_ptr<sc::Client> therapist = std::move(therapist_created).value();
  std::unique_ptr<sc::Client> client = std::move(client_created).value();
  ASSERT_SB_OK(therapist->SetAvailability(MakeAvailability(use("invitenotice"))));
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));

  std::vector<std::string> ids;
  auto sent = [&](sc::Result<std::string> id) {
    ASSERT_SB_OK(id);
    ids.push_back(*id);
  };
  for (auto [from, to, peer, side] :
       {std::tuple{client.get(), therapist.get(), therapist_name, std::string("c")},
        std::tuple{therapist.get(), client.get(), client_name, std::string("t")}}) {
    sent(from->SendText(peer, MakeText(use("text" + side)).body));
    sent(from->SendCheckIn(peer, MakeCheckIn(use("checkin" + side))));
    sent(from->SendReflection(peer, MakeFreeReflection(use("free" + side))));
    sent(from->SendReflection(peer, MakeThoughtRecord(use("thought" + side))));
    sent(from->SendReflection(peer, MakeMentalisation(use("mentalisation" + side))));
    sent(from->SendReflection(peer, MakeCommunication(use("communication" + side))));
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_SB_OK(to->Sync());
  }
  sent(therapist->AssignExercise(client_name, MakeExercise(use("exercise"))));
  ASSERT_SB_OK(therapist->SetAvailability(MakeAvailability(use("notice"))));
  // Messages left undelivered in a mailbox, too: the server stores them.
  sent(client->SendText(therapist_name, use("waiting-in-mailbox")));
  ASSERT_SB_OK(client->Sync());
  ASSERT_SB_OK(client->MarkRead(therapist_name));
  ASSERT_FALSE(HasFatalFailure());
  // The conversation really happened (so the markers did travel).
  auto history = client->History(therapist_name);
  ASSERT_SB_OK(history);
  EXPECT_EQ(history->size(), ids.size() + 1) << DescribeHistory(*history);

  const std::string therapist_raw_id = crypto::FromHex(therapist->user_id()).value_or("");
  const std::string client_raw_id = crypto::FromHex(client->user_id()).value_or("");
  therapist.reset();
  client.reset();
  ASSERT_TRUE(server().Stop());

  std::string dump, error;
  ASSERT_TRUE(DumpServerStore(server().db_dir(), &dump, &error)) << error;
  // The search works: the server does know the users (ids are routing data).
  EXPECT_NE(dump.find(client_raw_id), std::string::npos) << "the store dump looks empty";
  const std::string server_log = server().StderrText() + server().StdoutText();
  markers.push_back("SBMARK" + run);  // Any part of any marker.
  for (const std::string& m : markers) {
    SCOPED_TRACE(m);
    EXPECT_EQ(FilesContaining(server().root_dir(), m), std::vector<std::string>{})
        << "plaintext in the server's files";
    EXPECT_EQ(dump.find(m), std::string::npos) << "plaintext in a store record";
    EXPECT_EQ(server_log.find(m), std::string::npos) << "plaintext in the server's log";
    EXPECT_EQ(FilesContaining(Home("therapist"), m), std::vector<std::string>{})
        << "plaintext in the therapist's vault files";
    EXPECT_EQ(FilesContaining(Home("client"), m), std::vector<std::string>{})
        << "plaintext in the client's vault files";
  }
  // Record names in the vaults do not reveal contacts.
  EXPECT_EQ(FilesContaining(Home("client"), therapist_raw_id), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(Home("client"), crypto::ToHex(therapist_raw_id)),
            std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(Home("therapist"), client_raw_id), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(Home("therapist"), crypto::ToHex(client_raw_id)),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace securebase::e2e
