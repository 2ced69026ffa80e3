// The app in a real window on an X server (Xvfb, run by run_under_xvfb.sh
// with QT_QPA_PLATFORM=xcb), against the real server on loopback: the
// window is mapped and exposed on the X screen, renders frames, takes
// keyboard and mouse input through the platform, and goes from the first-run
// screen to an unlocked, live home screen.
#include <QGuiApplication>
#include <QQuickItem>
#include <QScreen>
#include <QTemporaryDir>
#include <QTest>

#include "qml_types.h"
#include "session.h"
#include "tests/desktop/app_window.h"
#include "tests/server/integration/harness/server_process.h"

namespace securebase::desktop::testing {
namespace {

namespace it = ::securebase::integration;

class RealWindowTest : public QObject {
  Q_OBJECT

  // Focuses `field`'s text input with a real click and types `text`.
  static void TypeInto(AppWindow& app, const QString& field, const QString& text) {
    QQuickItem* item = app.Find(field);
    QVERIFY2(item != nullptr, qPrintable("no " + field));
    QQuickItem* input = item->property("input").value<QQuickItem*>();
    QVERIFY(input != nullptr);
    const QPointF center = input->mapToScene(QPointF(input->width() / 2, input->height() / 2));
    QTest::mouseClick(app.window(), Qt::LeftButton, {}, center.toPoint());
    QTRY_VERIFY(input->hasActiveFocus());
    for (const QChar c : text) QTest::keyClick(app.window(), c.toLatin1());
    QCOMPARE(input->property("text").toString(), text);
  }

 private slots:
  void initTestCase() {
    RegisterQmlTypes();
    QCOMPARE(QGuiApplication::platformName(), QString("xcb"));
  }

  void FirstRunToALiveHomeScreen() {
    it::ServerProcess server;
    QVERIFY(server.Start());
    QTemporaryDir home;
    Session::Options options;
    options.home = home.filePath("vault");
    options.settings.server_address = QString::fromStdString(server.address());
    options.settings.insecure_loopback = true;
    options.passphrase_cost = sc::PassphraseCost::kMinimumForTests;
    Session session(options);
    AppWindow app(&session);
    QVERIFY(app.loaded());
    // Mapped on the X screen and drawing.
    QVERIFY(app.window()->isExposed());
    QVERIFY(app.window()->screen() != nullptr);
    QVERIFY(app.window()->screen()->geometry().contains(app.window()->geometry()));
    QTRY_VERIFY(app.frames() > 0);
    QVERIFY(app.Find("welcomeScreen") != nullptr);
    const QString first = EmptyScreenReason(app.Grab());
    QVERIFY2(first.isEmpty(), qPrintable(first));

    // Input through the platform: clicks and typing.
    TypeInto(app, "nameField", "Sam");
    TypeInto(app, "passphraseField", "correct horse battery staple, under Xvfb");
    TypeInto(app, "confirmField", "correct horse battery staple, under Xvfb");
    QQuickItem* create = app.Find("createButton");
    QVERIFY(create != nullptr);
    QTRY_VERIFY(create->isEnabled());
    QTest::mouseClick(
        app.window(), Qt::LeftButton, {},
        create->mapToScene(QPointF(create->width() / 2, create->height() / 2)).toPoint());
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::Ready, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(session.liveState(), QString("live"), 30000);
    app.Settle();
    QVERIFY(app.Find("homeScreen") != nullptr);
    const QString home_screen = EmptyScreenReason(app.Grab());
    QVERIFY2(home_screen.isEmpty(), qPrintable(home_screen));
    QVERIFY2(app.warnings().isEmpty(), qPrintable(app.warnings().join("\n")));
  }
};

}  // namespace
}  // namespace securebase::desktop::testing

int main(int argc, char** argv) {
  securebase::desktop::PrepareEnvironment();
  QApplication app(argc, argv);
  securebase::desktop::testing::RealWindowTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "real_window_test.moc"
