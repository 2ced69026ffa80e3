#include "settings_store.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace securebase::desktop {

namespace {

QString SettingsPath(const QString& home) { return QDir(home).filePath("desktop.ini"); }

}  // namespace

DesktopSettings LoadSettings(const QString& home) {
  DesktopSettings settings;
  if (!QFileInfo::exists(SettingsPath(home))) return settings;
  QSettings file(SettingsPath(home), QSettings::IniFormat);
  settings.server_address = file.value("server/address", settings.server_address).toString();
  settings.ca_file = file.value("server/ca_file", settings.ca_file).toString();
  settings.insecure_loopback = file.value("server/insecure_loopback", false).toBool();
  const int minutes = file.value("lock/idle_minutes", settings.idle_lock_minutes).toInt();
  if (minutes >= 0 && minutes <= 24 * 60) settings.idle_lock_minutes = minutes;
  return settings;
}

bool SaveSettings(const QString& home, const DesktopSettings& settings) {
  if (!QFileInfo(home).isDir()) return false;
  QSettings file(SettingsPath(home), QSettings::IniFormat);
  file.setValue("server/address", settings.server_address);
  file.setValue("server/ca_file", settings.ca_file);
  file.setValue("server/insecure_loopback", settings.insecure_loopback);
  file.setValue("lock/idle_minutes", settings.idle_lock_minutes);
  file.sync();
  return file.status() == QSettings::NoError;
}

QString DevelopmentCaFile() {
  const QString path = QDir::current().filePath("data/tls/ca.crt");
  return QFileInfo::exists(path) ? QFileInfo(path).absoluteFilePath() : QString();
}

}  // namespace securebase::desktop
