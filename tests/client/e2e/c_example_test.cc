// The C example (examples/c_roundtrip.c) does a round trip through the C API
// against the real server; afterwards the C++ library reads the same vaults
// and finds exactly one message each way.
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

class CExampleTest : public E2eTest {};

TEST_F(CExampleTest, RoundTripThroughTheCApi) {
  ASSERT_FALSE(CRoundTripBinary().empty()) << "the c_roundtrip example was not built";
  it::CommandResult r;
  ASSERT_TRUE(it::RunCommand(
      {CRoundTripBinary(), "--fast-kdf", server_address(), Home("c-therapist"), Home("c-client")},
      std::chrono::seconds(60), &r));
  ASSERT_FALSE(r.timed_out) << r.stdout_text << r.stderr_text;
  ASSERT_EQ(r.term_signal, 0) << r.stderr_text;
  ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.stdout_text << "\nstderr:\n" << r.stderr_text;

  // The vaults the C program made open with the C++ API.
  auto therapist = Reopen("c-therapist");
  auto client = Reopen("c-client");
  ASSERT_TRUE(therapist && client);
  EXPECT_EQ(therapist->role(), sc::Role::kTherapist);
  EXPECT_EQ(client->role(), sc::Role::kClient);
  auto t_history = therapist->History(client->user_id());
  auto c_history = client->History(therapist->user_id());
  ASSERT_SB_OK(t_history);
  ASSERT_SB_OK(c_history);
  ASSERT_EQ(t_history->size(), 4u) << DescribeHistory(*t_history);
  ASSERT_EQ(c_history->size(), 4u) << DescribeHistory(*c_history);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(t_history->at(i).message_id, c_history->at(i).message_id);
    EXPECT_TRUE(ContentEquals(t_history->at(i).content, c_history->at(i).content));
  }
  EXPECT_EQ(c_history->at(0).direction, sc::Direction::kOutgoing);
  EXPECT_EQ(c_history->at(1).direction, sc::Direction::kIncoming);
  EXPECT_EQ(CountInvalid(*t_history) + CountInvalid(*c_history), 0u);
  // The texts the program says it sent (stdout) are the ones stored.
  const auto* first = std::get_if<sc::TextMessage>(&c_history->at(0).content);
  const auto* second = std::get_if<sc::TextMessage>(&c_history->at(1).content);
  ASSERT_TRUE(first && second);
  EXPECT_NE(r.stdout_text.find(first->body), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find(second->body), std::string::npos) << r.stdout_text;
  // The content JSON the C program sent through sb_send, as the C++ API reads it.
  const auto* check_in = std::get_if<sc::CheckIn>(&t_history->at(2).content);
  ASSERT_NE(check_in, nullptr) << DescribeHistory(*t_history);
  EXPECT_EQ(check_in->mood, 6u);
  EXPECT_EQ(check_in->energy, 4u);
  EXPECT_EQ(check_in->sleep_hours, 6.5);
  ASSERT_EQ(check_in->questionnaires.size(), 2u);
  EXPECT_EQ(check_in->questionnaires[1].questionnaire, sc::Questionnaire::kGad7);
  const auto* reflection = std::get_if<sc::Reflection>(&t_history->at(3).content);
  ASSERT_NE(reflection, nullptr);
  EXPECT_EQ(reflection->kind, "thought-record");
  EXPECT_EQ(reflection->Text("situation"), "my manager did not greet me");
  ASSERT_EQ(reflection->Emotions("emotions_before").size(), 1u);

  // Run on existing homes: refused (both homes must be new), no crash.
  it::CommandResult again;
  ASSERT_TRUE(it::RunCommand(
      {CRoundTripBinary(), "--fast-kdf", server_address(), Home("c-therapist"), Home("c-client")},
      std::chrono::seconds(60), &again));
  EXPECT_EQ(again.term_signal, 0);
  EXPECT_NE(again.exit_code, 0);
}

}  // namespace
}  // namespace securebase::e2e
