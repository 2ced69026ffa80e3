#include "contact_summary.h"

#include "content_cards.h"
#include "exercise_status.h"

namespace securebase::desktop {

namespace {

// When the item happened for this device: its arrival for incoming items.
int64_t ActivityTime(const sc::HistoryItem& item) {
  return item.direction == sc::Direction::kIncoming && item.received_at_unix_ms > 0
             ? item.received_at_unix_ms
             : item.sent_at_unix_ms;
}

void NoteActivity(const sc::HistoryItem& item, ContactSummary& summary) {
  const int64_t at = ActivityTime(item);
  if (at >= summary.last_activity_unix_ms) {
    summary.last_activity_unix_ms = at;
    summary.last_activity_label = TypeLabel(item.content);
  }
}

void NoteCheckIn(const sc::HistoryItem& item, ContactSummary& summary) {
  const auto* check_in = std::get_if<sc::CheckIn>(&item.content);
  if (check_in == nullptr) return;
  if (item.sent_at_unix_ms >= summary.last_check_in_unix_ms) {
    summary.last_check_in_unix_ms = item.sent_at_unix_ms;
    summary.last_mood = static_cast<int>(check_in->mood);
  }
  summary.mood_trend.push_back(static_cast<int>(check_in->mood));
  if (summary.mood_trend.size() > kMoodTrendLength) {
    summary.mood_trend.erase(summary.mood_trend.begin());
  }
}

}  // namespace

bool CountsAsUnread(const sc::HistoryItem& item) {
  return item.direction == sc::Direction::kIncoming && item.state != sc::DeliveryState::kRead &&
         !std::holds_alternative<sc::InvalidContent>(item.content);
}

ContactSummary FromConversationSummary(const sc::ConversationSummary& summary) {
  ContactSummary out;
  out.unread = static_cast<int>(summary.unread);
  out.unread_capped = summary.unread_capped;
  if (summary.last_item) NoteActivity(*summary.last_item, out);
  return out;
}

void AddToSummary(const sc::HistoryItem& item, ContactSummary& summary) {
  if (CountsAsUnread(item)) ++summary.unread;
  NoteActivity(item, summary);
  NoteCheckIn(item, summary);
}

void AddDetails(const std::vector<sc::HistoryItem>& items, QDate today, ContactSummary& summary) {
  summary.details = true;
  summary.last_check_in_unix_ms = 0;
  summary.last_mood = -1;
  summary.mood_trend.clear();
  summary.open_exercises = summary.overdue_exercises = 0;
  for (const sc::HistoryItem& item : items) NoteCheckIn(item, summary);
  for (const ExerciseState& state : ExerciseStates(items, today)) {
    if (state.progress == ExerciseProgress::kOpen) ++summary.open_exercises;
    if (state.progress == ExerciseProgress::kOverdue) ++summary.overdue_exercises;
  }
}

ContactSummary Summarize(const std::vector<sc::HistoryItem>& items, QDate today) {
  ContactSummary summary;
  for (const sc::HistoryItem& item : items) {
    if (CountsAsUnread(item)) ++summary.unread;
    NoteActivity(item, summary);
  }
  AddDetails(items, today, summary);
  return summary;
}

}  // namespace securebase::desktop
