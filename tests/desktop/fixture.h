// A fixed data set for the desktop app's screenshots, QML tests and
// benchmarks: a therapist's caseload and one client's conversation, built
// from the library's public content types with fixed times, so every run
// renders the same screens. Also generators for large histories.
#ifndef SECUREBASE_TESTS_DESKTOP_FIXTURE_H_
#define SECUREBASE_TESTS_DESKTOP_FIXTURE_H_

#include <QDateTime>
#include <string>
#include <vector>

#include "contact_list_model.h"
#include "securebase/client/client.h"

namespace securebase::desktop::testing {

namespace sc = ::securebase::client;

// Thursday 3 December 2026, 15:00 local time.
QDateTime FixtureNow();

inline constexpr char kTherapistId[] = "7a1f00000000000000000000000000aa";
inline constexpr char kSamId[] = "5a3000000000000000000000000000bb";
inline constexpr char kAlexId[] = "a1e000000000000000000000000000cc";
inline constexpr char kJordanId[] = "j0d000000000000000000000000000dd";

// Sam's conversation with Dr Rivera as the therapist's vault holds it
// (incoming = from Sam): the README's conversation, 60 days of check-ins
// with PHQ-9 and GAD-7 every two weeks, reflections and exercises.
std::vector<sc::HistoryItem> SamHistory(sc::Direction from_sam);
// A check-in with PHQ-9 item 9 above 0 (a risk signal), at `at`.
sc::HistoryItem RiskCheckIn(const std::string& peer, sc::Direction direction, QDateTime at);
// The therapist's contact rows (Sam, Alex with a changed key, Jordan).
std::vector<ContactRow> TherapistContacts();
// The client's one contact (Dr Rivera, with an availability notice).
std::vector<ContactRow> ClientContacts();
sc::Contact DrRivera();

// `days` daily check-ins ending today, PHQ-9 and GAD-7 every 14 days.
std::vector<sc::HistoryItem> DailyCheckIns(const std::string& peer, int days, QDateTime now);
// `count` items alternating texts, check-ins and reflections.
std::vector<sc::HistoryItem> LongConversation(const std::string& peer, int count, QDateTime now);

}  // namespace securebase::desktop::testing

#endif  // SECUREBASE_TESTS_DESKTOP_FIXTURE_H_
