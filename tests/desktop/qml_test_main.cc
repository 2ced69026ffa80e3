// The runner of the QML tests (tests/desktop/qml/tst_*.qml, Qt Quick Test):
// one TestCase per screen of the app. Each test file gets its own engine with
// the app's types, a `session` over the fixed data set (fixture.h: no
// library behind it) and a `fixture` object that puts the session in a role
// and fills the models, and tells what a screen reader would read for an
// item (its QAccessible interface, not only the QML property).
#include <QAccessible>
#include <QApplication>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtQuickTest>
#include <memory>
#include <vector>

#include "qml_types.h"
#include "session.h"
#include "tests/desktop/fixture.h"

namespace securebase::desktop::testing {
namespace {

class Fixture : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString therapistId READ therapistId CONSTANT)
  Q_PROPERTY(QString samId READ samId CONSTANT)
  Q_PROPERTY(QString alexId READ alexId CONSTANT)

 public:
  Fixture(Session* session, QObject* parent) : QObject(parent), session_(session) {}

  QString therapistId() const { return kTherapistId; }
  QString samId() const { return kSamId; }
  QString alexId() const { return kAlexId; }

  // The therapist Dr Rivera with Sam, Alex (key changed) and Jordan.
  Q_INVOKABLE void asTherapist() {
    session_->ShowFixtureForTesting(Identity{sc::Role::kTherapist, kTherapistId, "Dr Rivera"});
    session_->contactsModel()->SetRows(TherapistContacts());
    qobject_cast<CareController*>(session_->care())
        ->SetKnownAvailability("Mon-Thu 9-17", "Call 999 in an emergency.");
  }
  // Sam, with Dr Rivera.
  Q_INVOKABLE void asClient() {
    session_->ShowFixtureForTesting(Identity{sc::Role::kClient, kSamId, "Sam"});
    session_->contactsModel()->SetRows(ClientContacts());
  }
  // Sam's conversation as the current role sees it.
  Q_INVOKABLE void fillConversation() {
    session_->conversationModel()->SetHistory(
        SamHistory(session_->isTherapist() ? sc::Direction::kIncoming : sc::Direction::kOutgoing));
  }
  Q_INVOKABLE void fillDashboard() {
    session_->dashboardModel()->SetHistory(kSamId, "Sam", SamHistory(sc::Direction::kIncoming));
  }
  Q_INVOKABLE void fillInvite() {
    qobject_cast<CareController*>(session_->care())
        ->SetInvite("SBI1-7Q2M-XK4D-93HF-WV8T-PL6R-2ZNC-JY5E-B3KA", FixtureNow().addDays(7));
  }
  Q_INVOKABLE void fillSafetyNumber() {
    qobject_cast<TrustController*>(session_->trust())
        ->SetSafetyNumber(
            kAlexId, "05149 88120 47310 91733 20846 66251 30912 77458 15603 48920 63117 29084");
  }
  // The item with the keyboard focus in `any`'s window.
  Q_INVOKABLE QQuickItem* focusedItem(QQuickItem* any) const {
    return any != nullptr && any->window() != nullptr ? any->window()->activeFocusItem() : nullptr;
  }
  // What assistive technology reads as the item's name.
  Q_INVOKABLE QString accessibleName(QQuickItem* item) const {
    QAccessibleInterface* a11y = QAccessible::queryAccessibleInterface(item);
    return a11y == nullptr ? QString() : a11y->text(QAccessible::Name);
  }

 private:
  Session* session_;
};

class Setup : public QObject {
  Q_OBJECT

 public slots:
  void applicationAvailable() { RegisterQmlTypes(); }

  void qmlEngineAvailable(QQmlEngine* engine) {
    auto home = std::make_unique<QTemporaryDir>();
    Session::Options options;
    options.home = home->filePath("vault");
    options.clock = FixtureNow;
    options.offline_fixture = true;
    auto session = std::make_unique<Session>(options);
    auto* fixture = new Fixture(session.get(), engine);
    engine->rootContext()->setContextProperty("session", session.get());
    engine->rootContext()->setContextProperty("fixture", fixture);
    engine->rootContext()->setContextProperty("windowTitleSuffix", QString());
    homes_.push_back(std::move(home));
    sessions_.push_back(std::move(session));
  }

  void cleanupTestCase() {
    sessions_.clear();
    homes_.clear();
  }

 private:
  std::vector<std::unique_ptr<QTemporaryDir>> homes_;
  std::vector<std::unique_ptr<Session>> sessions_;
};

}  // namespace
}  // namespace securebase::desktop::testing

int main(int argc, char** argv) {
  securebase::desktop::PrepareEnvironment();
  QApplication app(argc, argv);  // Qt Charts needs a QApplication.
  securebase::desktop::testing::Setup setup;
  return quick_test_main_with_setup(argc, argv, "desktop_qml", QUICK_TEST_SOURCE_DIR, &setup);
}

#include "qml_test_main.moc"
