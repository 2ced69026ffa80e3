#include "tests/desktop/fixture.h"

#include <cmath>

namespace securebase::desktop::testing {

namespace {

int64_t Ms(const QDateTime& t) { return t.toMSecsSinceEpoch(); }

std::string IdFor(int n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", n + 0x1000);
  return buf;
}

sc::HistoryItem Item(const std::string& peer, int n, sc::Direction direction, int64_t at,
                     sc::ContentBody body, sc::DeliveryState state = sc::DeliveryState::kRead) {
  sc::HistoryItem item;
  item.message_id = IdFor(n);
  item.peer_user_id = peer;
  item.direction = direction;
  item.sent_at_unix_ms = at;
  item.received_at_unix_ms = at + 2000;
  item.state = state;
  item.content = std::move(body);
  return item;
}

sc::Direction Flip(sc::Direction d) {
  return d == sc::Direction::kIncoming ? sc::Direction::kOutgoing : sc::Direction::kIncoming;
}

// A gentle, believable course: low at first, better lately, a dip mid-way.
int MoodOn(int day_index, int days) {
  const double progress = static_cast<double>(day_index) / std::max(days, 1);
  const double base = 3.0 + 3.5 * progress;
  const double wave = 1.2 * std::sin(day_index * 0.9) + (day_index % 9 == 4 ? -1.5 : 0);
  return std::clamp(static_cast<int>(std::lround(base + wave)), 0, 10);
}

sc::CheckIn CheckInFor(int day_index, int days) {
  sc::CheckIn c;
  c.mood = static_cast<uint32_t>(MoodOn(day_index, days));
  c.energy = static_cast<uint32_t>(std::clamp(MoodOn(day_index + 2, days) - 1, 0, 10));
  c.sleep_hours = 5.5 + (day_index % 5) * 0.5;
  static const char* kEmotions[] = {"sad", "anxious", "lonely", "hopeful", "calm"};
  c.emotions.push_back(
      {kEmotions[day_index % 3], static_cast<uint32_t>(70 - (day_index * 37) % 40)});
  if (day_index % 4 == 0) c.emotions.push_back({kEmotions[3 + day_index % 2], 40});
  if (day_index % 3 == 0) c.helped = "a walk after work";
  if (day_index % 14 == 0) {
    const uint32_t lift = static_cast<uint32_t>(day_index * 2 / std::max(days, 1));
    sc::QuestionnaireAnswers phq{sc::Questionnaire::kPhq9, {2, 2, 2, 2, 1, 2, 1, 1, 0}};
    sc::QuestionnaireAnswers gad{sc::Questionnaire::kGad7, {2, 2, 2, 1, 1, 2, 1}};
    for (auto* a : {&phq, &gad}) {
      for (size_t i = 0; i < a->item_scores.size() && i < lift * 3; ++i) {
        if (a->item_scores[i] > 0) --a->item_scores[i];
      }
    }
    c.questionnaires = {phq, gad};
  }
  return c;
}

}  // namespace

QDateTime FixtureNow() { return QDateTime(QDate(2026, 12, 3), QTime(15, 0)); }

std::vector<sc::HistoryItem> DailyCheckIns(const std::string& peer, int days, QDateTime now) {
  std::vector<sc::HistoryItem> items;
  for (int d = 0; d < days; ++d) {
    const QDateTime at = now.addDays(d - days + 1).addSecs(-3600 * (d % 5));
    items.push_back(Item(peer, 5000 + d, sc::Direction::kIncoming, Ms(at), CheckInFor(d, days)));
  }
  return items;
}

std::vector<sc::HistoryItem> LongConversation(const std::string& peer, int count, QDateTime now) {
  std::vector<sc::HistoryItem> items;
  items.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const QDateTime at = now.addSecs(static_cast<qint64>(i - count) * 600);
    const sc::Direction dir = i % 2 ? sc::Direction::kOutgoing : sc::Direction::kIncoming;
    sc::ContentBody body;
    if (i % 10 == 3) {
      body = CheckInFor(i, count);
    } else if (i % 10 == 7) {
      sc::Reflection r;
      r.kind = "thought-record";
      r.SetText("situation", "the meeting");
      r.SetText("automatic_thought", "I failed");
      r.SetEmotions("emotions_before", {{"ashamed", 60}});
      r.SetText("evidence_against", "people nodded");
      r.SetText("balanced_thought", "one slide went wrong");
      r.SetEmotions("emotions_after", {{"ashamed", 30}});
      body = r;
    } else {
      body =
          sc::TextMessage{"Message number " + std::to_string(i) + " of a long conversation.", ""};
    }
    items.push_back(Item(peer, 100000 + i, dir, Ms(at), body));
  }
  return items;
}

