// Renders each main screen of the app with the fixed data set (fixture.h),
// offscreen, and writes PNGs to the build dir (SECUREBASE_SCREENSHOT_DIR).
// A screen fails when it renders empty, when an element it must show is
// missing or invisible, or when QML reported an error while showing it.
// docs/screenshots/ holds copies of these (scripts/desktop.sh --screenshots).
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include "qml_types.h"
#include "tests/desktop/app_window.h"
#include "tests/desktop/fixture.h"

namespace securebase::desktop::testing {
namespace {

class ScreenshotTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<Session> NewSession(const QString& home) {
    Session::Options options;
    options.home = home;
    options.clock = FixtureNow;
    options.offline_fixture = true;
    return std::make_unique<Session>(options);
  }

  // Saves the window as <name>.png and checks it and its required elements.
  void Capture(AppWindow& app, const QString& name, const QStringList& required) {
    app.Settle(250);
    QVERIFY2(app.warnings().isEmpty(), qPrintable(name + ": " + app.warnings().join("\n")));
    for (const QString& object_name : required) {
      QQuickItem* item = app.Find(object_name);
      QVERIFY2(item != nullptr, qPrintable(name + ": no visible item '" + object_name + "'"));
      QVERIFY2(item->width() > 0 && item->height() > 0,
               qPrintable(name + ": '" + object_name + "' has no size"));
    }
    const QImage image = app.Grab();
    const QString path = QDir(SECUREBASE_SCREENSHOT_DIR).filePath(name + ".png");
    QVERIFY(QDir().mkpath(SECUREBASE_SCREENSHOT_DIR));
    // No alpha channel: smaller files for docs/screenshots/.
    QVERIFY2(image.convertToFormat(QImage::Format_RGB888).save(path, "PNG", 9),
             qPrintable("cannot write " + path));
    const QString empty = EmptyScreenReason(image);
    QVERIFY2(empty.isEmpty(), qPrintable(name + " looks empty: " + empty));
    QVERIFY2(app.warnings().isEmpty(), qPrintable(name + ": " + app.warnings().join("\n")));
    app.ClearWarnings();
  }

 private slots:
  void initTestCase() { RegisterQmlTypes(); }

  void Welcome() {
    QTemporaryDir home;
    auto session = NewSession(home.filePath("new-vault"));
    AppWindow app(session.get());
    QVERIFY(app.loaded());
    Capture(app, "welcome", {"welcomeScreen", "passphraseField", "createButton"});
  }

  void Unlock() {
    QTemporaryDir home;
    QFile marker(home.filePath("vault.key"));  // What sc::VaultExists looks for.
    QVERIFY(marker.open(QIODevice::WriteOnly));
    marker.close();
    auto session = NewSession(home.path());
    QCOMPARE(session->state(), Session::Locked);
    AppWindow app(session.get());
    QVERIFY(app.loaded());
    Capture(app, "unlock", {"unlockScreen", "unlockPassphrase", "unlockButton"});
  }

  void TherapistScreens() {
    QTemporaryDir home;
    auto session = NewSession(home.path());
    session->ShowFixtureForTesting(Identity{sc::Role::kTherapist, kTherapistId, "Dr Rivera"});
    session->contactsModel()->SetRows(TherapistContacts());
    qobject_cast<CareController*>(session->care())
        ->SetKnownAvailability(
            "Mon\u2013Thu 9\u201317. I read messages once a day and reply "
            "within one working day.",
            "If you are in danger or might harm yourself, call 999 or go to "
            "A&E. Samaritans: 116 123, day and night.");
    AppWindow app(session.get());
    QVERIFY(app.loaded());
    Capture(app, "therapist-overview", {"clientOverview", "overviewList"});

    QVERIFY(app.Show("conversation", {{"peerId", kSamId}}));
    session->conversationModel()->SetHistory(SamHistory(sc::Direction::kIncoming));
    Capture(app, "therapist-conversation",
            {"conversationView", "conversationItems", "composeField"});

    // A check-in with PHQ-9 item 9 above 0 arrives: marked for the therapist.
    std::vector<sc::HistoryItem> with_risk = SamHistory(sc::Direction::kIncoming);
    with_risk.push_back(
        RiskCheckIn(kSamId, sc::Direction::kIncoming, FixtureNow().addSecs(-5 * 60)));
    session->conversationModel()->SetHistory(std::move(with_risk));
    Capture(app, "therapist-risk-attention", {"conversationView", "riskAttention"});

    QVERIFY(app.Show("dashboard", {{"peerId", kSamId}}));
    session->dashboardModel()->SetHistory(kSamId, "Sam", SamHistory(sc::Direction::kIncoming));
    session->dashboardModel()->setRangeDays(90);
    QVERIFY(session->dashboardModel()->phq9Points() >= 4);
    app.window()->resize(1280, 1080);  // The whole dashboard in one picture.
    Capture(app, "therapist-dashboard",
            {"clientDashboard", "moodChart", "sleepChart", "phq9Chart", "gad7Chart", "emotionBars",
             "reflectionsByKind"});

    app.window()->resize(1120, 760);
    QVERIFY(app.Show("suggest", {{"peerId", kSamId}}));
    Capture(app, "therapist-suggest-exercise",
            {"suggestExercise", "templateList", "exerciseTitle", "exerciseInstructions",
             "exerciseRecurrence", "exerciseDue", "sendExercise"});

    QVERIFY(app.Show("invite"));
    qobject_cast<CareController*>(session->care())
        ->SetInvite("SBI1-7Q2M-XK4D-93HF-WV8T-PL6R-2ZNC-JY5E-B3KA", FixtureNow().addDays(7));
    Capture(app, "therapist-invite", {"inviteScreen", "inviteCode", "inviteQr", "inviteExpiry"});

    QVERIFY(app.Show("availability"));
    Capture(app, "therapist-availability",
            {"availabilityEditor", "availabilityText", "emergencyText"});

    QVERIFY(app.Show("conversation", {{"peerId", kAlexId}}));
    session->conversationModel()->SetHistory(DailyCheckIns(kAlexId, 3, FixtureNow().addDays(-2)));
    Capture(app, "therapist-key-change",
            {"conversationView", "keyChangeBanner", "trustFromBanner"});

    QVERIFY(app.Show("safety", {{"peerId", kAlexId}}));
    qobject_cast<TrustController*>(session->trust())
        ->SetSafetyNumber(
            kAlexId, "05149 88120 47310 91733 20846 66251 30912 77458 15603 48920 63117 29084");
    Capture(app, "safety-number", {"safetyNumberScreen", "safetyDigits", "safetyQr"});
  }

