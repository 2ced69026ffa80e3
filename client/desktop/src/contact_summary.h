// What the contact list and the therapist's client overview show about one
// contact, computed from the conversation's history (the library keeps no
// counters): unread items, last activity, the latest check-in and a mood
// trend, open and overdue exercises.
#ifndef SECUREBASE_DESKTOP_CONTACT_SUMMARY_H_
#define SECUREBASE_DESKTOP_CONTACT_SUMMARY_H_

#include <QDate>
#include <QString>
#include <optional>
#include <vector>

#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

// How many of the latest check-ins make the mood trend.
inline constexpr size_t kMoodTrendLength = 14;

struct ContactSummary {
  int unread = 0;  // Incoming messages, check-ins, reflections and exercises not marked read.
  int64_t last_activity_unix_ms = 0;  // 0: nothing yet.
  QString last_activity_label;        // "Check-in", "Message", ...
  int64_t last_check_in_unix_ms = 0;
  int last_mood = -1;
  std::vector<int> mood_trend;  // Oldest first, at most kMoodTrendLength.
  int open_exercises = 0;
  int overdue_exercises = 0;
  // This user's own latest availability notice sent here (a therapist's).
  std::optional<sc::Availability> own_availability;
  int64_t own_availability_unix_ms = 0;
};

ContactSummary Summarize(const std::vector<sc::HistoryItem>& items, QDate today);
// Folds one new item into a summary (live arrivals), without exercise counts.
void AddToSummary(const sc::HistoryItem& item, ContactSummary& summary);
// An incoming item that counts as unread until MarkRead.
bool CountsAsUnread(const sc::HistoryItem& item);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONTACT_SUMMARY_H_
