// One conversation: every item with the open contact, oldest first, as cards
// with delivery states; sending every content type; live arrivals appended;
// receipts (Watch's delivery updates) move states on in place.
//
// Opening reads the newest kFirstPage items first (Client::History with a
// range), so even a long conversation shows at once, then the older ones in
// a second call (prepended; `complete` turns true). Afterwards refresh()
// reads only the newest page and merges it, so the view keeps its scroll
// position and a long conversation is not read again.
//
// The crisis prompt: before a message, check-in or reflection is sent to a
// therapist, the library's risk detection (securebase/client/risk.h) looks at it. With a
// signal (PHQ-9 item 9 above 0, self-harm words) the send waits while
// crisisPrompt shows the emergency guidance and the therapist's notice;
// confirmCrisisSend() sends it exactly as written (the prompt never blocks
// sending), cancelCrisisSend() goes back to editing.
#ifndef SECUREBASE_DESKTOP_CONVERSATION_MODEL_H_
#define SECUREBASE_DESKTOP_CONVERSATION_MODEL_H_

#include <QAbstractListModel>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "library_thread.h"
#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

class ConversationModel : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(QString peerId READ peerId NOTIFY peerChanged)
  Q_PROPERTY(QString peerName READ peerName NOTIFY peerChanged)
  Q_PROPERTY(bool peerIsTherapist READ peerIsTherapist NOTIFY peerChanged)
  Q_PROPERTY(bool linked READ linked NOTIFY peerChanged)
  Q_PROPERTY(bool verified READ verified NOTIFY peerChanged)
  Q_PROPERTY(bool identityChanged READ identityChanged NOTIFY peerChanged)
  Q_PROPERTY(bool sendsHeld READ sendsHeld NOTIFY peerChanged)
  Q_PROPERTY(QString availabilityText READ availabilityText NOTIFY peerChanged)
  Q_PROPERTY(QString emergencyGuidance READ emergencyGuidance NOTIFY peerChanged)
  Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
  // Every item is loaded (false while the older ones are still being read).
  Q_PROPERTY(bool complete READ complete NOTIFY historyChanged)
  Q_PROPERTY(bool sending READ sending NOTIFY sendingChanged)
  Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
  // {} when none; else title, message, emergencyGuidance (the therapist's,
  // or the library's general guidance), availabilityText (the therapist's
  // notice, may be empty), where ("PHQ-9 item 9, the note"), type.
  Q_PROPERTY(QVariantMap crisisPrompt READ crisisPrompt NOTIFY crisisPromptChanged)
  // The library's "not for emergencies" guidance, for when a therapist gave none.
  Q_PROPERTY(QString generalEmergencyGuidance READ generalEmergencyGuidance CONSTANT)

 public:
  // How many of the newest items opening shows first.
  static constexpr uint64_t kFirstPage = 200;
  // How many of the newest items refresh() reads.
  static constexpr uint64_t kRefreshPage = 64;

  enum Role {
    kMessageId = Qt::UserRole + 1,
    kOutgoing,
    kType,       // "text", "check-in", ...
    kTypeLabel,  // "Message", "Check-in", ...
    kState,      // "queued", "sent", "delivered", "read", "failed".
    kSentAt,     // Unix ms, sender's clock.
    kCard,       // content_cards.h
    kSummary,    // One line for screen readers.
  };

  // `library` may be null (fixtures: the rows come from SetHistory only).
  explicit ConversationModel(LibraryThread* library, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Shows `contact`'s conversation (loads it when a library is there).
  void Open(const sc::Contact& contact);
  // The contact's flags changed (verified, key change, availability).
  void UpdatePeer(const sc::Contact& contact);
  void Close();
  // Replaces or merges the rows: unchanged rows stay, new states update.
  void SetHistory(std::vector<sc::HistoryItem> items);
  // A live item for this conversation (ignored for other peers).
  void Append(const sc::HistoryItem& item);
  // Receipts: states of our items move forward (other peers: ignored).
  void ApplyDelivery(const sc::DeliveryUpdate& update);
  const std::vector<sc::HistoryItem>& items() const { return items_; }

  Q_INVOKABLE void refresh();
  Q_INVOKABLE void sendText(const QString& text);
  Q_INVOKABLE void sendCheckIn(const QVariantMap& form);
  Q_INVOKABLE void sendReflection(const QVariantMap& form);
  Q_INVOKABLE void suggestExercise(const QVariantMap& form);  // Therapist.
  // The card of the item with this id ({} when absent): forms show an
  // exercise's instructions.
  Q_INVOKABLE QVariantMap cardFor(const QString& message_id) const;
  Q_INVOKABLE void confirmCrisisSend();
  Q_INVOKABLE void cancelCrisisSend();

  QString peerId() const { return QString::fromStdString(peer_.user_id); }
  QString peerName() const;
  bool peerIsTherapist() const { return peer_.role == sc::Role::kTherapist; }
  bool linked() const { return peer_.linked; }
  bool verified() const { return peer_.verified; }
  bool identityChanged() const { return peer_.identity_changed; }
  bool sendsHeld() const { return peer_.sends_held; }
  QString availabilityText() const;
  QString emergencyGuidance() const;
  bool loading() const { return loading_; }
  bool complete() const { return complete_; }
  bool sending() const { return sending_; }
  QVariantMap crisisPrompt() const { return crisis_prompt_; }
  QString generalEmergencyGuidance() const;

 signals:
  void peerChanged();
  void loadingChanged();
  void sendingChanged();
  void countChanged();
  // Rows were replaced, merged or appended.
  void historyChanged();
  // Incoming items arrived while the conversation is open.
  void incomingShown();
  void sent(const QString& type);
  // Sending failed, or the message was kept back (held until Trust, queued offline).
  void sendProblem(const QString& message);
  // A send was queued in the outbox because the server was unreachable.
  void needsSync();
  void crisisPromptChanged();

 private:
  using SendCall = std::function<sc::Result<std::string>(sc::Client&, const std::string& peer)>;
  // Sends `content`, after the crisis prompt when it carries a risk signal.
  void SendContent(const QString& type, const sc::ContentBody& content);
  void SendNow(const QString& type, const sc::ContentBody& content);
  void SetLoading(bool loading);
  void LoadAll();
  void LoadNewest();
  void LoadOlder();
  // Merges the newest page read by refresh(); false when it does not line up
  // with the rows (then everything is read again).
  bool MergeNewest(sc::HistoryPage page);

  LibraryThread* library_;
  sc::Contact peer_;
  std::vector<sc::HistoryItem> items_;
  bool loading_ = false;
  bool sending_ = false;
  quint64 generation_ = 0;       // Bumped on Open/Close: stale loads are dropped.
  uint64_t first_position_ = 0;  // The history position of items_[0].
  bool complete_ = true;
  QVariantMap crisis_prompt_;
  std::optional<std::pair<QString, sc::ContentBody>> held_send_;  // Waiting for the prompt.
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONVERSATION_MODEL_H_
