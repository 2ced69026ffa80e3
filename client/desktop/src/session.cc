#include "session.h"

#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QGuiApplication>

#include "measures.h"
#include "passphrase_strength.h"
#include "reflection_forms.h"

namespace securebase::desktop {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

// Everything the contact list shows, read on the library thread without
// reading whole conversations (the overview's details follow: LoadDetails).
struct ContactRows {
  std::vector<ContactRow> rows;
  std::optional<sc::Availability> own_availability;
};

sc::Result<ContactRows> ReadContactRows(sc::Client& client) {
  auto summaries = client.ConversationSummaries();
  if (!summaries.ok()) return summaries.status();
  ContactRows out;
  out.own_availability = client.OwnAvailability();
  out.rows.reserve(summaries->size());
  for (sc::ConversationSummary& summary : *summaries) {
    ContactSummary row_summary = FromConversationSummary(summary);
    out.rows.push_back({std::move(summary.contact), std::move(row_summary)});
  }
  return out;
}

QString MessageFor(const sc::Status& status) {
  switch (status.code()) {
    case sc::ErrorCode::kWrongPassphrase:
      return "That passphrase does not open this vault. Check it and try again.";
    case sc::ErrorCode::kUnavailable:
      return "The server cannot be reached. Check the server address in Settings; your vault "
             "is safe.";
    default:
      return Q(status.message());
  }
}

}  // namespace

Session::Session(Options options, QObject* parent)
    : QObject(parent), options_(std::move(options)), library_(std::make_unique<LibraryThread>()) {
  auto today = [clock = options_.clock] { return clock().date(); };
  LibraryThread* library = options_.offline_fixture ? nullptr : library_.get();
  contacts_ = new ContactListModel(this);
  conversation_ = new ConversationModel(library, this);
  exercises_ = new ExerciseListModel(today, this);
  dashboard_ = new DashboardModel(library, options_.clock, this);
  templates_ = new TemplateListModel(today, this);
  trust_ = new TrustController(library, this);
  care_ = new CareController(library, options_.clock, this);

  connect(library_.get(), &LibraryThread::pendingChanged, this, &Session::pendingCallsChanged);
  // Exercises and their answers can be anywhere in the history: only a
  // complete one says where each stands.
  connect(conversation_, &ConversationModel::historyChanged, this, [this] {
    if (conversation_->complete()) exercises_->SetHistory(conversation_->items());
  });
  connect(conversation_, &ConversationModel::incomingShown, this, [this] {
    if (QGuiApplication::applicationState() == Qt::ApplicationActive) mark_read_timer_.start();
  });
  connect(conversation_, &ConversationModel::sendProblem, this, &Session::SetNotice);
  connect(conversation_, &ConversationModel::needsSync, this,
          [this] { QTimer::singleShot(5000, this, &Session::syncNow); });
  connect(conversation_, &ConversationModel::sent, this,
          [this](const QString&) { refreshContacts(); });
  connect(trust_, &TrustController::contactChanged, this,
          [this](const QString&, const QString& what) {
            SetNotice(what == "verify" ? "Marked as verified." : "The new key is trusted.");
            refreshContacts();
            if (what == "trust") syncNow();  // Held messages go out now.
          });
  connect(trust_, &TrustController::failed, this, &Session::SetNotice);
  connect(care_, &CareController::failed, this, &Session::SetNotice);
  connect(care_, &CareController::accepted, this, [this](const QString& peer, const QString& name) {
    SetNotice(QString("You are now linked with %1.").arg(name));
    open_peer_ = peer;
    emit openPeerChanged();
    refreshContacts();
  });
  connect(care_, &CareController::availabilitySaved, this, [this] {
    SetNotice("Your availability notice was saved and sent to your clients.");
    refreshContacts();
  });
  connect(care_, &CareController::linkEnded, this, [this](const QString&) {
    SetNotice("The link was ended. The history stays in your vault.");
    refreshContacts();
  });
  connect(care_, &CareController::exported, this, [this](const QString& path) {
    SetNotice(QString("Exported to %1. That file is not encrypted: keep it safe.").arg(path));
  });

  idle_timer_.setSingleShot(true);
  connect(&idle_timer_, &QTimer::timeout, this, [this] {
    if (state_ == Ready) {
      lock();
      SetNotice("SecureBase locked itself after a while without use.");
    }
  });
  // Several arrivals in a row are marked read once.
  mark_read_timer_.setSingleShot(true);
  mark_read_timer_.setInterval(300);
  connect(&mark_read_timer_, &QTimer::timeout, this, &Session::markOpenConversationRead);
  if (QCoreApplication::instance() != nullptr)
    QCoreApplication::instance()->installEventFilter(this);

  if (options_.settings.ca_file.isEmpty() && !options_.settings.insecure_loopback) {
    options_.settings.ca_file = DevelopmentCaFile();
  }
  state_ = sc::VaultExists(options_.home.toStdString()) ? Locked : NoVault;
}

