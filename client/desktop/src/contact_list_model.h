// The contact list (and, for a therapist, the client overview: the same rows
// with their check-in summaries). One row per contact with its verification
// state and its summary (contact_summary.h).
#ifndef SECUREBASE_DESKTOP_CONTACT_LIST_MODEL_H_
#define SECUREBASE_DESKTOP_CONTACT_LIST_MODEL_H_

#include <QAbstractListModel>
#include <QDateTime>
#include <functional>
#include <vector>

#include "contact_summary.h"
#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

struct ContactRow {
  sc::Contact contact;
  ContactSummary summary;
};

class ContactListModel : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
  Q_PROPERTY(int totalUnread READ totalUnread NOTIFY summariesChanged)
  Q_PROPERTY(int keyChanges READ keyChanges NOTIFY summariesChanged)

 public:
  enum Role {
    kUserId = Qt::UserRole + 1,
    kName,
    kRoleName,  // "client" / "therapist".
    kLinked,
    kVerified,
    kIdentityChanged,
    kSendsHeld,
    kUnread,
    kUnreadText,    // "3", or "1000+" when the library stopped counting.
    kLastActivity,  // Unix ms (0: none).
    kLastActivityLabel,
    kLastCheckIn,  // Unix ms (0: none).
    kLastMood,     // -1: none.
    kMoodTrend,    // [int], oldest first.
    kOpenExercises,
    kOverdueExercises,
    kAvailabilityText,
    kEmergencyGuidance,
    kDetailsLoaded,  // The last four are known (read after the list).
  };

  explicit ContactListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Replaces every row (sorted: key changes first, then by last activity).
  void SetRows(std::vector<ContactRow> rows);
  // A live item: unread count, last activity and mood trend move on.
  void AddItem(const sc::HistoryItem& item);
  // The overview's details of one contact (ContactSummary::details), read
  // after the list was shown.
  void SetDetails(const std::string& user_id, const ContactSummary& details);
  void MarkedRead(const std::string& user_id);
  void Clear();

  const ContactRow* Find(const std::string& user_id) const;
  const std::vector<ContactRow>& rows() const { return rows_; }

  Q_INVOKABLE int indexOf(const QString& user_id) const;
  Q_INVOKABLE QVariantMap get(int row) const;
  int totalUnread() const;
  int keyChanges() const;

 signals:
  void countChanged();
  void summariesChanged();

 private:
  std::vector<ContactRow> rows_;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONTACT_LIST_MODEL_H_
