// The worker thread that owns the app's Client and runs every library call.
//
// securebase::client::Client is not thread-safe, and its calls block (disk,
// Argon2id, RPCs up to their deadline). So the UI thread never calls it: it
// hands a job to Run(), the job runs on this thread with the Client, in the
// order the jobs were given, and its result comes back to a receiver on the
// receiver's own thread through its event queue. A receiver destroyed before
// its result arrives simply never gets it.
//
// Thread-safety: Run/Open/Create/Close and pending() are for the thread that
// created the object (the UI thread). Jobs run on the worker thread and must
// not touch UI objects; they get the Client (nullptr while none is open).
#ifndef SECUREBASE_DESKTOP_LIBRARY_THREAD_H_
#define SECUREBASE_DESKTOP_LIBRARY_THREAD_H_

#include <QObject>
#include <QPointer>
#include <QThread>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "secret_text.h"
#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

// Who the open vault belongs to.
struct Identity {
  sc::Role role = sc::Role::kClient;
  std::string user_id;
  std::string display_name;
};

// The status a job gets when no vault is open (after a lock, say).
sc::Status LockedStatus();

class LibraryThread : public QObject {
  Q_OBJECT
  Q_PROPERTY(int pending READ pending NOTIFY pendingChanged)

 public:
  explicit LibraryThread(QObject* parent = nullptr);
  // Closes the Client on its thread and joins it: waits for a call in flight
  // (at most one RPC deadline). Only at shutdown.
  ~LibraryThread() override;

  // Runs `work(sc::Client*)` on the worker thread, then `done(result)` on
  // `receiver`'s thread. `work` must be copyable and own what it captures.
  template <typename Work, typename Done>
  void Run(QObject* receiver, Work work, Done done);

  // Like Run, but `work` gets a Client that is open: with none open, `done`
  // receives LockedStatus() and `work` does not run. `work` returns a
  // sc::Status or a sc::Result<T>.
  template <typename Work, typename Done>
  void RunOpen(QObject* receiver, Work work, Done done);

  // Opens (Client::Open) or creates (Client::Create) the vault and keeps the
  // Client on the worker thread. `passphrase` is released by the job when
  // the unwrap is over.
  void Open(QObject* receiver, sc::ClientOptions options,
            std::shared_ptr<const SecretText> passphrase,
            std::function<void(sc::Status, Identity)> done);
  struct NewAccount {
    sc::Role role = sc::Role::kClient;
    std::string display_name;
    std::string registration_token;
  };
  void Create(QObject* receiver, sc::ClientOptions options,
              std::shared_ptr<const SecretText> passphrase, NewAccount account,
              std::function<void(sc::Status, Identity)> done);
  // Destroys the Client after the jobs already given (does not wait).
  void Close();

  // Jobs given and not yet answered.
  int pending() const { return pending_; }

 signals:
  void pendingChanged();

 private:
  void Post(std::function<void()> job);
  void Answered();

  QThread thread_;
  QObject* worker_ = nullptr;  // Lives in thread_; runs the jobs.
  // Touched only on thread_.
  std::shared_ptr<std::unique_ptr<sc::Client>> client_ =
      std::make_shared<std::unique_ptr<sc::Client>>();
  int pending_ = 0;
};

template <typename Work, typename Done>
void LibraryThread::Run(QObject* receiver, Work work, Done done) {
  using Value = std::decay_t<std::invoke_result_t<Work&, sc::Client*>>;
  ++pending_;
  emit pendingChanged();
  QPointer<QObject> target(receiver);
  QPointer<LibraryThread> self(this);
  auto client = client_;
  Post([client, work, done, target, self]() mutable {
    auto result = std::make_shared<Value>(work(client->get()));
    if (self) {
      QMetaObject::invokeMethod(
          self.data(),
          [self] {
            if (self) self->Answered();
          },
          Qt::QueuedConnection);
    }
    if (target) {
      QMetaObject::invokeMethod(
          target.data(), [result, done]() mutable { done(std::move(*result)); },
          Qt::QueuedConnection);
    }
  });
}

template <typename Work, typename Done>
void LibraryThread::RunOpen(QObject* receiver, Work work, Done done) {
  Run(
      receiver,
      [work](sc::Client* client) mutable -> std::decay_t<std::invoke_result_t<Work&, sc::Client&>> {
        if (client == nullptr) return LockedStatus();
        return work(*client);
      },
      std::move(done));
}

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_LIBRARY_THREAD_H_