Session::~Session() {
  if (live_) {
    live_->Stop();
    delete live_.data();  // Joins: at shutdown only.
  }
  // library_ joins its thread in its destructor, after closing the Client.
}

sc::ClientOptions Session::ClientOptionsNow() const {
  sc::ClientOptions o;
  o.home = options_.home.toStdString();
  o.server_address = options_.settings.server_address.toStdString();
  o.ca_file = options_.settings.ca_file.toStdString();
  o.insecure_loopback = options_.settings.insecure_loopback;
  o.passphrase_cost = options_.passphrase_cost;
  o.rpc_timeout = options_.rpc_timeout;
  return o;
}

QString Session::role() const {
  if (state_ != Ready && state_ != Unlocking) return {};
  return sc::RoleName(identity_.role);
}

void Session::SetState(State state, const QString& stage) {
  state_ = state;
  stage_ = stage;
  emit stateChanged();
}

void Session::SetError(const QString& error) {
  error_ = error;
  emit errorChanged();
}

void Session::clearError() { SetError({}); }

void Session::SetNotice(const QString& notice) {
  notice_ = notice;
  emit noticeChanged();
}

void Session::dismissNotice() { SetNotice({}); }

void Session::createAccount(const QString& role, const QString& name, const QString& passphrase,
                            const QString& token) {
  if (state_ == Unlocking || state_ == Ready) return;
  SetError({});
  auto secret = SecretText::FromQString(passphrase);
  LibraryThread::NewAccount account{role == "therapist" ? sc::Role::kTherapist : sc::Role::kClient,
                                    name.trimmed().toStdString(), token.trimmed().toStdString()};
  SetState(Unlocking, "Creating your vault and your account");
  library_->Create(this, ClientOptionsNow(), std::move(secret), account,
                   [this](sc::Status status, Identity identity) {
                     if (status.ok()) SaveSettings(options_.home, options_.settings);
                     OnOpened(std::move(status), std::move(identity));
                   });
}

void Session::unlock(const QString& passphrase) {
  if (state_ == Unlocking || state_ == Ready) return;
  SetError({});
  SetState(Unlocking, "Unlocking your vault");
  library_->Open(this, ClientOptionsNow(), SecretText::FromQString(passphrase),
                 [this](sc::Status status, Identity identity) {
                   OnOpened(std::move(status), std::move(identity));
                 });
}

void Session::OnOpened(sc::Status status, Identity identity) {
  if (!status.ok()) {
    SetState(sc::VaultExists(options_.home.toStdString()) ? Locked : NoVault);
    SetError(MessageFor(status));
    return;
  }
  identity_ = std::move(identity);
  emit identityChanged();
  SetState(Unlocking, "Loading your contacts");
  refreshContacts();
}

void Session::refreshContacts() {
  if (state_ != Ready && state_ != Unlocking) return;
  if (contacts_loading_) {
    contacts_again_ = true;
    return;
  }
  contacts_loading_ = true;
  library_->RunOpen(
      this, [](sc::Client& client) { return ReadContactRows(client); },
      [this](sc::Result<ContactRows> read) {
        contacts_loading_ = false;
        if (state_ != Ready && state_ != Unlocking) return;
        if (!read.ok()) {
          SetNotice(MessageFor(read.status()));
        } else {
          if (read->own_availability) {
            care_->SetKnownAvailability(Q(read->own_availability->text),
                                        Q(read->own_availability->emergency_guidance));
          }
          std::vector<std::string> peers;
          for (const ContactRow& row : read->rows) peers.push_back(row.contact.user_id);
          contacts_->SetRows(std::move(read->rows));
          if (const ContactRow* open = contacts_->Find(open_peer_.toStdString())) {
            conversation_->UpdatePeer(open->contact);
          }
          if (isTherapist()) LoadDetails(std::move(peers));
        }
        if (state_ == Unlocking) {
          SetState(Ready);
          RestartIdleTimer();
          StartLive();
        }
        emit contactsLoaded();
        if (contacts_again_) {
          contacts_again_ = false;
          refreshContacts();
        }
      });
}

// One contact per job, so a conversation the user opens waits for at most
// one history read.
void Session::LoadDetails(std::vector<std::string> peers) {
  auto shared = std::make_shared<const std::vector<std::string>>(std::move(peers));
  const quint64 generation = ++details_generation_;
  // Starts once the list is on screen (state_ turns Ready right after).
  QTimer::singleShot(0, this, [this, shared, generation] { LoadDetailsOf(shared, 0, generation); });
}

