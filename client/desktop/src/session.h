// The app's session with one vault: first run (create an account) or unlock,
// the worker thread (LibraryThread) and the live subscription (LiveUpdates),
// the view-models the screens bind to, idle locking, and the routing of live
// items into the models.
//
// Unlock: the passphrase is held (SecretText) from unlock() until the vault
// key is unwrapped, then wiped; the live thread's Client shares the unlocked
// key (Client::OpenAnother) once the contact list is on screen. Lock stops the live thread, closes
// the worker's Client and clears every model, without waiting for either thread.
//
// Thread-safety: a UI-thread object.
#ifndef SECUREBASE_DESKTOP_SESSION_H_
#define SECUREBASE_DESKTOP_SESSION_H_

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <memory>

#include "care_controller.h"
#include "contact_list_model.h"
#include "conversation_model.h"
#include "dashboard_model.h"
#include "exercise_list_model.h"
#include "library_thread.h"
#include "live_updates.h"
#include "settings_store.h"
#include "template_list_model.h"
#include "trust_controller.h"

namespace securebase::desktop {

class Session : public QObject {
  Q_OBJECT
  Q_PROPERTY(State state READ state NOTIFY stateChanged)
  Q_PROPERTY(QString stage READ stage NOTIFY stateChanged)
  Q_PROPERTY(QString role READ role NOTIFY identityChanged)
  Q_PROPERTY(bool isTherapist READ isTherapist NOTIFY identityChanged)
  Q_PROPERTY(QString displayName READ displayName NOTIFY identityChanged)
  Q_PROPERTY(QString liveState READ liveState NOTIFY liveChanged)
  Q_PROPERTY(QString liveDetail READ liveDetail NOTIFY liveChanged)
  Q_PROPERTY(QString error READ error NOTIFY errorChanged)
  Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
  Q_PROPERTY(QString home READ home CONSTANT)
  Q_PROPERTY(QString serverAddress READ serverAddress NOTIFY settingsChanged)
  Q_PROPERTY(QString caFile READ caFile NOTIFY settingsChanged)
  Q_PROPERTY(int idleLockMinutes READ idleLockMinutes NOTIFY settingsChanged)
  Q_PROPERTY(int pendingCalls READ pendingCalls NOTIFY pendingCallsChanged)
  Q_PROPERTY(QString openPeerId READ openPeerId NOTIFY openPeerChanged)
  Q_PROPERTY(QObject* contacts READ contacts CONSTANT)
  Q_PROPERTY(QObject* conversation READ conversation CONSTANT)
  Q_PROPERTY(QObject* exercises READ exercises CONSTANT)
  Q_PROPERTY(QObject* dashboard READ dashboard CONSTANT)
  Q_PROPERTY(QObject* templates READ templates CONSTANT)
  Q_PROPERTY(QObject* trust READ trust CONSTANT)
  Q_PROPERTY(QObject* care READ care CONSTANT)
  // The guided reflection forms (reflection_forms.h).
  Q_PROPERTY(QVariantList reflectionKinds READ reflectionKinds CONSTANT)

 public:
  enum State { NoVault, Locked, Unlocking, Ready };
  Q_ENUM(State)

  struct Options {
    QString home;
    DesktopSettings settings;
    // Argon2id cost for a new vault (tests use the minimum).
    sc::PassphraseCost passphrase_cost = sc::PassphraseCost::kModerate;
    // Per-RPC deadline of both Clients.
    std::chrono::milliseconds rpc_timeout{10000};
    std::function<QDateTime()> clock = [] { return QDateTime::currentDateTime(); };
    // No library behind the models: the caller feeds them (screenshots, QML
    // tests). The library thread still exists but no model uses it.
    bool offline_fixture = false;
  };

  explicit Session(Options options, QObject* parent = nullptr);
  ~Session() override;

  Q_INVOKABLE void createAccount(const QString& role, const QString& name,
                                 const QString& passphrase, const QString& token);
  Q_INVOKABLE void unlock(const QString& passphrase);
  Q_INVOKABLE void lock();
  Q_INVOKABLE bool saveSettings(const QString& server, const QString& ca_file, int idle_minutes);
  Q_INVOKABLE void openConversation(const QString& peer_id);
  Q_INVOKABLE void openDashboard(const QString& peer_id);
  Q_INVOKABLE void refreshContacts();
  Q_INVOKABLE void syncNow();
  // The user looked at the open conversation: mark it read (sends read receipts).
  Q_INVOKABLE void markOpenConversationRead();
  Q_INVOKABLE void dismissNotice();
  Q_INVOKABLE void clearError();
  // Input happened: the idle timer starts again.
  Q_INVOKABLE void noteActivity();

