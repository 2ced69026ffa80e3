// Where each exercise stands, computed from a conversation's history: the
// exercises the therapist sent and the check-ins and reflections that answer
// them (their exercise_id is the exercise's message id).
//
// A one-off exercise is open until answered, done once answered, and overdue
// when its due date passed unanswered. A recurring one is "to do" or "done"
// for the current day or week (its due date is when it starts); it counts as
// overdue only when the due date passed and it was never answered at all.
#ifndef SECUREBASE_DESKTOP_EXERCISE_STATUS_H_
#define SECUREBASE_DESKTOP_EXERCISE_STATUS_H_

#include <QDate>
#include <QString>
#include <vector>

#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

enum class ExerciseProgress { kOpen, kDone, kOverdue };

struct ExerciseState {
  std::string message_id;  // Hex: what an answer's exercise_id names.
  sc::Exercise exercise;
  int64_t assigned_at_unix_ms = 0;
  QDate due;  // Invalid when none was given or it does not parse.
  int answers = 0;
  int64_t last_answer_unix_ms = 0;
  ExerciseProgress progress = ExerciseProgress::kOpen;
};

// In the order they were sent. `today` in the viewer's time zone.
std::vector<ExerciseState> ExerciseStates(const std::vector<sc::HistoryItem>& items, QDate today);

// The exercise id an item answers, or empty.
std::string AnsweredExercise(const sc::ContentBody& body);

QString ProgressName(ExerciseProgress progress);  // "open", "done", "overdue".

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_EXERCISE_STATUS_H_
