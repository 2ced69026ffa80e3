#include "exercise_status.h"

#include <QDateTime>
#include <unordered_map>

namespace securebase::desktop {

namespace {

QDate LocalDate(int64_t unix_ms) { return QDateTime::fromMSecsSinceEpoch(unix_ms).date(); }

// Monday of the week holding `date`.
QDate WeekStart(QDate date) { return date.addDays(1 - date.dayOfWeek()); }

bool AnsweredThisPeriod(const ExerciseState& state, QDate today) {
  if (state.answers == 0) return false;
  const QDate last = LocalDate(state.last_answer_unix_ms);
  switch (state.exercise.recurrence) {
    case sc::Recurrence::kDaily:
      return last == today;
    case sc::Recurrence::kWeekly:
      return WeekStart(last) == WeekStart(today);
    case sc::Recurrence::kNone:
      return true;
  }
  return true;
}

}  // namespace

std::string AnsweredExercise(const sc::ContentBody& body) {
  if (const auto* c = std::get_if<sc::CheckIn>(&body)) return c->exercise_id;
  if (const auto* r = std::get_if<sc::Reflection>(&body)) return r->exercise_id;
  return {};
}

QString ProgressName(ExerciseProgress progress) {
  switch (progress) {
    case ExerciseProgress::kOpen:
      return "open";
    case ExerciseProgress::kDone:
      return "done";
    case ExerciseProgress::kOverdue:
      return "overdue";
  }
  return "open";
}

std::vector<ExerciseState> ExerciseStates(const std::vector<sc::HistoryItem>& items, QDate today) {
  std::vector<ExerciseState> states;
  std::unordered_map<std::string, size_t> by_id;
  for (const sc::HistoryItem& item : items) {
    if (const auto* exercise = std::get_if<sc::Exercise>(&item.content)) {
      ExerciseState state;
      state.message_id = item.message_id;
      state.exercise = *exercise;
      state.assigned_at_unix_ms = item.sent_at_unix_ms;
      state.due = QDate::fromString(QString::fromStdString(exercise->due_date), Qt::ISODate);
      by_id[item.message_id] = states.size();
      states.push_back(std::move(state));
    }
  }
  if (states.empty()) return states;
  for (const sc::HistoryItem& item : items) {
    const std::string answered = AnsweredExercise(item.content);
    if (answered.empty()) continue;
    auto found = by_id.find(answered);
    if (found == by_id.end()) continue;
    ExerciseState& state = states[found->second];
    ++state.answers;
    state.last_answer_unix_ms = std::max(state.last_answer_unix_ms, item.sent_at_unix_ms);
  }
  for (ExerciseState& state : states) {
    const bool past_due = state.due.isValid() && state.due < today;
    if (AnsweredThisPeriod(state, today)) {
      state.progress = ExerciseProgress::kDone;
    } else if (past_due &&
               (state.exercise.recurrence == sc::Recurrence::kNone || state.answers == 0)) {
      state.progress = ExerciseProgress::kOverdue;
    } else {
      state.progress = ExerciseProgress::kOpen;
    }
  }
  return states;
}

}  // namespace securebase::desktop