  void ClientScreens() {
    QTemporaryDir home;
    auto session = NewSession(home.path());
    session->ShowFixtureForTesting(Identity{sc::Role::kClient, kSamId, "Sam"});
    session->contactsModel()->SetRows(ClientContacts());
    AppWindow app(session.get());
    QVERIFY(app.loaded());
    QVERIFY(app.Show("conversation", {{"peerId", kTherapistId}}));
    session->conversationModel()->SetHistory(SamHistory(sc::Direction::kOutgoing));
    Capture(app, "client-conversation",
            {"conversationView", "availabilityBanner", "conversationItems", "checkInButton",
             "reflectionButton", "composeField"});

    QVERIFY(app.Show("checkin", {{"peerId", kTherapistId}}));
    QQuickItem* phq = app.Find("phq9Toggle");
    QVERIFY(phq != nullptr);
    phq->setProperty("checked", true);
    Capture(app, "client-check-in", {"checkInForm", "moodSlider", "emotionPicker", "phq9Section"});

    QVERIFY(app.Show("exercises", {{"peerId", kTherapistId}}));
    session->conversationModel()->SetHistory(SamHistory(sc::Direction::kOutgoing));
    Capture(app, "client-exercises", {"exerciseList", "exerciseListView"});

    QVERIFY(app.Show("reflection", {{"peerId", kTherapistId},
                                    {"kind", "thought-record"},
                                    {"exerciseId", "00000000000000000000000000001001"}}));
    Capture(app, "client-thought-record",
            {"reflectionForm", "exerciseInstructions", "field-situation",
             "emotions-emotions_before", "field-balanced_thought"});

    QVERIFY(app.Show("reflection", {{"peerId", kTherapistId}, {"kind", "emotion-regulation"}}));
    Capture(app, "client-emotion-regulation",
            {"reflectionForm", "reflectionKinds", "field-trigger", "field-body_sensations",
             "emotions-emotions_before", "field-skill_used", "emotions-emotions_after"});

    QVERIFY(app.Show("reflection", {{"peerId", kTherapistId}, {"kind", "mourning"}}));
    Capture(app, "client-mourning",
            {"reflectionForm", "field-situation", "field-unmet_need", "emotions-feelings",
             "field-what_i_mourn", "field-what_i_can_give_now"});

    // The crisis prompt, as a PHQ-9 with item 9 above 0 is about to be sent.
    QVERIFY(app.Show("checkin", {{"peerId", kTherapistId}}));
    QVariantList phq9{1, 2, 1, 2, 1, 1, 1, 0, 1};
    session->conversationModel()->sendCheckIn({{"mood", 3}, {"phq9", phq9}});
    Capture(app, "client-crisis-prompt",
            {"crisisPrompt", "crisisMessage", "crisisGuidance", "crisisAvailability", "crisisSend",
             "crisisBack"});
    session->conversationModel()->cancelCrisisSend();
  }
};

}  // namespace
}  // namespace securebase::desktop::testing

QTEST_MAIN(securebase::desktop::testing::ScreenshotTest)
#include "screenshot_test.moc"
