#include "conversation_model.h"

#include <QStringList>
#include <unordered_set>

#include "content_cards.h"
#include "content_forms.h"
#include "securebase/client/risk.h"

namespace securebase::desktop {

namespace {

QString Q(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<int>(s.size())); }

// A receipt's state replaces `current` only when it is further along.
bool MovesForward(sc::DeliveryState current, sc::DeliveryState next) {
  return current != sc::DeliveryState::kFailed &&
         static_cast<int>(next) > static_cast<int>(current);
}

}  // namespace

ConversationModel::ConversationModel(LibraryThread* library, QObject* parent)
    : QAbstractListModel(parent), library_(library) {}

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
      return CardFor(item);
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

QString ConversationModel::generalEmergencyGuidance() const {
  return Q(sc::CrisisResources().emergency_guidance);
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
  cancelCrisisSend();
}

void ConversationModel::refresh() {
  if (library_ == nullptr || peer_.user_id.empty()) return;
  if (items_.empty()) {
    LoadNewest();
    return;
  }
  const quint64 generation = generation_;
  const std::string peer = peer_.user_id;
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.History(peer, {.limit = kRefreshPage}); },
      [this, generation](sc::Result<sc::HistoryPage> page) {
        if (generation != generation_) return;
        if (!page.ok()) {
          emit sendProblem(QString::fromStdString(page.status().message()));
          return;
        }
        if (!MergeNewest(std::move(page).value())) LoadAll();
      });
}

void ConversationModel::LoadNewest() {
  SetLoading(true);
  const quint64 generation = generation_;
  const std::string peer = peer_.user_id;
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.History(peer, {.limit = kFirstPage}); },
      [this, generation](sc::Result<sc::HistoryPage> page) {
        if (generation != generation_) return;
        SetLoading(false);
        if (!page.ok()) {
          emit sendProblem(QString::fromStdString(page.status().message()));
          return;
        }
        // The rows were empty (refresh() loads the newest page only then).
        beginResetModel();
        items_ = std::move(page->items);
        first_position_ = page->first_position;
        complete_ = first_position_ == 0;
        endResetModel();
        emit countChanged();
        if (!complete_) LoadOlder();
        emit historyChanged();
      });
}

void ConversationModel::LoadOlder() {
  const quint64 generation = generation_;
  const std::string peer = peer_.user_id;
  const uint64_t before = first_position_;
  library_->RunOpen(
      this, [peer, before](sc::Client& client) { return client.History(peer, {.before = before}); },
      [this, generation, before](sc::Result<sc::HistoryPage> page) {
        if (generation != generation_ || first_position_ != before) return;
        if (!page.ok() || page->first_position != 0) {
          LoadAll();
          return;
        }
        if (!page->items.empty()) {
          beginInsertRows({}, 0, static_cast<int>(page->items.size()) - 1);
          items_.insert(items_.begin(), std::make_move_iterator(page->items.begin()),
                        std::make_move_iterator(page->items.end()));
          endInsertRows();
          emit countChanged();
        }
        first_position_ = 0;
        complete_ = true;
        emit historyChanged();
      });
}

