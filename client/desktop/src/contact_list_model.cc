#include "contact_list_model.h"

#include <algorithm>

#include "model_rows.h"

namespace securebase::desktop {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

QString NameOf(const sc::Contact& contact) {
  return contact.display_name.empty() ? QString("Contact %1").arg(Q(contact.user_id).left(8))
                                      : Q(contact.display_name);
}

}  // namespace

ContactListModel::ContactListModel(QObject* parent) : QAbstractListModel(parent) {}

int ContactListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QHash<int, QByteArray> ContactListModel::roleNames() const {
  return {{kUserId, "userId"},
          {kName, "name"},
          {kRoleName, "roleName"},
          {kLinked, "linked"},
          {kVerified, "verified"},
          {kIdentityChanged, "identityChanged"},
          {kSendsHeld, "sendsHeld"},
          {kUnread, "unread"},
          {kUnreadText, "unreadText"},
          {kLastActivity, "lastActivity"},
          {kLastActivityLabel, "lastActivityLabel"},
          {kLastCheckIn, "lastCheckIn"},
          {kLastMood, "lastMood"},
          {kMoodTrend, "moodTrend"},
          {kOpenExercises, "openExercises"},
          {kOverdueExercises, "overdueExercises"},
          {kAvailabilityText, "availabilityText"},
          {kEmergencyGuidance, "emergencyGuidance"},
          {kDetailsLoaded, "detailsLoaded"}};
}

QVariant ContactListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= rowCount()) return {};
  const ContactRow& row = rows_[static_cast<size_t>(index.row())];
  const sc::Contact& c = row.contact;
  const ContactSummary& s = row.summary;
  switch (role) {
    case Qt::DisplayRole:
    case kName:
      return NameOf(c);
    case kUserId:
      return Q(c.user_id);
    case kRoleName:
      return QString(sc::RoleName(c.role));
    case kLinked:
      return c.linked;
    case kVerified:
      return c.verified;
    case kIdentityChanged:
      return c.identity_changed;
    case kSendsHeld:
      return c.sends_held;
    case kUnread:
      return s.unread;
    case kUnreadText:
      return QString::number(s.unread) + (s.unread_capped ? "+" : "");
    case kLastActivity:
      return static_cast<double>(s.last_activity_unix_ms);
    case kLastActivityLabel:
      return s.last_activity_label;
    case kLastCheckIn:
      return static_cast<double>(s.last_check_in_unix_ms);
    case kLastMood:
      return s.last_mood;
    case kMoodTrend: {
      QVariantList trend;
      for (int mood : s.mood_trend) trend.append(mood);
      return trend;
    }
    case kOpenExercises:
      return s.open_exercises;
    case kOverdueExercises:
      return s.overdue_exercises;
    case kAvailabilityText:
      return c.availability ? Q(c.availability->text) : QString();
    case kEmergencyGuidance:
      return c.availability ? Q(c.availability->emergency_guidance) : QString();
    case kDetailsLoaded:
      return s.details;
  }
  return {};
}

void ContactListModel::SetRows(std::vector<ContactRow> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const ContactRow& a, const ContactRow& b) {
    if (a.contact.identity_changed != b.contact.identity_changed) return a.contact.identity_changed;
    if (a.contact.linked != b.contact.linked) return a.contact.linked;
    return a.summary.last_activity_unix_ms > b.summary.last_activity_unix_ms;
  });
  const bool count_changed = rows.size() != rows_.size();
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
  if (count_changed) emit countChanged();
  emit summariesChanged();
}

void ContactListModel::AddItem(const sc::HistoryItem& item) {
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].contact.user_id != item.peer_user_id) continue;
    AddToSummary(item, rows_[i].summary);
    const QModelIndex changed = index(static_cast<int>(i));
    emit dataChanged(changed, changed);
    emit summariesChanged();
    return;
  }
}

void ContactListModel::SetDetails(const std::string& user_id, const ContactSummary& details) {
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].contact.user_id != user_id) continue;
    ContactSummary& s = rows_[i].summary;
    s.details = true;
    s.last_check_in_unix_ms = details.last_check_in_unix_ms;
    s.last_mood = details.last_mood;
    s.mood_trend = details.mood_trend;
    s.open_exercises = details.open_exercises;
    s.overdue_exercises = details.overdue_exercises;
    const QModelIndex changed = index(static_cast<int>(i));
    emit dataChanged(changed, changed);
    emit summariesChanged();
    return;
  }
}

void ContactListModel::MarkedRead(const std::string& user_id) {
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].contact.user_id != user_id || rows_[i].summary.unread == 0) continue;
    rows_[i].summary.unread = 0;
    rows_[i].summary.unread_capped = false;
    const QModelIndex changed = index(static_cast<int>(i));
    emit dataChanged(changed, changed, {kUnread, kUnreadText});
    emit summariesChanged();
  }
}

void ContactListModel::Clear() { SetRows({}); }

const ContactRow* ContactListModel::Find(const std::string& user_id) const {
  for (const ContactRow& row : rows_) {
    if (row.contact.user_id == user_id) return &row;
  }
  return nullptr;
}

int ContactListModel::indexOf(const QString& user_id) const {
  const std::string id = user_id.toStdString();
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].contact.user_id == id) return static_cast<int>(i);
  }
  return -1;
}

QVariantMap ContactListModel::get(int row) const { return RowAsMap(*this, row); }

int ContactListModel::totalUnread() const {
  int total = 0;
  for (const ContactRow& row : rows_) total += row.summary.unread;
  return total;
}

int ContactListModel::keyChanges() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [](const ContactRow& row) {
    return row.contact.identity_changed;
  }));
}

}  // namespace securebase::desktop