std::vector<sc::HistoryItem> SamHistory(sc::Direction from_sam) {
  const QDateTime now = FixtureNow();
  const sc::Direction to_sam = Flip(from_sam);
  std::vector<sc::HistoryItem> items = DailyCheckIns(kSamId, 60, now.addDays(-1));
  for (auto& item : items) item.direction = from_sam;
  // Exercises and their answers, two weeks ago.
  sc::Exercise thought{"Thought record",
                       "When you notice a strong feeling about yourself, fill in a thought "
                       "record: the situation, the automatic thought, the evidence for and "
                       "against it, and a more balanced thought. One a day is plenty.",
                       "thought-record", sc::Recurrence::kDaily, "2026-12-05"};
  items.push_back(Item(kSamId, 1, to_sam, Ms(now.addDays(-14)), thought));
  sc::Exercise mentalise{"Seeing it from both sides",
                         "Pick one moment this week when someone close to you upset or confused "
                         "you. What did you feel and need? What might they have felt, thought or "
                         "intended?",
                         "mentalisation", sc::Recurrence::kNone, "2026-11-30"};
  items.push_back(Item(kSamId, 2, to_sam, Ms(now.addDays(-10)), mentalise));
  sc::Reflection thought_answer;
  thought_answer.kind = "thought-record";
  thought_answer.prompt = "Thought record";
  thought_answer.exercise_id = IdFor(1);
  thought_answer.SetText("situation", "the team meeting on Monday");
  thought_answer.SetText("automatic_thought", "I failed, everyone saw it");
  thought_answer.SetEmotions("emotions_before", {{"ashamed", 80}, {"anxious", 60}});
  thought_answer.SetText("evidence_for", "one slide had the wrong numbers");
  thought_answer.SetText("evidence_against", "people asked good questions; my manager thanked me");
  thought_answer.SetText("balanced_thought", "one slide went wrong, not the whole talk");
  thought_answer.SetEmotions("emotions_after", {{"ashamed", 35}});
  items.push_back(Item(kSamId, 3, from_sam, Ms(now.addDays(-6)), thought_answer));
  sc::Reflection communication;
  communication.kind = "communication";
  communication.SetText("need", "time to myself on Sunday mornings");
  communication.SetText("boundary", "no calls before 11");
  communication.SetText("what_i_said", "\"I'd love to talk, can we do it after 11?\"");
  communication.SetText("what_happened", "She said yes. I felt guilty, then relieved.");
  items.push_back(Item(kSamId, 4, from_sam, Ms(now.addDays(-3)), communication));
  sc::Reflection regulation;
  regulation.kind = "emotion-regulation";
  regulation.SetText("trigger", "my manager's short email on Friday evening");
  regulation.SetText("body_sensations", "tight chest, hot face, could not sit still");
  regulation.SetEmotions("emotions_before", {{"anxious", 80}, {"angry", 40}});
  regulation.SetText("skill_used", "slow breathing for five minutes, then a walk round the block");
  regulation.SetEmotions("emotions_after", {{"anxious", 35}});
  items.push_back(Item(kSamId, 5, from_sam, Ms(now.addDays(-2)), regulation));
  // Today's conversation: the README's.
  items.push_back(Item(kSamId, 10, from_sam, Ms(now.addSecs(-3 * 3600)),
                       sc::TextMessage{"It was a hard week.", ""}));
  sc::CheckIn today;
  today.mood = 4;
  today.emotions = {{"sad", 70}, {"tired", 50}};
  today.sleep_hours = 5.5;
  today.energy = 3;
  today.note = "tired, but I went for a walk";
  today.helped = "calling my sister";
  today.questionnaires = {{sc::Questionnaire::kPhq9, {1, 2, 1, 2, 1, 1, 1, 0, 0}}};
  items.push_back(Item(kSamId, 11, from_sam, Ms(now.addSecs(-3 * 3600 + 120)), today));
  items.push_back(Item(kSamId, 12, to_sam, Ms(now.addSecs(-2 * 3600)),
                       sc::TextMessage{"Thank you for telling me. Let's look at it together on "
                                       "Thursday. Would a thought record help until then?",
                                       ""}));
  items.push_back(Item(kSamId, 13, from_sam, Ms(now.addSecs(-40 * 60)),
                       sc::TextMessage{"Yes, I'll try one tonight.", ""},
                       sc::DeliveryState::kDelivered));
  // Newest last; the generator's check-ins are older than all of these.
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.sent_at_unix_ms < b.sent_at_unix_ms;
  });
  for (auto& item : items) {
    if (item.direction == sc::Direction::kIncoming &&
        item.sent_at_unix_ms > Ms(now.addSecs(-3600))) {
      item.state = sc::DeliveryState::kDelivered;  // Unread.
    }
  }
  return items;
}

