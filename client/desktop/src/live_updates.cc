#include "live_updates.h"

#include <QMetaObject>
#include <algorithm>
#include <chrono>
#include <thread>

namespace securebase::desktop {

LiveUpdates::LiveUpdates(sc::ClientOptions options, std::shared_ptr<const SecretText> passphrase,
                         QObject* parent)
    : QObject(parent), options_(std::move(options)), passphrase_(std::move(passphrase)) {
  qRegisterMetaType<sc::HistoryItem>();
  qRegisterMetaType<LiveUpdates::State>();
}

LiveUpdates::~LiveUpdates() {
  stop_->store(true);
  if (thread_) thread_->wait();
}

void LiveUpdates::Start() {
  if (thread_) return;
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
  emit stateChanged(State::kOpening, {});
  std::unique_ptr<sc::Client> client;
  {
    auto passphrase = std::move(passphrase_);
    auto opened = sc::Client::Open(options_, passphrase->view());
    passphrase.reset();
    if (!opened.ok()) {
      emit stateChanged(State::kFailed, QString::fromStdString(opened.status().message()));
      return;
    }
    client = std::move(opened).value();
  }
  emit opened();

  auto wait_or_stop = [&](int ms) {
    for (int waited = 0; waited < ms && !stop->load(); waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  int retry_ms = kFirstRetryMs;
  while (!stop->load()) {
    emit stateChanged(State::kConnecting, {});
    // Watch says nothing when its subscription is up, so a Sync first tells
    // whether the server answers now (and sends what the outbox holds).
    auto synced = client->Sync();
    if (synced.ok()) {
      retry_ms = kFirstRetryMs;
      emit stateChanged(State::kLive, {});
      for (const sc::HistoryItem& item : synced->new_items) emit itemArrived(item);
      for (const std::string& warning : synced->warnings) {
        emit warningRaised(QString::fromStdString(warning));
      }
      sc::Status status = client->Watch(
          [&](const sc::HistoryItem& item) { emit itemArrived(item); }, *stop,
          [&](const std::string& warning) { emit warningRaised(QString::fromStdString(warning)); });
      if (stop->load()) break;
      emit stateChanged(State::kOffline, QString::fromStdString(status.message()));
    } else {
      emit stateChanged(State::kOffline, QString::fromStdString(synced.status().message()));
    }
    wait_or_stop(retry_ms);
    retry_ms = std::min(retry_ms * 2, kMaxRetryMs);
  }
  client.reset();
  emit stateChanged(State::kStopped, {});
}

}  // namespace securebase::desktop
