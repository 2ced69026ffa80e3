// A whole conversation through the C++ library: a therapist and a client
// (separate vaults) link by invite and exchange every content type both ways;
// each side's history holds exactly what was sent (every field), once, with
// the right directions, senders and delivery states (receipts).
#include <set>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

struct Sent {
  std::string id;
  sc::ContentBody body;
  bool from_therapist = false;
};

class LibraryConversationTest : public E2eTest {};

TEST_F(LibraryConversationTest, EveryContentTypeBothWaysWithReceipts) {
  const std::string m = RandomHex(6);
  auto therapist = Create(sc::Role::kTherapist, "Dr. Rivera");
  auto client = Create(sc::Role::kClient, "Sam");
  ASSERT_TRUE(therapist && client);

  // The availability notice set before the invite travels in the sealed
  // profile: the client sees it right after accepting.
  const sc::Availability first_notice = MakeAvailability("first-" + m);
  ASSERT_SB_OK(therapist->SetAvailability(first_notice));
  auto code = therapist->CreateInvite(std::chrono::hours(2));
  ASSERT_SB_OK(code);
  auto accepted = client->AcceptInvite(*code);
  ASSERT_SB_OK(accepted);
  EXPECT_EQ(accepted->display_name, "Dr. Rivera");
  EXPECT_EQ(accepted->role, sc::Role::kTherapist);
  EXPECT_TRUE(accepted->verified);
  EXPECT_TRUE(accepted->linked);
  ASSERT_TRUE(accepted->availability.has_value()) << "the invite's profile carries the notice";
  EXPECT_TRUE(ContentEquals(first_notice, *accepted->availability));
  // The client can address the therapist by name at once.
  ASSERT_SB_OK(client->FindContact("Dr. Rivera"));

  // Negative: roles.
  EXPECT_TRUE(HasCode(client->AssignExercise("Dr. Rivera", MakeExercise(m)),
                      sc::ErrorCode::kPermissionDenied));
  EXPECT_TRUE(
      HasCode(client->SetAvailability(MakeAvailability(m)), sc::ErrorCode::kPermissionDenied));
  EXPECT_TRUE(
      HasCode(client->CreateInvite(std::chrono::hours(1)), sc::ErrorCode::kPermissionDenied));
  EXPECT_TRUE(HasCode(therapist->AcceptInvite(*code), sc::ErrorCode::kPermissionDenied));
  // Negative: validation before anything is sent.
  sc::CheckIn bad = MakeCheckIn(m);
  bad.emotions[0].intensity = 101;
  EXPECT_TRUE(HasCode(client->SendCheckIn("Dr. Rivera", bad), sc::ErrorCode::kInvalidArgument));
  bad = MakeCheckIn(m);
  bad.mood = 11;
  EXPECT_TRUE(HasCode(client->SendCheckIn("Dr. Rivera", bad), sc::ErrorCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(client->SendText("nobody-by-that-name", "x"), sc::ErrorCode::kNotFound));

  std::vector<Sent> sent;
  auto record = [&](sc::Result<std::string> id, sc::ContentBody body, bool from_therapist) {
    ASSERT_SB_OK(id);
    EXPECT_EQ(id->size(), 32u) << "message ids are 16 bytes, hex";
    sent.push_back({*id, std::move(body), from_therapist});
  };

  // Client -> therapist: every type a client sends.
  {
    sc::TextMessage text = MakeText("c1-" + m);
    record(client->SendText("Dr. Rivera", text.body), text, false);
    sc::CheckIn check_in = MakeCheckIn("c2-" + m);
    record(client->SendCheckIn("Dr. Rivera", check_in), check_in, false);
    for (auto make :
         {MakeFreeReflection, MakeThoughtRecord, MakeMentalisation, MakeCommunication}) {
      sc::Reflection r = make("c3-" + m);
      record(client->SendReflection("Dr. Rivera", r), r, false);
    }
  }
  ASSERT_FALSE(HasFatalFailure());

  auto therapist_sync = therapist->Sync();
  ASSERT_SB_OK(therapist_sync);
  EXPECT_EQ(therapist_sync->new_items.size(), sent.size())
      << DescribeHistory(therapist_sync->new_items);

  // Therapist -> client: a reply to the first message, an exercise, a new
  // availability notice, and the same types a client sends.
  {
    sc::TextMessage reply{"reply t1-" + m, sent[0].id};
    record(therapist->SendText("Sam", reply.body, reply.reply_to), reply, true);
    sc::Exercise exercise = MakeExercise("t2-" + m);
    record(therapist->AssignExercise("Sam", exercise), exercise, true);
    sc::CheckIn check_in = MakeCheckIn("t3-" + m);
    check_in.energy.reset();
    check_in.sleep_hours.reset();
    check_in.questionnaires.clear();
    record(therapist->SendCheckIn("Sam", check_in), check_in, true);
    for (auto make :
         {MakeFreeReflection, MakeThoughtRecord, MakeMentalisation, MakeCommunication}) {
      sc::Reflection r = make("t4-" + m);
      record(therapist->SendReflection("Sam", r), r, true);
    }
  }
  ASSERT_FALSE(HasFatalFailure());
  const sc::Availability second_notice = MakeAvailability("second-" + m);
  ASSERT_SB_OK(therapist->SetAvailability(second_notice));

  auto client_sync = client->Sync();
  ASSERT_SB_OK(client_sync);
  // A client answers the exercise with a check-in that names it.
  {
    sc::CheckIn answer = MakeCheckIn("c5-" + m);
    answer.exercise_id = sent[7].id;
    record(client->SendCheckIn("Dr. Rivera", answer), answer, false);
    sc::TextMessage text{"thanks c6-" + m, sent[6].id};
    record(client->SendText("Dr. Rivera", text.body, text.reply_to), text, false);
  }
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_SB_OK(therapist->Sync());
  ASSERT_SB_OK(client->Sync());  // Delivered receipts from the therapist.

  // The client saw the new notice.
  auto therapist_contact = client->FindContact("Dr. Rivera");
  ASSERT_SB_OK(therapist_contact);
  ASSERT_TRUE(therapist_contact->availability.has_value());
  EXPECT_TRUE(ContentEquals(second_notice, *therapist_contact->availability));

  auto client_history = client->History("Dr. Rivera");
  auto therapist_history = therapist->History("Sam");
  ASSERT_SB_OK(client_history);
  ASSERT_SB_OK(therapist_history);
  const std::string c_dump = DescribeHistory(*client_history);
  const std::string t_dump = DescribeHistory(*therapist_history);
  EXPECT_EQ(CountInvalid(*client_history), 0u) << c_dump;
  EXPECT_EQ(CountInvalid(*therapist_history), 0u) << t_dump;

  for (const Sent& s : sent) {
    SCOPED_TRACE(std::string(sc::ContentTypeName(s.body)) + " " + s.id);
    auto& sender = s.from_therapist ? *therapist_history : *client_history;
    auto& receiver = s.from_therapist ? *client_history : *therapist_history;
    const std::string sender_id = s.from_therapist ? therapist->user_id() : client->user_id();
    const std::string receiver_id = s.from_therapist ? client->user_id() : therapist->user_id();
    ASSERT_EQ(CountId(sender, s.id), 1u) << (s.from_therapist ? t_dump : c_dump);
    ASSERT_EQ(CountId(receiver, s.id), 1u) << (s.from_therapist ? c_dump : t_dump);
    const sc::HistoryItem& out = *FindId(sender, s.id);
    const sc::HistoryItem& in = *FindId(receiver, s.id);
    EXPECT_EQ(out.direction, sc::Direction::kOutgoing);
    EXPECT_EQ(in.direction, sc::Direction::kIncoming);
    EXPECT_EQ(out.sender_user_id, sender_id);
    EXPECT_EQ(in.sender_user_id, sender_id);
    EXPECT_EQ(out.peer_user_id, receiver_id);
    EXPECT_EQ(in.peer_user_id, sender_id);
    EXPECT_EQ(out.sent_at_unix_ms, in.sent_at_unix_ms) << "the sender's clock, on both sides";
    EXPECT_GT(in.received_at_unix_ms, 0);
    EXPECT_EQ(in.sender_device_id, out.sender_device_id);
    EXPECT_TRUE(ContentEquals(s.body, out.content)) << "sender's copy";
    EXPECT_TRUE(ContentEquals(s.body, in.content)) << "receiver's copy";
    // Every message has been seen by the other side's sync: delivered.
    EXPECT_EQ(out.state, sc::DeliveryState::kDelivered);
    EXPECT_EQ(in.state, sc::DeliveryState::kDelivered);
  }
  // Besides the sent items the histories hold only the availability notices
  // (no receipts or profiles as items, nothing twice).
  auto count_type = [](const std::vector<sc::HistoryItem>& items, const char* type) {
    size_t n = 0;
    for (const auto& item : items) n += std::string(sc::ContentTypeName(item.content)) == type;
    return n;
  };
  for (const auto* history : {&*client_history, &*therapist_history}) {
    EXPECT_EQ(count_type(*history, "receipt"), 0u);
    EXPECT_EQ(count_type(*history, "profile"), 0u);
    EXPECT_EQ(count_type(*history, "invalid"), 0u);
  }
  EXPECT_EQ(count_type(*client_history, "availability"), 1u)
      << "the notice changed once while linked\n"
      << c_dump;
  EXPECT_EQ(client_history->size(), sent.size() + 1) << c_dump;
  EXPECT_EQ(therapist_history->size(), sent.size() + 1) << t_dump;
  // Oldest first: the client's history starts with its first message.
  EXPECT_EQ(client_history->front().message_id, sent.front().id) << c_dump;

  // Read receipts: the therapist reads; the client's items become "read".
  ASSERT_SB_OK(therapist->MarkRead("Sam"));
  ASSERT_SB_OK(client->Sync());
  client_history = client->History("Dr. Rivera");
  ASSERT_SB_OK(client_history);
  for (const Sent& s : sent) {
    if (s.from_therapist) continue;
    const sc::HistoryItem* out = FindId(*client_history, s.id);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->state, sc::DeliveryState::kRead) << s.id;
  }
  // And the therapist's incoming items are now read locally.
  therapist_history = therapist->History("Sam");
  ASSERT_SB_OK(therapist_history);
  for (const auto& item : *therapist_history) {
    if (item.direction == sc::Direction::kIncoming) {
      EXPECT_EQ(item.state, sc::DeliveryState::kRead) << item.message_id;
    }
  }
  // The client's own read receipts reach the therapist.
  ASSERT_SB_OK(client->MarkRead("Dr. Rivera"));
  ASSERT_SB_OK(therapist->Sync());
  therapist_history = therapist->History("Sam");
  ASSERT_SB_OK(therapist_history);
  for (const Sent& s : sent) {
    if (!s.from_therapist) continue;
    const sc::HistoryItem* out = FindId(*therapist_history, s.id);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->state, sc::DeliveryState::kRead) << s.id;
  }

  // Safety numbers agree; 60 digits in 12 groups.
  auto t_number = therapist->SafetyNumber("Sam");
  auto c_number = client->SafetyNumber("Dr. Rivera");
  ASSERT_SB_OK(t_number);
  ASSERT_SB_OK(c_number);
  EXPECT_EQ(*t_number, *c_number);
  size_t digits = 0;
  for (char ch : *t_number) digits += ch >= '0' && ch <= '9';
  EXPECT_EQ(digits, 60u) << *t_number;

  // Export holds both conversations' items.
  auto exported = therapist->ExportJson();
  ASSERT_SB_OK(exported);
  std::string error;
  auto doc = ParseJson(*exported, &error);
  ASSERT_TRUE(doc.has_value()) << error;
  std::set<std::string> exported_ids;
  for (const Json& contact : List(*doc, "contacts")) {
    for (const Json& item : List(contact, "history")) exported_ids.insert(Str(item, "message_id"));
  }
  for (const Sent& s : sent) EXPECT_EQ(exported_ids.count(s.id), 1u) << s.id;

  // A second sync brings nothing new: nothing is shown twice.
  auto again = client->Sync();
  ASSERT_SB_OK(again);
  EXPECT_TRUE(again->new_items.empty()) << DescribeHistory(again->new_items);
  auto again_t = therapist->Sync();
  ASSERT_SB_OK(again_t);
  EXPECT_TRUE(again_t->new_items.empty()) << DescribeHistory(again_t->new_items);

  // Reopening the vaults shows the same history.
  client.reset();
  auto reopened = Reopen("Sam");
  ASSERT_TRUE(reopened);
  auto reopened_history = reopened->History("Dr. Rivera");
  ASSERT_SB_OK(reopened_history);
  EXPECT_EQ(reopened_history->size(), client_history->size());
}

