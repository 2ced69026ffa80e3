// The care link around the conversations: the therapist's invite (code, QR
// code, how long it stays valid) and availability notice, the client's
// accepting of an invite, ending a link, and exporting everything to a JSON
// file the person chooses.
#ifndef SECUREBASE_DESKTOP_CARE_CONTROLLER_H_
#define SECUREBASE_DESKTOP_CARE_CONTROLLER_H_

#include <QDateTime>
#include <QObject>
#include <QString>
#include <functional>

#include "library_thread.h"

namespace securebase::desktop {

class CareController : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString inviteCode READ inviteCode NOTIFY inviteChanged)
  Q_PROPERTY(QDateTime inviteExpires READ inviteExpires NOTIFY inviteChanged)
  Q_PROPERTY(QString availabilityText READ availabilityText NOTIFY availabilityChanged)
  Q_PROPERTY(QString emergencyGuidance READ emergencyGuidance NOTIFY availabilityChanged)
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)

 public:
  CareController(LibraryThread* library, std::function<QDateTime()> now, QObject* parent = nullptr);

  Q_INVOKABLE void createInvite(int valid_hours);
  Q_INVOKABLE void clearInvite();
  Q_INVOKABLE void acceptInvite(const QString& code);
  Q_INVOKABLE void saveAvailability(const QString& text, const QString& emergency);
  Q_INVOKABLE void endLink(const QString& peer_id);
  // Writes ExportJson() to `path` (mode 0600), replacing it atomically.
  Q_INVOKABLE void exportTo(const QString& path);
  // A suggested export path in the user's documents folder.
  Q_INVOKABLE QString suggestedExportPath() const;

  // The notice as last sent (the library has no getter for it; Session finds
  // it in the history).
  void SetKnownAvailability(const QString& text, const QString& emergency);
  // Fixture entry.
  void SetInvite(const QString& code, const QDateTime& expires);

  QString inviteCode() const { return invite_code_; }
  QDateTime inviteExpires() const { return invite_expires_; }
  QString availabilityText() const { return availability_text_; }
  QString emergencyGuidance() const { return emergency_guidance_; }
  bool busy() const { return busy_ > 0; }

 signals:
  void inviteChanged();
  void availabilityChanged();
  void busyChanged();
  void accepted(const QString& peer_id, const QString& name);
  void availabilitySaved();
  void linkEnded(const QString& peer_id);
  void exported(const QString& path);
  void failed(const QString& message);

 private:
  template <typename Work, typename Done>
  void Call(Work work, Done done);

  LibraryThread* library_;
  std::function<QDateTime()> now_;
  QString invite_code_;
  QDateTime invite_expires_;
  QString availability_text_;
  QString emergency_guidance_;
  int busy_ = 0;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CARE_CONTROLLER_H_
