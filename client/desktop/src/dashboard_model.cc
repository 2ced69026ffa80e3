#include "dashboard_model.h"

#include <QList>
#include <QPointF>
#include <QXYSeries>

#include "measures.h"

namespace securebase::desktop {

DashboardModel::DashboardModel(LibraryThread* library, std::function<QDateTime()> now,
                               QObject* parent)
    : QObject(parent), library_(library), now_(std::move(now)) {}

void DashboardModel::Open(const std::string& peer_user_id, const QString& name) {
  ++generation_;
  peer_ = peer_user_id;
  name_ = name;
  emit peerChanged();
  items_.clear();
  Recompute();
  reload();
}

void DashboardModel::reload() {
  if (library_ == nullptr || peer_.empty()) return;
  loading_ = true;
  emit loadingChanged();
  const quint64 generation = generation_;
  const std::string peer = peer_;
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.History(peer); },
      [this, generation](sc::Result<std::vector<sc::HistoryItem>> history) {
        if (generation != generation_) return;
        loading_ = false;
        emit loadingChanged();
        if (!history.ok()) return;
        items_ = std::move(history).value();
        Recompute();
      });
}

void DashboardModel::SetHistory(const std::string& peer_user_id, const QString& name,
                                std::vector<sc::HistoryItem> items) {
  ++generation_;
  peer_ = peer_user_id;
  name_ = name;
  emit peerChanged();
  items_ = std::move(items);
  Recompute();
}

void DashboardModel::Append(const sc::HistoryItem& item) {
  if (peer_.empty() || item.peer_user_id != peer_) return;
  items_.push_back(item);
  Recompute();
}

void DashboardModel::Close() {
  ++generation_;
  peer_.clear();
  name_.clear();
  items_.clear();
  emit peerChanged();
  Recompute();
}

void DashboardModel::setRangeDays(int days) {
  if (days < 0 || days == range_days_) return;
  range_days_ = days;
  emit rangeDaysChanged();
  Recompute();
}

void DashboardModel::Recompute() {
  const QDateTime now = now_();
  const int64_t to = now.toMSecsSinceEpoch();
  int64_t from = 0;
  if (range_days_ > 0) {
    from = now.addDays(-range_days_).toMSecsSinceEpoch();
  } else {
    for (const sc::HistoryItem& item : items_) {
      if (from == 0 || item.sent_at_unix_ms < from) from = item.sent_at_unix_ms;
    }
    if (from == 0) from = now.addDays(-30).toMSecsSinceEpoch();
  }
  data_ = ComputeDashboard(items_, from, to);
  emit computed();
}

QDateTime DashboardModel::from() const {
  return QDateTime::fromMSecsSinceEpoch(data_.from_unix_ms);
}
QDateTime DashboardModel::to() const { return QDateTime::fromMSecsSinceEpoch(data_.to_unix_ms); }

const std::vector<SeriesPoint>* DashboardModel::SeriesNamed(const QString& which) const {
  if (which == "mood") return &data_.mood;
  if (which == "energy") return &data_.energy;
  if (which == "sleep") return &data_.sleep;
  if (which == "phq9") return &data_.phq9;
  if (which == "gad7") return &data_.gad7;
  if (which.startsWith("emotion:")) {
    const QString name = which.mid(8);
    for (const EmotionSeries& e : data_.emotions) {
      if (e.name == name) return &e.points;
    }
    static const std::vector<SeriesPoint> kNone;
    return &kNone;
  }
  return nullptr;
}

bool DashboardModel::fillSeries(QObject* series, const QString& which) const {
  auto* xy = qobject_cast<QXYSeries*>(series);
  const std::vector<SeriesPoint>* points = SeriesNamed(which);
  if (xy == nullptr || points == nullptr) return false;
  QList<QPointF> out;
  out.reserve(static_cast<qsizetype>(points->size()));
  for (const SeriesPoint& p : *points) out.append(QPointF(p.unix_ms, p.value));
  xy->replace(out);
  return true;
}

QVariantList DashboardModel::emotions() const {
  QVariantList out;
  for (const EmotionSeries& e : data_.emotions) {
    out.append(QVariantMap{{"name", e.name},
                           {"average", qRound(e.average)},
                           {"count", static_cast<int>(e.points.size())}});
  }
  return out;
}

QVariantList DashboardModel::reflections() const {
  QVariantList out;
  for (const ReflectionGroup& group : data_.reflections) {
    QVariantList entries;
    for (const ReflectionEntry& entry : group.entries) {
      entries.append(QVariantMap{{"at", static_cast<double>(entry.unix_ms)},
                                 {"title", entry.title},
                                 {"detail", entry.detail}});
    }
    out.append(QVariantMap{{"kind", group.kind_label},
                           {"count", static_cast<int>(group.entries.size())},
                           {"entries", entries}});
  }
  return out;
}

namespace {

QVariantMap Latest(const std::vector<SeriesPoint>& series, sc::Questionnaire questionnaire) {
  if (series.empty()) return {};
  const SeriesPoint& last = series.back();
  QVariantMap out{{"total", static_cast<int>(last.value)},
                  {"band", BandFor(questionnaire, static_cast<int>(last.value))},
                  {"at", last.unix_ms},
                  {"max", InfoFor(questionnaire).max_total}};
  if (series.size() >= 2) {
    out.insert("change", static_cast<int>(last.value - series[series.size() - 2].value));
  }
  return out;
}

}  // namespace

QVariantMap DashboardModel::latestPhq9() const {
  return Latest(data_.phq9, sc::Questionnaire::kPhq9);
}
QVariantMap DashboardModel::latestGad7() const {
  return Latest(data_.gad7, sc::Questionnaire::kGad7);
}
QVariantList DashboardModel::phq9Bands() const { return BandsAsVariant(sc::Questionnaire::kPhq9); }
QVariantList DashboardModel::gad7Bands() const { return BandsAsVariant(sc::Questionnaire::kGad7); }

}  // namespace securebase::desktop
