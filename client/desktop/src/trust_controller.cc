#include "trust_controller.h"

#include <QRegularExpression>

namespace securebase::desktop {

TrustController::TrustController(LibraryThread* library, QObject* parent)
    : QObject(parent), library_(library) {}

QStringList TrustController::groups() const {
  QString digits = digits_;
  digits.remove(QRegularExpression("[^0-9]"));
  QStringList out;
  for (int i = 0; i + 5 <= digits.size(); i += 5) out << digits.mid(i, 5);
  return out;
}

void TrustController::SetSafetyNumber(const QString& peer_id, const QString& digits) {
  peer_id_ = peer_id;
  digits_ = digits;
  error_.clear();
  loading_ = false;
  emit changed();
}

void TrustController::load(const QString& peer_id) {
  peer_id_ = peer_id;
  digits_.clear();
  error_.clear();
  if (library_ == nullptr) return;
  loading_ = true;
  emit changed();
  const std::string peer = peer_id.toStdString();
  library_->RunOpen(
      this, [peer](sc::Client& client) { return client.SafetyNumber(peer); },
      [this, peer_id](sc::Result<std::string> number) {
        if (peer_id != peer_id_) return;
        loading_ = false;
        if (number.ok()) {
          digits_ = QString::fromStdString(*number);
        } else {
          error_ = QString::fromStdString(number.status().message());
        }
        emit changed();
      });
}

void TrustController::verify() { Act("verify"); }
void TrustController::trust() { Act("trust"); }

void TrustController::Act(const QString& what) {
  if (library_ == nullptr || peer_id_.isEmpty()) return;
  const std::string peer = peer_id_.toStdString();
  const QString peer_id = peer_id_;
  const bool verify = what == "verify";
  library_->RunOpen(
      this,
      [peer, verify](sc::Client& client) {
        return verify ? client.Verify(peer) : client.Trust(peer);
      },
      [this, peer_id, what](sc::Status status) {
        if (!status.ok()) {
          emit failed(QString::fromStdString(status.message()));
          return;
        }
        emit contactChanged(peer_id, what);
      });
}

}  // namespace securebase::desktop