void ConversationModel::LoadAll() {
  SetLoading(items_.empty());
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

bool ConversationModel::MergeNewest(sc::HistoryPage page) {
  // Positions are the vault's order; the rows must be exactly positions
  // first_position_ .. first_position_ + rowCount() - 1 for the page to line up.
  const uint64_t end = first_position_ + items_.size();
  if (page.total < end || page.first_position > end || page.first_position < first_position_) {
    return false;
  }
  std::vector<sc::HistoryItem> added;
  for (size_t i = 0; i < page.items.size(); ++i) {
    const uint64_t position = page.first_position + i;
    sc::HistoryItem& item = page.items[i];
    if (position < end) {
      const size_t row = static_cast<size_t>(position - first_position_);
      if (items_[row].message_id != item.message_id) return false;
      if (items_[row].state != item.state) {
        items_[row].state = item.state;
        const QModelIndex changed = index(static_cast<int>(row));
        emit dataChanged(changed, changed, {kState});
      }
    } else {
      added.push_back(std::move(item));
    }
  }
  if (!added.empty()) {
    beginInsertRows({}, rowCount(), rowCount() + static_cast<int>(added.size()) - 1);
    for (sc::HistoryItem& item : added) items_.push_back(std::move(item));
    endInsertRows();
    emit countChanged();
    emit historyChanged();
  }
  return true;
}

void ConversationModel::ApplyDelivery(const sc::DeliveryUpdate& update) {
  if (update.peer_user_id != peer_.user_id || peer_.user_id.empty()) return;
  std::unordered_set<std::string> wanted(update.message_ids.begin(), update.message_ids.end());
  // Receipts are mostly for the newest items: search from the end.
  for (size_t i = items_.size(); i-- > 0 && !wanted.empty();) {
    sc::HistoryItem& item = items_[i];
    if (wanted.erase(item.message_id) == 0) continue;
    if (item.direction != sc::Direction::kOutgoing || !MovesForward(item.state, update.state)) {
      continue;
    }
    item.state = update.state;
    const QModelIndex changed = index(static_cast<int>(i));
    emit dataChanged(changed, changed, {kState});
  }
}

void ConversationModel::SetHistory(std::vector<sc::HistoryItem> items) {
  first_position_ = 0;
  complete_ = true;
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

void ConversationModel::SendContent(const QString& type, const sc::ContentBody& content) {
  if (peer_.user_id.empty()) return;
  // The prompt is for the person in therapy, writing to their therapist.
  const std::vector<sc::RiskSignal> risks =
      peerIsTherapist() ? sc::DetectRiskSignals(content) : std::vector<sc::RiskSignal>();
  if (risks.empty()) {
    SendNow(type, content);
    return;
  }
  // Shown before sending; confirmCrisisSend() sends it as it is.
  const sc::CrisisPrompt& prompt = sc::CrisisResources();
  QStringList where;
  for (const sc::RiskSignal& risk : risks) {
    const QString place = QString::fromStdString(risk.where);
    if (!where.contains(place)) where << place;
  }
  const QString guidance = emergencyGuidance();
  held_send_.emplace(type, content);
  crisis_prompt_ = {
      {"title", Q(prompt.title)},
      {"message", Q(prompt.message)},
      {"emergencyGuidance", guidance.isEmpty() ? generalEmergencyGuidance() : guidance},
      {"availabilityText", availabilityText()},
      {"where", where.join(", ")},
      {"type", type}};
  emit crisisPromptChanged();
}

void ConversationModel::confirmCrisisSend() {
  if (!held_send_) return;
  auto [type, content] = std::move(*held_send_);
  held_send_.reset();
  SendNow(type, content);  // First: views see `sending` when the prompt goes.
  crisis_prompt_.clear();
  emit crisisPromptChanged();
}

void ConversationModel::cancelCrisisSend() {
  if (!held_send_ && crisis_prompt_.isEmpty()) return;
  held_send_.reset();
  crisis_prompt_.clear();
  emit crisisPromptChanged();
}

void ConversationModel::SendNow(const QString& type, const sc::ContentBody& content) {
  if (library_ == nullptr || peer_.user_id.empty()) return;
  sending_ = true;
  emit sendingChanged();
  const std::string peer = peer_.user_id;
  const quint64 generation = generation_;
  library_->RunOpen(
      this, [peer, content](sc::Client& client) { return client.Send(peer, content); },
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
  SendContent("text", sc::TextMessage{body, ""});
}

void ConversationModel::sendCheckIn(const QVariantMap& form) {
  SendContent("check-in", CheckInFromForm(form));
}

void ConversationModel::sendReflection(const QVariantMap& form) {
  SendContent("reflection", ReflectionFromForm(form));
}

void ConversationModel::suggestExercise(const QVariantMap& form) {
  SendContent("exercise", ExerciseFromForm(form));
}

QVariantMap ConversationModel::cardFor(const QString& message_id) const {
  const std::string id = message_id.toStdString();
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->message_id == id) return CardFor(*it);
  }
  return {};
}

}  // namespace securebase::desktop
