#include "live_updates.h"

#include <QMetaObject>
#include <algorithm>
#include <chrono>
#include <thread>

namespace securebase::desktop {

LiveUpdates::LiveUpdates(std::unique_ptr<sc::Client> client, QObject* parent)
    : QObject(parent), client_(std::move(client)) {
  qRegisterMetaType<sc::HistoryItem>();
  qRegisterMetaType<sc::DeliveryUpdate>();
  qRegisterMetaType<LiveUpdates::State>();
}

LiveUpdates::~LiveUpdates() {
  stop_->store(true);
  if (thread_) thread_->wait();
}

void LiveUpdates::Start() {
  if (thread_ || !client_) return;
  thread_.reset(QThread::create([this] { RunOnThread(); }));
  thread_->setObjectName("securebase-live");
  thread_->start();
}

void LiveUpdates::Stop(AfterStop after) {
  stop_->store(true);
  if (after == AfterStop::kDeleteWhenDone) {
    if (thread_ && thread_->isRunning()) {
      connect(thread_.get(), &QThread::finished, this, &QObject::deleteLater);
    } else {
      deleteLater();
    }
  }
}

// Runs on the live thread. Signals emitted here are queued to the UI thread
// (the receivers live there).
void LiveUpdates::RunOnThread() {
  const auto stop = stop_;
  sc::WatchCallbacks callbacks;
  callbacks.on_item = [this](const sc::HistoryItem& item) { emit itemArrived(item); };
  callbacks.on_warning = [this](const std::string& warning) {
    emit warningRaised(QString::fromStdString(warning));
  };
  callbacks.on_delivery = [this](const sc::DeliveryUpdate& update) {
    emit deliveryUpdated(update);
  };
  callbacks.on_contact_changed = [this](const std::string& user_id) {
    emit contactChanged(QString::fromStdString(user_id));
  };
  int retry_ms = kFirstRetryMs;
  callbacks.on_live = [this, &retry_ms] {
    retry_ms = kFirstRetryMs;
    emit stateChanged(State::kLive, {});
  };
  // Watch itself tries again while the server is away; it says so here.
  callbacks.on_offline = [this](const std::string& why) {
    emit stateChanged(State::kOffline, QString::fromStdString(why));
  };
  auto wait_or_stop = [&](int ms) {
    for (int waited = 0; waited < ms && !stop->load(); waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  QString ended_why;  // Why the watch ended for good, if it did.
  while (!stop->load()) {
    emit stateChanged(State::kConnecting, {});
    // Watch syncs first (and sends what the outbox holds), then subscribes.
    const sc::Status status = client_->Watch(callbacks, *stop);
    if (stop->load()) break;
    emit stateChanged(State::kOffline, QString::fromStdString(status.message()));
    // Another window or device took over this subscription: trying again
    // would only take it back and forth.
    if (status.code() == sc::ErrorCode::kFailedPrecondition) {
      ended_why = QString::fromStdString(status.message());
      break;
    }
    wait_or_stop(retry_ms);
    retry_ms = std::min(retry_ms * 2, kMaxRetryMs);
  }
  client_.reset();
  emit stateChanged(State::kStopped, ended_why);
}

}  // namespace securebase::desktop
