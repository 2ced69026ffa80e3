#include "exercise_list_model.h"

#include <algorithm>

#include "content_cards.h"
#include "model_rows.h"

namespace securebase::desktop {

ExerciseListModel::ExerciseListModel(std::function<QDate()> today, QObject* parent)
    : QAbstractListModel(parent), today_(std::move(today)) {}

int ExerciseListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QHash<int, QByteArray> ExerciseListModel::roleNames() const {
  return {{kMessageId, "messageId"},
          {kTitle, "title"},
          {kInstructions, "instructions"},
          {kKind, "kind"},
          {kKindLabel, "kindLabel"},
          {kRecurrence, "recurrence"},
          {kDue, "due"},
          {kProgress, "progress"},
          {kAnswers, "answers"},
          {kSentAt, "sentAt"}};
}

QVariant ExerciseListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= rowCount()) return {};
  const ExerciseState& s = rows_[static_cast<size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole:
    case kTitle:
      return QString::fromStdString(s.exercise.title);
    case kMessageId:
      return QString::fromStdString(s.message_id);
    case kInstructions:
      return QString::fromStdString(s.exercise.instructions);
    case kKind:
      return QString::fromStdString(s.exercise.kind);
    case kKindLabel:
      return ExerciseKindLabel(s.exercise.kind);
    case kRecurrence:
      return RecurrenceLabel(s.exercise.recurrence);
    case kDue:
      return s.due.isValid() ? s.due.toString(Qt::ISODate) : QString();
    case kProgress:
      return ProgressName(s.progress);
    case kAnswers:
      return s.answers;
    case kSentAt:
      return static_cast<double>(s.assigned_at_unix_ms);
  }
  return {};
}

void ExerciseListModel::SetHistory(const std::vector<sc::HistoryItem>& items) {
  std::vector<ExerciseState> rows = ExerciseStates(items, today_());
  std::reverse(rows.begin(), rows.end());
  // Open and overdue first, done last.
  std::stable_sort(rows.begin(), rows.end(), [](const ExerciseState& a, const ExerciseState& b) {
    return (a.progress != ExerciseProgress::kDone) > (b.progress != ExerciseProgress::kDone);
  });
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
  emit countChanged();
}

int ExerciseListModel::openCount() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [](const ExerciseState& s) {
    return s.progress != ExerciseProgress::kDone;
  }));
}

QVariantMap ExerciseListModel::get(int row) const { return RowAsMap(*this, row); }

}  // namespace securebase::desktop
