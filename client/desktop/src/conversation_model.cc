#include "conversation_model.h"

#include "content_cards.h"
#include "content_forms.h"

namespace securebase::desktop {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

bool AwaitsReceipt(const sc::HistoryItem& item) {
  return item.direction == sc::Direction::kOutgoing &&
         (item.state == sc::DeliveryState::kQueued || item.state == sc::DeliveryState::kSent ||
          item.state == sc::DeliveryState::kDelivered) &&
         !std::holds_alternative<sc::Availability>(item.content);
}

}  // namespace

ConversationModel::ConversationModel(LibraryThread* library, QObject* parent)
    : QAbstractListModel(parent), library_(library) {
  receipt_timer_.setInterval(kReceiptRefreshMs);
  connect(&receipt_timer_, &QTimer::timeout, this, &ConversationModel::refresh);
}

int ConversationModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(items_.size());
}

QHash<int, QByteArray> ConversationModel::roleNames() const {
  return {{kMessageId, "messageId"}, {kOutgoing, "outgoing"}, {kType, "type"},
          {kTypeLabel, "typeLabel"}, {kState, "state"},       {kSentAt, "sentAt"},
          {kCard, "card"},           {kSummary, "summary"}};
}

QVariant ConversationModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= rowCount()) return {};
  const sc::HistoryItem& item = items_[static_cast<size_t>(index.row())];
  switch (role) {
    case kMessageId:
      return Q(item.message_id);
    case kOutgoing:
      return item.direction == sc::Direction::kOutgoing;
    case kType:
      return TypeOf(item);
    case kTypeLabel:
      return TypeLabel(item.content);
    case kState:
      return StateName(item.state);
    case kSentAt:
      return static_cast<double>(item.sent_at_unix_ms);
    case kCard:
      return CardFor(item.content);
    case Qt::DisplayRole:
    case kSummary:
      return AccessibleSummary(item);
  }
  return {};
}

QString ConversationModel::peerName() const {
  return peer_.display_name.empty() && !peer_.user_id.empty()
             ? QString("Contact %1").arg(Q(peer_.user_id).left(8))
             : Q(peer_.display_name);
}

QString ConversationModel::availabilityText() const {
  return peer_.availability ? Q(peer_.availability->text) : QString();
}

QString ConversationModel::emergencyGuidance() const {
  return peer_.availability ? Q(peer_.availability->emergency_guidance) : QString();
}

void ConversationModel::SetLoading(bool loading) {
  if (loading_ == loading) return;
  loading_ = loading;
  emit loadingChanged();
}

void ConversationModel::Open(const sc::Contact& contact) {
  ++generation_;
  const bool other_peer = contact.user_id != peer_.user_id;
  peer_ = contact;
  emit peerChanged();
  if (other_peer) SetHistory({});
  refresh();
}

void ConversationModel::UpdatePeer(const sc::Contact& contact) {
  if (contact.user_id != peer_.user_id) return;
  peer_ = contact;
  emit peerChanged();
}

void ConversationModel::Close() {
  ++generation_;
  peer_ = sc::Contact{};
  emit peerChanged();
  SetHistory({});
  SetLoading(false);
}

void ConversationModel::refresh() {
  if (library_ == nullptr || peer_.user_id.empty()) return;
  if (items_.empty()) SetLoading(true);
  const quint64 generation = generation_;
  const std::string peer = peer_.user_id;
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.History(peer); },
      [this, generation](sc::Result<std::vector<sc::HistoryItem>> history) {
        if (generation != generation_) return;
        SetLoading(false);
        if (!history.ok()) {
          emit sendProblem(QString::fromStdString(history.status().message()));
          return;
        }
        SetHistory(std::move(history).value());
      });
}