void Session::LoadDetailsOf(std::shared_ptr<const std::vector<std::string>> peers, size_t i,
                            quint64 generation) {
  if (i >= peers->size() || generation != details_generation_ || state_ != Ready) return;
  const std::string peer = (*peers)[i];
  const QDate today = options_.clock().date();
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.History(peer); },
      [this, peer, today, peers, i, generation](sc::Result<std::vector<sc::HistoryItem>> history) {
        if (history.ok()) {
          ContactSummary details;
          AddDetails(*history, today, details);
          contacts_->SetDetails(peer, details);
        }
        LoadDetailsOf(peers, i + 1, generation);
      });
}

void Session::StartLive() {
  if (live_ || live_opening_) return;
  live_opening_ = true;
  // The live thread's Client shares this one's unlocked vault key.
  library_->RunOpen(
      this, [](sc::Client& client) { return client.OpenAnother(); },
      [this](sc::Result<std::unique_ptr<sc::Client>> opened) {
        live_opening_ = false;
        if (state_ != Ready) return;  // Locked meanwhile.
        if (!opened.ok()) {
          SetLive("failed", Q(opened.status().message()));
          return;
        }
        ConnectLive(new LiveUpdates(std::move(opened).value(), this));
      });
}

void Session::ConnectLive(LiveUpdates* live) {
  live_ = live;
  connect(live_, &LiveUpdates::itemArrived, this, &Session::RouteItem);
  connect(live_, &LiveUpdates::warningRaised, this, [this](const QString& warning) {
    SetNotice(warning);
    emit warningRaised(warning);
    refreshContacts();
  });
  connect(live_, &LiveUpdates::deliveryUpdated, this,
          [this](const sc::DeliveryUpdate& update) { conversation_->ApplyDelivery(update); });
  connect(live_, &LiveUpdates::contactChanged, this, [this](const QString&) { refreshContacts(); });
  connect(live_, &LiveUpdates::stateChanged, this,
          [this](LiveUpdates::State state, const QString& detail) {
            switch (state) {
              case LiveUpdates::State::kConnecting:
                SetLive("connecting", detail);
                break;
              case LiveUpdates::State::kLive:
                SetLive("live", detail);
                break;
              case LiveUpdates::State::kOffline:
                SetLive("offline", detail);
                break;
              case LiveUpdates::State::kStopped:
                SetLive("off", detail);
                break;
            }
          });
  SetLive("connecting", {});
  live_->Start();
}

void Session::StopLive() {
  if (live_) {
    live_->disconnect(this);
    live_->Stop(LiveUpdates::AfterStop::kDeleteWhenDone);
    live_ = nullptr;
  }
  SetLive("off", {});
}

void Session::SetLive(const QString& state, const QString& detail) {
  if (live_state_ == state && live_detail_ == detail) return;
  live_state_ = state;
  live_detail_ = detail;
  emit liveChanged();
}

void Session::RouteItem(const sc::HistoryItem& item) {
  if (state_ != Ready) return;
  const QString peer = Q(item.peer_user_id);
  if (contacts_->Find(item.peer_user_id) == nullptr) {
    refreshContacts();  // A new contact.
  } else {
    contacts_->AddItem(item);
  }
  conversation_->Append(item);
  dashboard_->Append(item);
  emit itemRouted(peer, sc::ContentTypeName(item.content));
}

void Session::syncNow() {
  if (state_ != Ready) return;
  library_->RunOpen(
      this, [](sc::Client& client) { return client.Sync(); },
      [this](sc::Result<sc::SyncResult> result) {
        if (!result.ok()) return;  // Still offline: the live thread keeps retrying too.
        for (const sc::HistoryItem& item : result->new_items) RouteItem(item);
        for (const std::string& warning : result->warnings) SetNotice(Q(warning));
        for (const sc::DeliveryUpdate& update : result->delivery_updates) {
          conversation_->ApplyDelivery(update);
        }
        if (!result->changed_contacts.empty()) refreshContacts();
        conversation_->refresh();
      });
}

void Session::openConversation(const QString& peer_id) {
  const ContactRow* row = contacts_->Find(peer_id.toStdString());
  if (row == nullptr) return;
  open_peer_ = peer_id;
  emit openPeerChanged();
  conversation_->Open(row->contact);
  if (row->summary.unread > 0) mark_read_timer_.start();
}

