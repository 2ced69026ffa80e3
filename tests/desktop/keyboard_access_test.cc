// Every main screen, rendered over the fixed data set: each control a person
// can operate (focusable on Tab) is reached by pressing Tab from the first
// one, and has an accessible name a screen reader can say.
#include <QAccessible>
#include <QTemporaryDir>
#include <QTest>

#include "qml_types.h"
#include "tests/desktop/app_window.h"
#include "tests/desktop/fixture.h"

namespace securebase::desktop::testing {
namespace {

void CollectFocusable(QQuickItem* item, QList<QQuickItem*>& out) {
  if (item == nullptr || !item->isVisible() || !item->isEnabled()) return;
  if (item->activeFocusOnTab() && item->width() > 0 && item->height() > 0) out << item;
  for (QQuickItem* child : item->childItems()) CollectFocusable(child, out);
}

QString Describe(QQuickItem* item) {
  return QString("%1 '%2' (%3)")
      .arg(item->metaObject()->className(), item->objectName(), item->property("text").toString());
}

class KeyboardAccessTest : public QObject {
  Q_OBJECT

  // Tab from the first control reaches all of them; each has a name.
  void CheckScreen(AppWindow& app, const QString& name) {
    QList<QQuickItem*> controls;
    CollectFocusable(app.window()->contentItem(), controls);
    QVERIFY2(!controls.isEmpty(), qPrintable(name + ": no focusable control"));
    controls.first()->forceActiveFocus(Qt::TabFocusReason);
    QSet<QQuickItem*> reached;
    for (int i = 0; i < controls.size() * 2 + 10; ++i) {
      QQuickItem* focused = app.window()->activeFocusItem();
      if (focused != nullptr) {
        for (QQuickItem* p = focused; p != nullptr; p = p->parentItem()) reached.insert(p);
      }
      QTest::keyClick(app.window(), Qt::Key_Tab);
    }
    for (QQuickItem* control : controls) {
      QVERIFY2(reached.contains(control),
               qPrintable(name + ": Tab never reaches " + Describe(control)));
      QAccessibleInterface* a11y = QAccessible::queryAccessibleInterface(control);
      QVERIFY2(a11y != nullptr,
               qPrintable(name + ": no accessible interface: " + Describe(control)));
      QVERIFY2(!a11y->text(QAccessible::Name).trimmed().isEmpty(),
               qPrintable(name + ": no accessible name: " + Describe(control)));
    }
  }

 private slots:
  void initTestCase() { RegisterQmlTypes(); }

  void Therapist() {
    QTemporaryDir home;
    Session::Options options;
    options.home = home.path();
    options.clock = FixtureNow;
    options.offline_fixture = true;
    Session session(options);
    session.ShowFixtureForTesting(Identity{sc::Role::kTherapist, kTherapistId, "Dr Rivera"});
    session.contactsModel()->SetRows(TherapistContacts());
    AppWindow app(&session);
    QVERIFY(app.loaded());
    CheckScreen(app, "overview");
    for (const char* page : {"conversation", "dashboard", "suggest", "invite", "availability",
                             "settings", "safety", "exercises"}) {
      QVERIFY(app.Show(page, {{"peerId", kSamId}}));
      if (QString(page) == "conversation") {
        session.conversationModel()->SetHistory(SamHistory(sc::Direction::kIncoming));
      }
      app.Settle();
      CheckScreen(app, page);
    }
  }

  void Client() {
    QTemporaryDir home;
    Session::Options options;
    options.home = home.path();
    options.clock = FixtureNow;
    options.offline_fixture = true;
    Session session(options);
    session.ShowFixtureForTesting(Identity{sc::Role::kClient, kSamId, "Sam"});
    session.contactsModel()->SetRows(ClientContacts());
    AppWindow app(&session);
    QVERIFY(app.loaded());
    for (const char* page : {"conversation", "checkin", "reflection", "exercises", "accept"}) {
      QVERIFY(app.Show(page, {{"peerId", kTherapistId}}));
      if (QString(page) == "conversation") {
        session.conversationModel()->SetHistory(SamHistory(sc::Direction::kOutgoing));
      }
      app.Settle();
      CheckScreen(app, page);
    }
  }

  void FirstRun() {
    QTemporaryDir home;
    Session::Options options;
    options.home = home.filePath("new");
    options.offline_fixture = true;
    Session session(options);
    AppWindow app(&session);
    QVERIFY(app.loaded());
    CheckScreen(app, "welcome");
  }
};

}  // namespace
}  // namespace securebase::desktop::testing

QTEST_MAIN(securebase::desktop::testing::KeyboardAccessTest)
#include "keyboard_access_test.moc"