void ConversationModel::SetHistory(std::vector<sc::HistoryItem> items) {
  // History only grows at the end; a differing prefix (another contact, or a
  // vault restored underneath) resets.
  bool same_prefix = items.size() >= items_.size();
  for (size_t i = 0; same_prefix && i < items_.size(); ++i) {
    same_prefix = items_[i].message_id == items[i].message_id;
  }
  if (!same_prefix || items_.empty()) {
    const bool count_changed = items.size() != items_.size();
    beginResetModel();
    items_ = std::move(items);
    endResetModel();
    if (count_changed) emit countChanged();
  } else {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].state != items[i].state) {
        items_[i].state = items[i].state;
        const QModelIndex changed = index(static_cast<int>(i));
        emit dataChanged(changed, changed, {kState});
      }
    }
    if (items.size() > items_.size()) {
      beginInsertRows({}, static_cast<int>(items_.size()), static_cast<int>(items.size()) - 1);
      items_.insert(items_.end(), std::make_move_iterator(items.begin() + items_.size()),
                    std::make_move_iterator(items.end()));
      endInsertRows();
      emit countChanged();
    }
  }
  UpdateReceiptTimer();
  emit historyChanged();
}

void ConversationModel::Append(const sc::HistoryItem& item) {
  if (item.peer_user_id != peer_.user_id || peer_.user_id.empty()) return;
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->message_id == item.message_id) return;  // Already read back from the vault.
  }
  beginInsertRows({}, rowCount(), rowCount());
  items_.push_back(item);
  endInsertRows();
  emit countChanged();
  emit historyChanged();
  if (item.direction == sc::Direction::kIncoming) emit incomingShown();
}

void ConversationModel::UpdateReceiptTimer() {
  const bool waiting =
      library_ != nullptr && std::any_of(items_.begin(), items_.end(), AwaitsReceipt);
  if (waiting && !receipt_timer_.isActive()) receipt_timer_.start();
  if (!waiting) receipt_timer_.stop();
}

template <typename Send>
void ConversationModel::SendWith(const QString& type, Send send) {
  if (library_ == nullptr || peer_.user_id.empty()) return;
  sending_ = true;
  emit sendingChanged();
  const std::string peer = peer_.user_id;
  const quint64 generation = generation_;
  library_->RunOpen(
      this, [peer, send](sc::Client& client) { return send(client, peer); },
      [this, type, generation](sc::Result<std::string> id) {
        sending_ = false;
        emit sendingChanged();
        if (id.ok()) {
          emit sent(type);
        } else if (id.status().code() == sc::ErrorCode::kIdentityChanged) {
          emit sent(type);
          emit sendProblem(
              "Kept back: this contact's safety number changed. It goes out once you choose "
              "Trust.");
        } else if (id.status().code() == sc::ErrorCode::kUnavailable) {
          emit sent(type);
          emit needsSync();
          emit sendProblem(
              "The server cannot be reached now. Your message is queued and goes "
              "out as soon as it can.");
        } else {
          emit sendProblem(QString::fromStdString(id.status().message()));
        }
        if (generation == generation_) refresh();
      });
}

void ConversationModel::sendText(const QString& text) {
  const std::string body = text.trimmed().toStdString();
  if (body.empty()) return;
  SendWith("text",
           [body](sc::Client& c, const std::string& peer) { return c.SendText(peer, body); });
}

void ConversationModel::sendCheckIn(const QVariantMap& form) {
  const sc::CheckIn check_in = CheckInFromForm(form);
  SendWith("check-in", [check_in](sc::Client& c, const std::string& peer) {
    return c.SendCheckIn(peer, check_in);
  });
}

void ConversationModel::sendReflection(const QVariantMap& form) {
  const sc::Reflection reflection = ReflectionFromForm(form);
  SendWith("reflection", [reflection](sc::Client& c, const std::string& peer) {
    return c.SendReflection(peer, reflection);
  });
}

void ConversationModel::suggestExercise(const QVariantMap& form) {
  const sc::Exercise exercise = ExerciseFromForm(form);
  SendWith("exercise", [exercise](sc::Client& c, const std::string& peer) {
    return c.AssignExercise(peer, exercise);
  });
}

QVariantMap ConversationModel::cardFor(const QString& message_id) const {
  const std::string id = message_id.toStdString();
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->message_id == id) return CardFor(it->content);
  }
  return {};
}

}  // namespace securebase::desktop
