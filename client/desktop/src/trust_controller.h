// The safety-number screen: the 60 digits both sides compare (and a QR code
// of them), Verify once they match, Trust after a contact's key changed.
#ifndef SECUREBASE_DESKTOP_TRUST_CONTROLLER_H_
#define SECUREBASE_DESKTOP_TRUST_CONTROLLER_H_

#include <QObject>
#include <QString>

#include "library_thread.h"

namespace securebase::desktop {

class TrustController : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString peerId READ peerId NOTIFY changed)
  Q_PROPERTY(QString safetyNumber READ safetyNumber NOTIFY changed)
  // The 12 groups of 5 digits.
  Q_PROPERTY(QStringList groups READ groups NOTIFY changed)
  Q_PROPERTY(bool loading READ loading NOTIFY changed)
  Q_PROPERTY(QString error READ error NOTIFY changed)

 public:
  explicit TrustController(LibraryThread* library, QObject* parent = nullptr);

  Q_INVOKABLE void load(const QString& peer_id);
  Q_INVOKABLE void verify();
  Q_INVOKABLE void trust();
  // Fixture entry.
  void SetSafetyNumber(const QString& peer_id, const QString& digits);

  QString peerId() const { return peer_id_; }
  QString safetyNumber() const { return digits_; }
  QStringList groups() const;
  bool loading() const { return loading_; }
  QString error() const { return error_; }

 signals:
  void changed();
  // Verify or Trust succeeded: the contact list should be read again.
  void contactChanged(const QString& peer_id, const QString& what);
  void failed(const QString& message);

 private:
  void Act(const QString& what);

  LibraryThread* library_;
  QString peer_id_;
  QString digits_;
  QString error_;
  bool loading_ = false;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_TRUST_CONTROLLER_H_
