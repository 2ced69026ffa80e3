#include "template_list_model.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "content_cards.h"
#include "model_rows.h"

namespace securebase::desktop {

std::vector<ExerciseTemplate> ParseTemplates(const QByteArray& json) {
  std::vector<ExerciseTemplate> out;
  const QJsonDocument doc = QJsonDocument::fromJson(json);
  for (const QJsonValue& value : doc.object().value("templates").toArray()) {
    const QJsonObject o = value.toObject();
    ExerciseTemplate t{o.value("id").toString(),          o.value("technique").toString(),
                       o.value("title").toString(),       o.value("kind").toString(),
                       o.value("recurrence").toString(),  o.value("due_in_days").toInt(7),
                       o.value("instructions").toString()};
    if (!t.id.isEmpty() && !t.title.isEmpty() && !t.kind.isEmpty()) out.push_back(std::move(t));
  }
  return out;
}

TemplateListModel::TemplateListModel(std::function<QDate()> today, QObject* parent)
    : QAbstractListModel(parent), today_(std::move(today)) {
  QFile file(":/resources/templates.json");
  if (file.open(QIODevice::ReadOnly)) templates_ = ParseTemplates(file.readAll());
}

int TemplateListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(templates_.size());
}

QHash<int, QByteArray> TemplateListModel::roleNames() const {
  return {{kTemplateId, "templateId"}, {kTechnique, "technique"},
          {kTitle, "title"},           {kKind, "kind"},
          {kKindLabel, "kindLabel"},   {kRecurrence, "recurrence"},
          {kDueInDays, "dueInDays"},   {kInstructions, "instructions"}};
}

QVariant TemplateListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= rowCount()) return {};
  const ExerciseTemplate& t = templates_[static_cast<size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole:
    case kTitle:
      return t.title;
    case kTemplateId:
      return t.id;
    case kTechnique:
      return t.technique;
    case kKind:
      return t.kind;
    case kKindLabel:
      return ExerciseKindLabel(t.kind.toStdString());
    case kRecurrence:
      return t.recurrence;
    case kDueInDays:
      return t.due_in_days;
    case kInstructions:
      return t.instructions;
  }
  return {};
}

QVariantMap TemplateListModel::get(int row) const { return RowAsMap(*this, row); }

QString TemplateListModel::dueDateFor(int row) const {
  if (row < 0 || row >= rowCount()) return {};
  return today_().addDays(templates_[static_cast<size_t>(row)].due_in_days).toString(Qt::ISODate);
}

bool TemplateListModel::isAcceptableDueDate(const QString& date) const {
  if (date.trimmed().isEmpty()) return true;
  const QDate parsed = QDate::fromString(date.trimmed(), Qt::ISODate);
  return parsed.isValid() && parsed >= today_();
}

}  // namespace securebase::desktop
