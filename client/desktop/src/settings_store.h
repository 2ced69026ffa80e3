// The app's own settings for one vault home: where the server is and when to
// lock. Kept in <home>/desktop.ini beside the vault: nothing in it is
// content (no names, no messages), and it is written only after the vault
// exists there.
#ifndef SECUREBASE_DESKTOP_SETTINGS_STORE_H_
#define SECUREBASE_DESKTOP_SETTINGS_STORE_H_

#include <QString>

namespace securebase::desktop {

struct DesktopSettings {
  QString server_address = QStringLiteral("127.0.0.1:50051");  // The development server.
  QString ca_file;  // Empty: data/tls/ca.crt when it exists, else the system's trust store.
  bool insecure_loopback = false;  // Plaintext to a loopback server (tests, never the default).
  int idle_lock_minutes = 5;       // 0: never lock by itself.
};

// Defaults when the file is missing or a value is out of range.
DesktopSettings LoadSettings(const QString& home);
// False when the file could not be written (the home must exist).
bool SaveSettings(const QString& home, const DesktopSettings& settings);

// The CA file the development server's scripts make (data/tls/ca.crt under
// the current directory), when it exists; else empty.
QString DevelopmentCaFile();

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_SETTINGS_STORE_H_
