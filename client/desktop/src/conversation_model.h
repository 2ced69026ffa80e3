// One conversation: every item with the open contact, oldest first, as cards
// with delivery states; sending every content type; live arrivals appended.
//
// History is loaded and re-read on the library thread; merging keeps rows
// that did not change, so the view keeps its scroll position when a
// delivery state moves on. The library tells nothing when a receipt arrives
// (Watch reports new items only), so while outgoing items wait for receipts
// the model re-reads the local history every kReceiptRefreshMs (from the
// vault on disk, no network traffic).
#ifndef SECUREBASE_DESKTOP_CONVERSATION_MODEL_H_
#define SECUREBASE_DESKTOP_CONVERSATION_MODEL_H_

#include <QAbstractListModel>
#include <QTimer>
#include <functional>
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
  Q_PROPERTY(bool sending READ sending NOTIFY sendingChanged)
  Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

 public:
  static constexpr int kReceiptRefreshMs = 3000;

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
  const std::vector<sc::HistoryItem>& items() const { return items_; }

  Q_INVOKABLE void refresh();
  Q_INVOKABLE void sendText(const QString& text);
  Q_INVOKABLE void sendCheckIn(const QVariantMap& form);
  Q_INVOKABLE void sendReflection(const QVariantMap& form);
  Q_INVOKABLE void suggestExercise(const QVariantMap& form);  // Therapist.
  // The card of the item with this id ({} when absent): forms show an
  // exercise's instructions.
  Q_INVOKABLE QVariantMap cardFor(const QString& message_id) const;

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
  bool sending() const { return sending_; }

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

 private:
  template <typename Send>
  void SendWith(const QString& type, Send send);
  void SetLoading(bool loading);
  void UpdateReceiptTimer();

  LibraryThread* library_;
  sc::Contact peer_;
  std::vector<sc::HistoryItem> items_;
  bool loading_ = false;
  bool sending_ = false;
  quint64 generation_ = 0;  // Bumped on Open/Close: stale loads are dropped.
  QTimer receipt_timer_;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONVERSATION_MODEL_H_
