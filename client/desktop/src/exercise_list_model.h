// The exercises of the open conversation with where each stands
// (exercise_status.h): the client's to-do list, the therapist's view of
// what was suggested and answered.
#ifndef SECUREBASE_DESKTOP_EXERCISE_LIST_MODEL_H_
#define SECUREBASE_DESKTOP_EXERCISE_LIST_MODEL_H_

#include <QAbstractListModel>
#include <QDate>
#include <functional>

#include "exercise_status.h"

namespace securebase::desktop {

class ExerciseListModel : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
  Q_PROPERTY(int openCount READ openCount NOTIFY countChanged)

 public:
  enum Role {
    kMessageId = Qt::UserRole + 1,
    kTitle,
    kInstructions,
    kKind,  // "check-in", "thought-record", ...: which form answers it.
    kKindLabel,
    kRecurrence,  // "once", "every day", "every week".
    kDue,         // "YYYY-MM-DD" or "".
    kProgress,    // "open", "done", "overdue".
    kAnswers,
    kSentAt,
  };

  // `today` gives the viewer's date (injected so fixtures are stable).
  ExerciseListModel(std::function<QDate()> today, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  void SetHistory(const std::vector<sc::HistoryItem>& items);
  int openCount() const;
  Q_INVOKABLE QVariantMap get(int row) const;

 signals:
  void countChanged();

 private:
  std::function<QDate()> today_;
  std::vector<ExerciseState> rows_;  // Newest first.
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_EXERCISE_LIST_MODEL_H_