TEST_F(LibraryConversationTest, EndLinkStopsSendingBothWays) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Okafor");
  auto client = Create(sc::Role::kClient, "Robin");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  auto before = client->SendText("Dr. Okafor", "before the end");
  ASSERT_SB_OK(before);
  ASSERT_SB_OK(therapist->EndLink("Robin"));
  auto contact = therapist->FindContact("Robin");
  ASSERT_SB_OK(contact);
  EXPECT_FALSE(contact->linked);
  EXPECT_TRUE(
      HasCode(therapist->SendText("Robin", "after the end"), sc::ErrorCode::kFailedPrecondition));
  // The client does not know yet; the server refuses its send for good.
  auto refused = client->SendText("Dr. Okafor", "after the end");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().code() == sc::ErrorCode::kPermissionDenied ||
              refused.status().code() == sc::ErrorCode::kFailedPrecondition)
      << Describe(refused.status());
  auto history = client->History("Dr. Okafor");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->size(), 2u) << DescribeHistory(*history);
  EXPECT_EQ(history->back().state, sc::DeliveryState::kFailed) << DescribeHistory(*history);
  // What was sent while linked is still delivered after the end, and the
  // history stays with the therapist.
  ASSERT_SB_OK(therapist->Sync());
  auto kept = therapist->History("Robin");
  ASSERT_SB_OK(kept);
  EXPECT_EQ(CountId(*kept, *before), 1u);
}

}  // namespace
}  // namespace securebase::e2e
