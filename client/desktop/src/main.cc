// securebase-desktop: the SecureBase app for clients and therapists.
//
// Usage: securebase-desktop [--home DIR] [--server HOST:PORT] [--ca FILE]
//                           [--insecure-loopback] [--title TEXT]
// --home defaults to $SECUREBASE_HOME, else ~/.securebase (the CLI's vault).
// When SECUREBASE_PASSPHRASE is set (scripts/desktop.sh --demo), the app
// unlocks with it at start and removes it from its environment.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QTimer>

#include "qml_types.h"
#include "secret_text.h"
#include "session.h"

using securebase::desktop::Session;

int main(int argc, char** argv) {
  securebase::desktop::PrepareEnvironment();
  // Qt Charts in QML needs a QApplication.
  QApplication app(argc, argv);
  app.setApplicationName("SecureBase");
  app.setOrganizationName("SecureBase");

  QCommandLineParser parser;
  parser.setApplicationDescription("SecureBase: end-to-end encrypted care between sessions.");
  parser.addHelpOption();
  QCommandLineOption home(QStringLiteral("home"), "The vault directory.", "DIR");
  QCommandLineOption server(QStringLiteral("server"), "The server (HOST:PORT).", "HOST:PORT");
  QCommandLineOption ca(QStringLiteral("ca"),
                        "PEM file of the CA that signed the server's certificate.", "FILE");
  QCommandLineOption insecure(QStringLiteral("insecure-loopback"),
                              "Plaintext to a loopback server (tests).");
  QCommandLineOption title(QStringLiteral("title"), "Window title suffix.", "TEXT");
  parser.addOptions({home, server, ca, insecure, title});
  parser.process(app);

  Session::Options options;
  QString home_dir = parser.value(home);
  if (home_dir.isEmpty()) home_dir = qEnvironmentVariable("SECUREBASE_HOME");
  if (home_dir.isEmpty()) home_dir = QDir::home().filePath(".securebase");
  options.home = QDir(home_dir).absolutePath();
  options.settings = securebase::desktop::LoadSettings(options.home);
  if (parser.isSet(server)) options.settings.server_address = parser.value(server);
  if (parser.isSet(ca)) options.settings.ca_file = QDir().absoluteFilePath(parser.value(ca));
  if (parser.isSet(insecure)) options.settings.insecure_loopback = true;

  securebase::desktop::RegisterQmlTypes();
  Session session(std::move(options));
  QQmlApplicationEngine engine;
  engine.rootContext()->setContextProperty("session", &session);
  engine.rootContext()->setContextProperty("windowTitleSuffix", parser.value(title));
  engine.load(QUrl("qrc:/qml/Main.qml"));
  if (engine.rootObjects().isEmpty()) return 1;

  QByteArray passphrase = qgetenv("SECUREBASE_PASSPHRASE");
  if (!passphrase.isEmpty()) {
    qunsetenv("SECUREBASE_PASSPHRASE");
    const QString text = QString::fromUtf8(passphrase);
    securebase::desktop::WipeBytes(passphrase.data(), static_cast<size_t>(passphrase.size()));
    if (session.state() == Session::Locked) session.unlock(text);
  }
  return app.exec();
}