  Q_INVOKABLE QVariantMap passphraseStrength(const QString& passphrase) const;
  Q_INVOKABLE QString formatTime(double unix_ms) const;      // "14:05", "Tue 14:05", "3 Dec".
  Q_INVOKABLE QString formatDateTime(double unix_ms) const;  // "Thu 3 Dec 2026, 14:05".
  Q_INVOKABLE QString relativeTime(double unix_ms) const;    // "just now", "2 h ago", ...
  Q_INVOKABLE QString formatDate(double unix_ms) const;      // "3 Dec 2026".
  Q_INVOKABLE double nowMs() const;
  // "PHQ-9" or "GAD-7": {name, stem, items, options, bands} (measures.h).
  Q_INVOKABLE QVariantMap measure(const QString& name) const;

  // Fixture entry (screenshots, QML tests): shows `identity` as unlocked with
  // no library behind it; the models are then fed directly.
  void ShowFixtureForTesting(const Identity& identity);
  LibraryThread& library() { return *library_; }

  State state() const { return state_; }
  QString stage() const { return stage_; }
  QString role() const;
  bool isTherapist() const { return identity_.role == sc::Role::kTherapist; }
  QString displayName() const { return QString::fromStdString(identity_.display_name); }
  QString liveState() const { return live_state_; }
  QString liveDetail() const { return live_detail_; }
  QString error() const { return error_; }
  QString notice() const { return notice_; }
  QString home() const { return options_.home; }
  QString serverAddress() const { return options_.settings.server_address; }
  QString caFile() const { return options_.settings.ca_file; }
  int idleLockMinutes() const { return options_.settings.idle_lock_minutes; }
  int pendingCalls() const { return library_->pending(); }
  QString openPeerId() const { return open_peer_; }
  ContactListModel* contactsModel() { return contacts_; }
  ConversationModel* conversationModel() { return conversation_; }
  DashboardModel* dashboardModel() { return dashboard_; }
  QObject* contacts() { return contacts_; }
  QObject* conversation() { return conversation_; }
  QObject* exercises() { return exercises_; }
  QObject* dashboard() { return dashboard_; }
  QObject* templates() { return templates_; }
  QObject* trust() { return trust_; }
  QObject* care() { return care_; }
  QVariantList reflectionKinds() const;

 signals:
  void stateChanged();
  void identityChanged();
  void liveChanged();
  void errorChanged();
  void noticeChanged();
  void settingsChanged();
  void pendingCallsChanged();
  void openPeerChanged();
  // The contact list was (re)loaded.
  void contactsLoaded();
  // A live item was routed into the models.
  void itemRouted(const QString& peer_id, const QString& type);
  // A key-change (or other) warning from the library.
  void warningRaised(const QString& warning);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  sc::ClientOptions ClientOptionsNow() const;
  void SetState(State state, const QString& stage = {});
  void SetError(const QString& error);
  void SetNotice(const QString& notice);
  void OnOpened(sc::Status status, Identity identity);
  void StartLive();
  void ConnectLive(LiveUpdates* live);
  void StopLive();
  // The therapist overview's details, one contact after another.
  void LoadDetails(std::vector<std::string> peers);
  void LoadDetailsOf(std::shared_ptr<const std::vector<std::string>> peers, size_t i,
                     quint64 generation);
  void RouteItem(const sc::HistoryItem& item);
  void SetLive(const QString& state, const QString& detail);
  void RestartIdleTimer();

  Options options_;
  std::unique_ptr<LibraryThread> library_;
  QPointer<LiveUpdates> live_;
  bool live_opening_ = false;
  quint64 details_generation_ = 0;  // Bumped on lock: stale detail loads stop.
  State state_ = NoVault;
  QString stage_;
  Identity identity_;
  QString live_state_ = "off";
  QString live_detail_;
  QString error_;
  QString notice_;
  QString open_peer_;
  bool contacts_loading_ = false;
  bool contacts_again_ = false;
  QTimer idle_timer_;
  QTimer mark_read_timer_;

  ContactListModel* contacts_;
  ConversationModel* conversation_;
  ExerciseListModel* exercises_;
  DashboardModel* dashboard_;
  TemplateListModel* templates_;
  TrustController* trust_;
  CareController* care_;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_SESSION_H_
