// The live subscription: its own thread with its own Client on the same home
// (the library supports two instances on one vault), running Client::Watch
// and reconnecting with backoff when the connection fails. Items and warnings
// come back to the UI thread as queued signals.
//
// Opening the second Client costs a second Argon2id unwrap, so Session starts
// this only once the contact list is on screen; the passphrase is released
// as soon as this Client is open.
//
// Thread-safety: construct, Start() and Stop() on the UI thread; signals are
// delivered on the UI thread. Stop() never waits: the thread ends by itself
// within ~50 ms of Stop() plus at most one RPC deadline, and the object
// deletes itself after that when Stop(DeleteWhenDone) was used.
#ifndef SECUREBASE_DESKTOP_LIVE_UPDATES_H_
#define SECUREBASE_DESKTOP_LIVE_UPDATES_H_

#include <QObject>
#include <QThread>
#include <atomic>
#include <memory>

#include "secret_text.h"
#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

class LiveUpdates : public QObject {
  Q_OBJECT

 public:
  enum class State { kOpening, kConnecting, kLive, kOffline, kFailed, kStopped };
  Q_ENUM(State)

  // Backoff between reconnection attempts: doubles from kFirstRetry to kMaxRetry.
  static constexpr int kFirstRetryMs = 500;
  static constexpr int kMaxRetryMs = 30000;

  LiveUpdates(sc::ClientOptions options, std::shared_ptr<const SecretText> passphrase,
              QObject* parent = nullptr);
  // Stops and joins (waits at most ~50 ms plus an RPC deadline). Only at shutdown;
  // use Stop(kDeleteWhenDone) otherwise.
  ~LiveUpdates() override;

  void Start();
  enum class AfterStop { kKeep, kDeleteWhenDone };
  void Stop(AfterStop after = AfterStop::kKeep);
  bool running() const { return thread_ != nullptr && thread_->isRunning(); }

 signals:
  void itemArrived(const securebase::client::HistoryItem& item);
  void warningRaised(const QString& warning);
  // With the library's message when it failed.
  void stateChanged(securebase::desktop::LiveUpdates::State state, const QString& detail);
  // The Client is open; the passphrase was released.
  void opened();

 private:
  void RunOnThread();

  sc::ClientOptions options_;
  std::shared_ptr<const SecretText> passphrase_;  // Released by the thread once opened.
  std::unique_ptr<QThread> thread_;
  std::shared_ptr<std::atomic<bool>> stop_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace securebase::desktop

Q_DECLARE_METATYPE(securebase::client::HistoryItem)

#endif  // SECUREBASE_DESKTOP_LIVE_UPDATES_H_
