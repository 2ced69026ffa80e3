// The client dashboard a therapist opens from the overview: one client's
// check-ins and reflections over 7, 30 or 90 days or everything
// (dashboard_data.h), handed to Qt Charts series from C++ (one call per
// series, no per-point work in QML).
#ifndef SECUREBASE_DESKTOP_DASHBOARD_MODEL_H_
#define SECUREBASE_DESKTOP_DASHBOARD_MODEL_H_

#include <QDateTime>
#include <QObject>
#include <QVariantList>
#include <functional>

#include "dashboard_data.h"
#include "library_thread.h"

namespace securebase::desktop {

class DashboardModel : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString peerId READ peerId NOTIFY peerChanged)
  Q_PROPERTY(QString peerName READ peerName NOTIFY peerChanged)
  // 7, 30, 90, or 0 for everything.
  Q_PROPERTY(int rangeDays READ rangeDays WRITE setRangeDays NOTIFY rangeDaysChanged)
  Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
  Q_PROPERTY(int checkIns READ checkIns NOTIFY computed)
  Q_PROPERTY(QDateTime from READ from NOTIFY computed)
  Q_PROPERTY(QDateTime to READ to NOTIFY computed)
  Q_PROPERTY(QVariantList emotions READ emotions NOTIFY computed)
  Q_PROPERTY(QVariantList reflections READ reflections NOTIFY computed)
  Q_PROPERTY(QVariantMap latestPhq9 READ latestPhq9 NOTIFY computed)
  Q_PROPERTY(QVariantMap latestGad7 READ latestGad7 NOTIFY computed)
  Q_PROPERTY(QVariantList phq9Bands READ phq9Bands CONSTANT)
  Q_PROPERTY(QVariantList gad7Bands READ gad7Bands CONSTANT)
  Q_PROPERTY(int moodPoints READ moodPoints NOTIFY computed)
  Q_PROPERTY(int phq9Points READ phq9Points NOTIFY computed)
  Q_PROPERTY(int gad7Points READ gad7Points NOTIFY computed)

 public:
  DashboardModel(LibraryThread* library, std::function<QDateTime()> now, QObject* parent = nullptr);

  // Loads `peer`'s history (library thread) and computes.
  void Open(const std::string& peer_user_id, const QString& name);
  // Fixture/test entry: computes over these items.
  void SetHistory(const std::string& peer_user_id, const QString& name,
                  std::vector<sc::HistoryItem> items);
  // A live item for this client.
  void Append(const sc::HistoryItem& item);
  void Close();

  // Fills a QXYSeries (LineSeries, ScatterSeries) with "mood", "energy",
  // "sleep", "phq9", "gad7" or "emotion:<name>" points (x: ms since epoch).
  // False when `series` is not an XY series or the name is unknown.
  Q_INVOKABLE bool fillSeries(QObject* series, const QString& which) const;
  Q_INVOKABLE void reload();

  QString peerId() const { return QString::fromStdString(peer_); }
  QString peerName() const { return name_; }
  int rangeDays() const { return range_days_; }
  void setRangeDays(int days);
  bool loading() const { return loading_; }
  int checkIns() const { return data_.check_ins; }
  QDateTime from() const;
  QDateTime to() const;
  QVariantList emotions() const;
  QVariantList reflections() const;
  QVariantMap latestPhq9() const;
  QVariantMap latestGad7() const;
  QVariantList phq9Bands() const;
  QVariantList gad7Bands() const;
  int moodPoints() const { return static_cast<int>(data_.mood.size()); }
  int phq9Points() const { return static_cast<int>(data_.phq9.size()); }
  int gad7Points() const { return static_cast<int>(data_.gad7.size()); }
  const DashboardData& data() const { return data_; }

 signals:
  void peerChanged();
  void rangeDaysChanged();
  void loadingChanged();
  void computed();

 private:
  void Recompute();
  const std::vector<SeriesPoint>* SeriesNamed(const QString& which) const;

  LibraryThread* library_;
  std::function<QDateTime()> now_;
  std::string peer_;
  QString name_;
  int range_days_ = 30;
  bool loading_ = false;
  quint64 generation_ = 0;
  std::vector<sc::HistoryItem> items_;
  DashboardData data_;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_DASHBOARD_MODEL_H_
