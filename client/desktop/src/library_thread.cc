#include "library_thread.h"

namespace securebase::desktop {

sc::Status LockedStatus() {
  return sc::Status(sc::ErrorCode::kFailedPrecondition, "SecureBase is locked. Unlock it first.");
}

LibraryThread::LibraryThread(QObject* parent) : QObject(parent) {
  thread_.setObjectName("securebase-library");
  worker_ = new QObject;
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.start();
}

LibraryThread::~LibraryThread() {
  Close();
  // After the jobs already queued (quit() is thread-safe).
  QThread* thread = &thread_;
  Post([thread] { thread->quit(); });
  thread_.wait();
}

void LibraryThread::Post(std::function<void()> job) {
  QMetaObject::invokeMethod(worker_, std::move(job), Qt::QueuedConnection);
}

void LibraryThread::Answered() {
  --pending_;
  emit pendingChanged();
}

namespace {

Identity IdentityOf(const sc::Client& client) {
  return Identity{client.role(), client.user_id(), client.display_name()};
}

}  // namespace

void LibraryThread::Open(QObject* receiver, sc::ClientOptions options,
                         std::shared_ptr<const SecretText> passphrase,
                         std::function<void(sc::Status, Identity)> done) {
  auto slot = client_;
  Run(
      receiver,
      [slot, options, passphrase](sc::Client*) mutable -> std::pair<sc::Status, Identity> {
        slot->reset();
        auto opened = sc::Client::Open(options, passphrase->view());
        passphrase.reset();  // This job's hold on it ends with the unwrap.
        if (!opened.ok()) return {opened.status(), Identity{}};
        *slot = std::move(opened).value();
        return {sc::Status::Ok(), IdentityOf(**slot)};
      },
      [done](std::pair<sc::Status, Identity> result) {
        done(std::move(result.first), std::move(result.second));
      });
}

void LibraryThread::Create(QObject* receiver, sc::ClientOptions options,
                           std::shared_ptr<const SecretText> passphrase, NewAccount account,
                           std::function<void(sc::Status, Identity)> done) {
  auto slot = client_;
  Run(
      receiver,
      [slot, options, passphrase, account](sc::Client*) mutable -> std::pair<sc::Status, Identity> {
        slot->reset();
        auto created = sc::Client::Create(options, passphrase->view(), account.role,
                                          account.display_name, account.registration_token);
        passphrase.reset();
        if (!created.ok()) return {created.status(), Identity{}};
        *slot = std::move(created).value();
        return {sc::Status::Ok(), IdentityOf(**slot)};
      },
      [done](std::pair<sc::Status, Identity> result) {
        done(std::move(result.first), std::move(result.second));
      });
}

void LibraryThread::Close() {
  auto slot = client_;
  Post([slot] { slot->reset(); });
}

}  // namespace securebase::desktop
