// Exercise templates a therapist suggests from, drawn from the techniques of
// attachment-based psychotherapy (psychoeducation, cognitive reframing,
// mentalisation, communication skills, emotional regulation, mourning).
// They ship in the app as resources/templates.json; each row is a starting
// point whose instructions, recurrence and due date the therapist edits
// before sending.
#ifndef SECUREBASE_DESKTOP_TEMPLATE_LIST_MODEL_H_
#define SECUREBASE_DESKTOP_TEMPLATE_LIST_MODEL_H_

#include <QAbstractListModel>
#include <QDate>
#include <QString>
#include <functional>
#include <vector>

namespace securebase::desktop {

struct ExerciseTemplate {
  QString id;
  QString technique;
  QString title;
  QString kind;        // An Exercise kind: which form answers it.
  QString recurrence;  // "none", "daily", "weekly".
  int due_in_days = 7;
  QString instructions;
};

// The templates in `json` (the format of resources/templates.json); empty
// when it does not parse.
std::vector<ExerciseTemplate> ParseTemplates(const QByteArray& json);

class TemplateListModel : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(int count READ rowCount CONSTANT)

 public:
  enum Role {
    kTemplateId = Qt::UserRole + 1,
    kTechnique,
    kTitle,
    kKind,
    kKindLabel,
    kRecurrence,
    kDueInDays,
    kInstructions,
  };

  // Loads the templates shipped in the resources.
  TemplateListModel(std::function<QDate()> today, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  Q_INVOKABLE QVariantMap get(int row) const;
  // The suggested due date of a template, as YYYY-MM-DD.
  Q_INVOKABLE QString dueDateFor(int row) const;
  // A YYYY-MM-DD date that is valid and not in the past, or "" (no due date).
  Q_INVOKABLE bool isAcceptableDueDate(const QString& date) const;

 private:
  std::function<QDate()> today_;
  std::vector<ExerciseTemplate> templates_;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_TEMPLATE_LIST_MODEL_H_