sc::HistoryItem RiskCheckIn(const std::string& peer, sc::Direction direction, QDateTime at) {
  sc::CheckIn c;
  c.mood = 2;
  c.emotions = {{"hopeless", 80}, {"tired", 70}};
  c.note = "a bad night";
  c.questionnaires = {{sc::Questionnaire::kPhq9, {2, 3, 2, 2, 1, 2, 1, 1, 1}}};
  return Item(peer, 14, direction, Ms(at), c, sc::DeliveryState::kDelivered);
}

sc::Contact DrRivera() {
  sc::Contact c;
  c.user_id = kTherapistId;
  c.display_name = "Dr Rivera";
  c.role = sc::Role::kTherapist;
  c.verified = true;
  c.availability = sc::Availability{
      "Mon\u2013Thu 9\u201317. I read messages once a day and reply within one working day.",
      "If you are in danger or might harm yourself, call 999 or go to A&E. Samaritans: 116 123, "
      "day and night."};
  return c;
}

std::vector<ContactRow> TherapistContacts() {
  const QDate today = FixtureNow().date();
  sc::Contact sam{kSamId, "Sam", sc::Role::kClient, true, true, false, false, std::nullopt};
  sc::Contact alex{kAlexId, "Alex", sc::Role::kClient, true, true, true, true, std::nullopt};
  sc::Contact jordan{kJordanId, "Jordan", sc::Role::kClient, true, false,
                     false,     false,    std::nullopt};
  std::vector<sc::HistoryItem> alex_items = DailyCheckIns(kAlexId, 20, FixtureNow().addDays(-2));
  for (size_t i = 0; i < alex_items.size(); ++i) {
    auto* c = std::get_if<sc::CheckIn>(&alex_items[i].content);
    c->mood = static_cast<uint32_t>(std::clamp(7 - static_cast<int>(i) / 4, 0, 10));
  }
  sc::Exercise overdue{"Emotion regulation log", "Once a day, notice what you feel.",
                       "emotion-regulation", sc::Recurrence::kNone, "2026-11-28"};
  alex_items.push_back(
      Item(kAlexId, 20, sc::Direction::kOutgoing, Ms(FixtureNow().addDays(-9)), overdue));
  return {{sam, Summarize(SamHistory(sc::Direction::kIncoming), today)},
          {alex, Summarize(alex_items, today)},
          {jordan, Summarize({}, today)}};
}

std::vector<ContactRow> ClientContacts() {
  const QDate today = FixtureNow().date();
  return {{DrRivera(), Summarize(SamHistory(sc::Direction::kOutgoing), today)}};
}

}  // namespace securebase::desktop::testing