void Session::openDashboard(const QString& peer_id) {
  const ContactRow* row = contacts_->Find(peer_id.toStdString());
  if (row == nullptr) return;
  dashboard_->Open(
      row->contact.user_id,
      contacts_->data(contacts_->index(contacts_->indexOf(peer_id)), ContactListModel::kName)
          .toString());
}

void Session::markOpenConversationRead() {
  if (state_ != Ready || open_peer_.isEmpty()) return;
  const std::string peer = open_peer_.toStdString();
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.MarkRead(peer); },
      [this, peer](sc::Status status) {
        if (!status.ok()) return;  // Read receipts go out with a later call.
        contacts_->MarkedRead(peer);
        conversation_->refresh();
      });
}

void Session::lock() {
  if (state_ != Ready && state_ != Unlocking) return;
  StopLive();
  library_->Close();
  ++details_generation_;
  idle_timer_.stop();
  mark_read_timer_.stop();
  conversation_->Close();
  dashboard_->Close();
  contacts_->Clear();
  exercises_->SetHistory({});
  trust_->SetSafetyNumber({}, {});
  care_->clearInvite();
  care_->SetKnownAvailability({}, {});
  open_peer_.clear();
  emit openPeerChanged();
  identity_ = Identity{};
  emit identityChanged();
  SetState(sc::VaultExists(options_.home.toStdString()) ? Locked : NoVault);
}

bool Session::saveSettings(const QString& server, const QString& ca_file, int idle_minutes) {
  options_.settings.server_address = server.trimmed();
  options_.settings.ca_file = ca_file.trimmed();
  options_.settings.idle_lock_minutes = qBound(0, idle_minutes, 24 * 60);
  emit settingsChanged();
  RestartIdleTimer();
  // Before the first account exists there is no home to write into yet:
  // createAccount saves them then.
  return !sc::VaultExists(options_.home.toStdString()) ||
         SaveSettings(options_.home, options_.settings);
}

void Session::RestartIdleTimer() {
  if (state_ != Ready || options_.settings.idle_lock_minutes <= 0) {
    idle_timer_.stop();
    return;
  }
  idle_timer_.start(options_.settings.idle_lock_minutes * 60 * 1000);
}

void Session::noteActivity() {
  if (state_ == Ready && idle_timer_.isActive()) RestartIdleTimer();
}

bool Session::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
      noteActivity();
      break;
    default:
      break;
  }
  return QObject::eventFilter(watched, event);
}

void Session::ShowFixtureForTesting(const Identity& identity) {
  identity_ = identity;
  emit identityChanged();
  SetState(Ready);
}

QVariantMap Session::passphraseStrength(const QString& passphrase) const {
  const PassphraseStrength s = EstimatePassphrase(passphrase);
  return {{"score", s.score}, {"label", s.label}, {"hint", s.hint}, {"acceptable", s.acceptable}};
}

double Session::nowMs() const { return static_cast<double>(options_.clock().toMSecsSinceEpoch()); }

QString Session::formatTime(double unix_ms) const {
  const QDateTime t = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(unix_ms));
  const QDateTime now = options_.clock();
  if (t.date() == now.date()) return t.toString("HH:mm");
  if (t.daysTo(now) < 7) return t.toString("ddd HH:mm");
  if (t.date().year() == now.date().year()) return t.toString("d MMM");
  return t.toString("d MMM yyyy");
}

QString Session::formatDateTime(double unix_ms) const {
  return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(unix_ms))
      .toString("ddd d MMM yyyy, HH:mm");
}

QString Session::formatDate(double unix_ms) const {
  return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(unix_ms)).toString("d MMM yyyy");
}

QString Session::relativeTime(double unix_ms) const {
  if (unix_ms <= 0) return "no activity yet";
  const qint64 seconds =
      (options_.clock().toMSecsSinceEpoch() - static_cast<qint64>(unix_ms)) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return QString("%1 min ago").arg(seconds / 60);
  if (seconds < 86400) return QString("%1 h ago").arg(seconds / 3600);
  if (seconds < 2 * 86400) return "yesterday";
  if (seconds < 30 * 86400) return QString("%1 days ago").arg(seconds / 86400);
  return formatDate(unix_ms);
}

}  // namespace securebase::desktop

namespace securebase::desktop {

QVariantList Session::reflectionKinds() const { return ReflectionFormKinds(); }

QVariantMap Session::measure(const QString& name) const {
  const MeasureInfo& info = name == "GAD-7" ? Gad7() : Phq9();
  return {{"name", info.name},
          {"stem", info.stem},
          {"items", info.items},
          {"options", AnswerOptions()},
          {"bands", BandsAsVariant(info.questionnaire)}};
}

}  // namespace securebase::desktop
