// The therapist's view of one client's check-ins and reflections over a time
// range, computed on the device from the decrypted history: mood, energy and
// sleep series, emotion intensities, PHQ-9 and GAD-7 totals (complete
// answers only), and reflections grouped by kind. Times are the sender's
// clock (when the client made the entry).
#ifndef SECUREBASE_DESKTOP_DASHBOARD_DATA_H_
#define SECUREBASE_DESKTOP_DASHBOARD_DATA_H_

#include <QString>
#include <vector>

#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

struct SeriesPoint {
  double unix_ms = 0;
  double value = 0;
};

struct EmotionSeries {
  QString name;
  std::vector<SeriesPoint> points;
  double average = 0;
};

struct ReflectionEntry {
  int64_t unix_ms = 0;
  QString title;   // The prompt, or the first line of the body or first field.
  QString detail;  // A longer excerpt.
};

struct ReflectionGroup {
  QString kind_label;
  std::vector<ReflectionEntry> entries;  // Newest first.
};

struct DashboardData {
  int64_t from_unix_ms = 0;
  int64_t to_unix_ms = 0;
  int check_ins = 0;
  std::vector<SeriesPoint> mood, energy, sleep, phq9, gad7;  // Oldest first.
  std::vector<EmotionSeries> emotions;                       // Most often named first.
  std::vector<ReflectionGroup> reflections;  // Free first, then sc::ReflectionKinds() order.
};

// Items sent from the client (check-ins and reflections, either direction as
// stored) with from <= sent_at <= to. from = 0: since the beginning.
DashboardData ComputeDashboard(const std::vector<sc::HistoryItem>& items, int64_t from_unix_ms,
                               int64_t to_unix_ms);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_DASHBOARD_DATA_H_
