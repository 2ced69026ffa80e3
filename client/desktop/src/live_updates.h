// The live subscription: its own thread with its own Client on the same home
// (Client::OpenAnother, which shares the unlocked vault key: no second
// Argon2id and no passphrase), running Client::Watch and reconnecting with
// backoff when the connection fails. Everything Watch reports comes back to
// the UI thread as queued signals: new items, warnings, receipts, changed
// contacts, and "live" once the server registered the subscription.
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

#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

class LiveUpdates : public QObject {
  Q_OBJECT

 public:
  enum class State { kConnecting, kLive, kOffline, kStopped };
  Q_ENUM(State)

  // Backoff between reconnection attempts: doubles from kFirstRetry to kMaxRetry.
  static constexpr int kFirstRetryMs = 500;
  static constexpr int kMaxRetryMs = 30000;

  // Takes `client` (from Client::OpenAnother on the worker thread; not used
  // anywhere else afterwards) to its own thread.
  explicit LiveUpdates(std::unique_ptr<sc::Client> client, QObject* parent = nullptr);
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
  void deliveryUpdated(const securebase::client::DeliveryUpdate& update);
  // A contact's name or availability notice arrived (user id, hex).
  void contactChanged(const QString& user_id);
  // With the library's message when it went offline.
  void stateChanged(securebase::desktop::LiveUpdates::State state, const QString& detail);

 private:
  void RunOnThread();

  std::unique_ptr<sc::Client> client_;  // Used only on thread_.
  std::unique_ptr<QThread> thread_;
  std::shared_ptr<std::atomic<bool>> stop_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace securebase::desktop

Q_DECLARE_METATYPE(securebase::client::HistoryItem)
Q_DECLARE_METATYPE(securebase::client::DeliveryUpdate)

#endif  // SECUREBASE_DESKTOP_LIVE_UPDATES_H_
