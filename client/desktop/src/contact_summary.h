// What the contact list and the therapist's client overview show about one
// contact. Unread items and the last activity come from the library's
// conversation summary (Client::ConversationSummaries: no history read);
// the overview's details (the latest check-in, a mood trend, open and
// overdue exercises) are computed from the conversation's history.
#ifndef SECUREBASE_DESKTOP_CONTACT_SUMMARY_H_
#define SECUREBASE_DESKTOP_CONTACT_SUMMARY_H_

#include <QDate>
#include <QString>
#include <vector>

#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

// How many of the latest check-ins make the mood trend.
inline constexpr size_t kMoodTrendLength = 14;

struct ContactSummary {
  int unread = 0;              // Incoming items not marked read (what Client::MarkRead marks).
  bool unread_capped = false;  // The library stopped counting: at least `unread`.
  int64_t last_activity_unix_ms = 0;  // 0: nothing yet.
  QString last_activity_label;        // "Check-in", "Message", ...
  // The overview's details (AddDetails); until then unknown.
  bool details = false;
  int64_t last_check_in_unix_ms = 0;
  int last_mood = -1;
  std::vector<int> mood_trend;  // Oldest first, at most kMoodTrendLength.
  int open_exercises = 0;
  int overdue_exercises = 0;
};

// Unread items and the last activity.
ContactSummary FromConversationSummary(const sc::ConversationSummary& summary);
// The overview's details from the whole conversation (oldest first).
void AddDetails(const std::vector<sc::HistoryItem>& items, QDate today, ContactSummary& summary);
// Everything from the whole conversation (fixtures and tests).
ContactSummary Summarize(const std::vector<sc::HistoryItem>& items, QDate today);
// Folds one new item into a summary (live arrivals), without exercise counts.
void AddToSummary(const sc::HistoryItem& item, ContactSummary& summary);
// An incoming item that counts as unread until MarkRead (the library's rule).
bool CountsAsUnread(const sc::HistoryItem& item);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONTACT_SUMMARY_H_
