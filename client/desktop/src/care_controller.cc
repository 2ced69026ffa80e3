#include "care_controller.h"

#include <QDir>
#include <QFileDevice>
#include <QSaveFile>
#include <QStandardPaths>
#include <chrono>

#include "content_forms.h"
#include "secret_text.h"

namespace securebase::desktop {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

CareController::CareController(LibraryThread* library, std::function<QDateTime()> now,
                               QObject* parent)
    : QObject(parent), library_(library), now_(std::move(now)) {}

template <typename Work, typename Done>
void CareController::Call(Work work, Done done) {
  if (library_ == nullptr) return;
  ++busy_;
  emit busyChanged();
  library_->RunOpen(this, std::move(work), [this, done](auto result) mutable {
    --busy_;
    emit busyChanged();
    if (!result.ok()) {
      emit failed(Q(result.status().message()));
      return;
    }
    done(std::move(result));
  });
}

void CareController::createInvite(int valid_hours) {
  const int hours = qBound(1, valid_hours, 24 * 14);
  const QDateTime expires = now_().addSecs(static_cast<qint64>(hours) * 3600);
  Call([hours](sc::Client& c) { return c.CreateInvite(std::chrono::hours(hours)); },
       [this, expires](sc::Result<std::string> code) {
         invite_code_ = Q(*code);
         invite_expires_ = expires;
         emit inviteChanged();
       });
}

void CareController::clearInvite() {
  invite_code_.clear();
  invite_expires_ = {};
  emit inviteChanged();
}

void CareController::SetInvite(const QString& code, const QDateTime& expires) {
  invite_code_ = code;
  invite_expires_ = expires;
  emit inviteChanged();
}

void CareController::acceptInvite(const QString& code) {
  const std::string trimmed = code.simplified().remove(' ').toStdString();
  Call([trimmed](sc::Client& c) { return c.AcceptInvite(trimmed); },
       [this](sc::Result<sc::Contact> contact) {
         emit accepted(Q(contact->user_id), Q(contact->display_name));
       });
}

void CareController::SetKnownAvailability(const QString& text, const QString& emergency) {
  availability_text_ = text;
  emergency_guidance_ = emergency;
  emit availabilityChanged();
}

void CareController::saveAvailability(const QString& text, const QString& emergency) {
  const sc::Availability availability =
      AvailabilityFromForm({{"text", text}, {"emergency", emergency}});
  Call(
      [availability](sc::Client& c) -> sc::Result<bool> {
        sc::Status status = c.SetAvailability(availability);
        if (!status.ok()) return status;
        return true;
      },
      [this, text, emergency](sc::Result<bool>) {
        SetKnownAvailability(text.trimmed(), emergency.trimmed());
        emit availabilitySaved();
      });
}

void CareController::endLink(const QString& peer_id) {
  const std::string peer = peer_id.toStdString();
  Call(
      [peer](sc::Client& c) -> sc::Result<bool> {
        sc::Status status = c.EndLink(peer);
        if (!status.ok()) return status;
        return true;
      },
      [this, peer_id](sc::Result<bool>) { emit linkEnded(peer_id); });
}

QString CareController::suggestedExportPath() const {
  QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (dir.isEmpty()) dir = QDir::homePath();
  return QDir(dir).filePath(
      QString("securebase-export-%1.json").arg(now_().date().toString(Qt::ISODate)));
}

void CareController::exportTo(const QString& path) {
  Call(
      [path](sc::Client& c) -> sc::Result<QString> {
        auto json = c.ExportJson();
        if (!json.ok()) return json.status();
        QSaveFile file(path);
        // Owner-only from the first byte: QSaveFile creates its temporary file
        // with these permissions.
        file.setDirectWriteFallback(false);
        bool ok = file.open(QIODevice::WriteOnly) &&
                  file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) &&
                  file.write(json->data(), static_cast<qint64>(json->size())) ==
                      static_cast<qint64>(json->size()) &&
                  file.commit();
        WipeBytes(json->data(), json->size());
        if (!ok) {
          file.cancelWriting();
          return sc::Status(
              sc::ErrorCode::kInvalidArgument,
              "Could not write " + path.toStdString() + ": " + file.errorString().toStdString());
        }
        return path;
      },
      [this](sc::Result<QString> written) { emit exported(*written); });
}

}  // namespace securebase::desktop
