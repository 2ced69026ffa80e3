#include "contact_summary.h"

#include "content_cards.h"
#include "exercise_status.h"

namespace securebase::desktop {

namespace {

bool IsConversationContent(const sc::ContentBody& body) {
  return std::holds_alternative<sc::TextMessage>(body) ||
         std::holds_alternative<sc::CheckIn>(body) ||
         std::holds_alternative<sc::Reflection>(body) || std::holds_alternative<sc::Exercise>(body);
}

}  // namespace

bool CountsAsUnread(const sc::HistoryItem& item) {
  return item.direction == sc::Direction::kIncoming && item.state != sc::DeliveryState::kRead &&
         IsConversationContent(item.content);
}

void AddToSummary(const sc::HistoryItem& item, ContactSummary& summary) {
  if (CountsAsUnread(item)) ++summary.unread;
  if (const auto* availability = std::get_if<sc::Availability>(&item.content)) {
    if (item.direction == sc::Direction::kOutgoing &&
        item.sent_at_unix_ms >= summary.own_availability_unix_ms) {
      summary.own_availability = *availability;
      summary.own_availability_unix_ms = item.sent_at_unix_ms;
    }
    return;
  }
  if (!IsConversationContent(item.content)) return;
  const int64_t at = item.direction == sc::Direction::kIncoming && item.received_at_unix_ms > 0
                         ? item.received_at_unix_ms
                         : item.sent_at_unix_ms;
  if (at >= summary.last_activity_unix_ms) {
    summary.last_activity_unix_ms = at;
    summary.last_activity_label = TypeLabel(item.content);
  }
  if (const auto* check_in = std::get_if<sc::CheckIn>(&item.content)) {
    if (item.sent_at_unix_ms >= summary.last_check_in_unix_ms) {
      summary.last_check_in_unix_ms = item.sent_at_unix_ms;
      summary.last_mood = static_cast<int>(check_in->mood);
    }
    summary.mood_trend.push_back(static_cast<int>(check_in->mood));
    if (summary.mood_trend.size() > kMoodTrendLength) {
      summary.mood_trend.erase(summary.mood_trend.begin());
    }
  }
}

ContactSummary Summarize(const std::vector<sc::HistoryItem>& items, QDate today) {
  ContactSummary summary;
  for (const sc::HistoryItem& item : items) AddToSummary(item, summary);
  for (const ExerciseState& state : ExerciseStates(items, today)) {
    if (state.progress == ExerciseProgress::kOpen) ++summary.open_exercises;
    if (state.progress == ExerciseProgress::kOverdue) ++summary.overdue_exercises;
  }
  return summary;
}

}  // namespace securebase::desktop
