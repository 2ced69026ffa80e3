// The desktop view-models against the real securebase-server on loopback,
// with real vaults in temp dirs, exactly as the screens drive them:
//   ReadmeConversation      the README's conversation, both sides, live
//   PhqCheckInIsAChartPoint a PHQ-9 check-in becomes a point on the
//                           therapist's dashboard series
//   CrisisPromptBeforeSendingPhq9Item9  the crisis prompt (risk.h) before
//                           sending, never blocking it
//   EveryReflectionKindArrives  a form per library reflection kind, end to end
//   LongConversationShowsNewestFirst  the newest page first, then all, in order
//   KeyChangeIsWarned       a malicious server substitutes the therapist's
//                           key: the client's contact list and conversation
//                           carry the warning, and the message is held
//   StalledServerKeepsUiResponsive  the server is SIGSTOPped while a send
//                           and the live subscription wait on it: the UI
//                           event loop keeps turning
//   NoPlaintextAnywhere     markers in every content type reach no server
//                           file or log, nothing in the homes, and no file
//                           the app wrote (HOME, XDG dirs and TMPDIR point
//                           into a temp dir for the whole test run)
#include <signal.h>

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <filesystem>

#include "qml_types.h"
#include "reflection_forms.h"
#include "securebase/client/risk.h"
#include "session.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/desktop/app_window.h"

namespace securebase::desktop::testing {
namespace {

namespace it = ::securebase::integration;
constexpr int kWaitMs = 30000;
constexpr char kPassphrase[] = "a long passphrase for the desktop tests";

// Every file under `dir` whose bytes contain `needle`.
QStringList FilesContaining(const QString& dir, const QByteArray& needle) {
  QStringList out;
  QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    QFile file(it.next());
    if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle)) out << file.fileName();
  }
  return out;
}

class ViewModelTest : public QObject {
  Q_OBJECT

 public:
  // Set before QApplication exists (main below): every file the app might
  // write outside its vault lands in here.
  static QTemporaryDir* environment_dir;

 private:
  std::unique_ptr<it::ServerProcess> server_;
  std::unique_ptr<QTemporaryDir> homes_;

  std::unique_ptr<Session> NewSession(const QString& name) {
    Session::Options options;
    options.home = homes_->filePath(name);
    options.settings.server_address = QString::fromStdString(server_->address());
    options.settings.insecure_loopback = true;
    options.passphrase_cost = sc::PassphraseCost::kMinimumForTests;
    options.rpc_timeout = std::chrono::milliseconds(4000);
    return std::make_unique<Session>(options);
  }

  // Creates an account through the Session and waits until it is ready and live.
  std::unique_ptr<Session> CreateReady(const QString& name, const QString& role,
                                       const QString& display_name) {
    auto session = NewSession(name);
    session->createAccount(role, display_name, kPassphrase, "");
    if (!QTest::qWaitFor([&] { return session->state() == Session::Ready; }, kWaitMs)) {
      qWarning() << "not ready:" << session->error();
      return nullptr;
    }
    if (!QTest::qWaitFor([&] { return session->liveState() == "live"; }, kWaitMs)) {
      qWarning() << "not live:" << session->liveState() << session->liveDetail();
      return nullptr;
    }
    return session;
  }

  struct Pair {
    std::unique_ptr<Session> therapist;
    std::unique_ptr<Session> client;
    QString therapist_id;
    QString client_id;
  };

  // Therapist invites, client accepts: both sides see each other.
  bool LinkPair(Pair& pair) {
    pair.therapist = CreateReady("therapist", "therapist", "Dr Rivera");
    pair.client = CreateReady("client", "client", "Sam");
    if (!pair.therapist || !pair.client) return false;
    auto* care = qobject_cast<CareController*>(pair.therapist->care());
    care->createInvite(72);
    if (!QTest::qWaitFor([&] { return !care->inviteCode().isEmpty(); }, kWaitMs)) return false;
    QSignalSpy accepted(pair.client->care(), SIGNAL(accepted(QString, QString)));
    qobject_cast<CareController*>(pair.client->care())->acceptInvite(care->inviteCode());
    if (!QTest::qWaitFor([&] { return pair.client->contactsModel()->rowCount() == 1; }, kWaitMs)) {
      return false;
    }
    pair.therapist_id = pair.client->contactsModel()->get(0).value("userId").toString();
    pair.client->openConversation(pair.therapist_id);
    return accepted.count() == 1;
  }

  // The client's first message makes the therapist's list learn the client.
  bool TherapistSeesClient(Pair& pair) {
    if (!QTest::qWaitFor([&] { return pair.therapist->contactsModel()->rowCount() == 1; },
                         kWaitMs)) {
      return false;
    }
    pair.client_id = pair.therapist->contactsModel()->get(0).value("userId").toString();
    pair.therapist->openConversation(pair.client_id);
    return true;
  }

  static int IndexOfType(ConversationModel* model, const QString& type) {
    for (int i = 0; i < model->rowCount(); ++i) {
      if (model->data(model->index(i), ConversationModel::kType).toString() == type) return i;
    }
    return -1;
  }

  static int CountType(ConversationModel* model, const QString& type) {
    int n = 0;
    for (int i = 0; i < model->rowCount(); ++i) {
      if (model->data(model->index(i), ConversationModel::kType).toString() == type) ++n;
    }
    return n;
  }

 private slots:
  void initTestCase() { RegisterQmlTypes(); }

  void init() {
    homes_ = std::make_unique<QTemporaryDir>(environment_dir->filePath("homes-XXXXXX"));
    // A fixed port, so a restarted server keeps its address.
    for (int attempt = 0; attempt < 3; ++attempt) {
      it::ServerOptions options;
      options.listen = "127.0.0.1:" + std::to_string(e2e::FreeLoopbackPort());
      // A long conversation is seeded quickly; no test here is about the limit.
      options.flags = {"--rate-limit-rps=2000", "--rate-limit-burst=2000"};
      server_ = std::make_unique<it::ServerProcess>(options);
      const auto started = server_->Start();
      if (started) return;
      if (attempt == 2) QFAIL(started.message());
    }
  }

  void cleanup() {
    server_.reset();
    homes_.reset();
  }

  void ReadmeConversation() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    auto* t_care = qobject_cast<CareController*>(pair.therapist->care());
    t_care->saveAvailability("Mon-Thu 9-17; I reply within a day", "Call 999 in an emergency.");
    QSignalSpy saved(t_care, SIGNAL(availabilitySaved()));
    QVERIFY(saved.wait(kWaitMs));

    // Client: a message and a check-in, through the conversation model.
    ConversationModel* c_conv = pair.client->conversationModel();
    QTRY_VERIFY_WITH_TIMEOUT(c_conv->availabilityText().contains("Mon-Thu"), kWaitMs);
    c_conv->sendText("It was a hard week.");
    QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "text"), 1, kWaitMs);
    c_conv->sendCheckIn(
        {{"mood", 4},
         {"emotions", QVariantList{QVariantMap{{"name", "sad"}, {"intensity", 70}}}},
         {"sleep", 5.5},
         {"note", "tired"}});
    QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "check-in"), 1, kWaitMs);

    // Therapist: both arrive live, as cards.
    QVERIFY(TherapistSeesClient(pair));
    ConversationModel* t_conv = pair.therapist->conversationModel();
    QTRY_COMPARE_WITH_TIMEOUT(CountType(t_conv, "check-in"), 1, kWaitMs);
    QCOMPARE(CountType(t_conv, "text"), 1);
    for (int i = 0; i < t_conv->rowCount(); ++i) {
      if (t_conv->data(t_conv->index(i), ConversationModel::kType) != "check-in") continue;
      const QVariantMap card = t_conv->data(t_conv->index(i), ConversationModel::kCard).toMap();
      QCOMPARE(card.value("mood").toInt(), 4);
      QCOMPARE(card.value("note").toString(), QString("tired"));
      QCOMPARE(card.value("sleep").toDouble(), 5.5);
    }
    // The therapist reads it: the client's message turns "read".
    pair.therapist->markOpenConversationRead();
    QTRY_COMPARE_WITH_TIMEOUT(pair.therapist->contactsModel()->totalUnread(), 0, kWaitMs);
    const int first_text = IndexOfType(c_conv, "text");
    QVERIFY(first_text >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        c_conv->data(c_conv->index(first_text), ConversationModel::kState).toString(),
        QString("read"), kWaitMs);

    // Therapist suggests an exercise from a template and replies.
    auto* templates = qobject_cast<TemplateListModel*>(pair.therapist->templates());
    const QVariantMap thought = templates->get(1);
    QCOMPARE(thought.value("kind").toString(), QString("thought-record"));
    t_conv->suggestExercise({{"title", thought.value("title")},
                             {"instructions", "One situation a day"},
                             {"kind", "thought-record"},
                             {"recurrence", "daily"},
                             {"due", templates->dueDateFor(1)}});
    QTRY_COMPARE_WITH_TIMEOUT(CountType(t_conv, "exercise"), 1, kWaitMs);
    t_conv->sendText("Thank you for telling me.");

    // Client: the exercise appears in the list, open; the answer closes it.
    auto* exercises = qobject_cast<ExerciseListModel*>(pair.client->exercises());
    QTRY_COMPARE_WITH_TIMEOUT(exercises->rowCount(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "text"), 2, kWaitMs);
    QCOMPARE(exercises->get(0).value("progress").toString(), QString("open"));
    QCOMPARE(exercises->get(0).value("instructions").toString(), QString("One situation a day"));
    c_conv->sendReflection({{"kind", "thought-record"},
                            {"exerciseId", exercises->get(0).value("messageId")},
                            {"situation", "the meeting"},
                            {"automatic_thought", "I failed"},
                            {"balanced_thought", "one slide went wrong, not the talk"}});
    QTRY_COMPARE_WITH_TIMEOUT(exercises->get(0).value("progress").toString(), QString("done"),
                              kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(CountType(t_conv, "reflection"), 1, kWaitMs);

    // Safety numbers agree; Verify marks the contact verified.
    auto* t_trust = qobject_cast<TrustController*>(pair.therapist->trust());
    auto* c_trust = qobject_cast<TrustController*>(pair.client->trust());
    t_trust->load(pair.client_id);
    c_trust->load(pair.therapist_id);
    QTRY_VERIFY_WITH_TIMEOUT(
        !t_trust->safetyNumber().isEmpty() && !c_trust->safetyNumber().isEmpty(), kWaitMs);
    QCOMPARE(t_trust->safetyNumber(), c_trust->safetyNumber());
    QCOMPARE(c_trust->groups().size(), 12);
    c_trust->verify();
    QTRY_VERIFY_WITH_TIMEOUT(c_conv->verified(), kWaitMs);

    // Export: a 0600 file holding the conversation.
    const QString path = homes_->filePath("export.json");
    auto* c_care = qobject_cast<CareController*>(pair.client->care());
    QSignalSpy exported(c_care, SIGNAL(exported(QString)));
    c_care->exportTo(path);
    QVERIFY(exported.wait(kWaitMs));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("It was a hard week."));
    QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
  }

  void PhqCheckInIsAChartPoint() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    pair.client->conversationModel()->sendCheckIn(
        {{"mood", 3}, {"phq9", QVariantList{1, 2, 1, 2, 1, 1, 1, 0, 0}}});
    QVERIFY(TherapistSeesClient(pair));
    DashboardModel* dash = pair.therapist->dashboardModel();
    pair.therapist->openDashboard(pair.client_id);
    QTRY_COMPARE_WITH_TIMEOUT(dash->phq9Points(), 1, kWaitMs);
    QCOMPARE(dash->latestPhq9().value("total").toInt(), 9);
    QCOMPARE(dash->latestPhq9().value("band").toString(), QString("mild"));
    QLineSeries series;
    QVERIFY(dash->fillSeries(&series, "phq9"));
    QCOMPARE(series.count(), 1);
    QCOMPARE(series.at(0).y(), 9.0);
    // A second one arrives live and is a second point.
    pair.client->conversationModel()->sendCheckIn(
        {{"mood", 5}, {"phq9", QVariantList{0, 1, 0, 1, 0, 1, 0, 0, 0}}});
    QTRY_COMPARE_WITH_TIMEOUT(dash->phq9Points(), 2, kWaitMs);
    QVERIFY(dash->fillSeries(&series, "phq9"));
    QCOMPARE(series.at(1).y(), 3.0);
    QCOMPARE(dash->latestPhq9().value("change").toInt(), -6);
  }

  // The crisis prompt comes before a check-in with PHQ-9 item 9 above 0 is
  // sent, with the therapist's guidance and notice; sending goes on when the
  // person chooses, and nothing goes out before.
  void CrisisPromptBeforeSendingPhq9Item9() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    auto* t_care = qobject_cast<CareController*>(pair.therapist->care());
    t_care->saveAvailability("Mon-Thu 9-17", "Call 999 in an emergency.");
    ConversationModel* c_conv = pair.client->conversationModel();
    QTRY_VERIFY_WITH_TIMEOUT(c_conv->availabilityText().contains("Mon-Thu"), kWaitMs);
    QSignalSpy sent(c_conv, SIGNAL(sent(QString)));

    c_conv->sendCheckIn({{"mood", 3}, {"phq9", QVariantList{1, 2, 1, 2, 1, 1, 1, 0, 1}}});
    const QVariantMap prompt = c_conv->crisisPrompt();
    QCOMPARE(prompt.value("title").toString(),
             QString::fromUtf8(sc::CrisisResources().title.data(),
                               static_cast<int>(sc::CrisisResources().title.size())));
    QCOMPARE(prompt.value("emergencyGuidance").toString(), QString("Call 999 in an emergency."));
    QCOMPARE(prompt.value("availabilityText").toString(), QString("Mon-Thu 9-17"));
    QVERIFY2(prompt.value("where").toString().contains("PHQ-9 item 9"),
             qPrintable(prompt.value("where").toString()));
    QTest::qWait(500);
    QCOMPARE(sent.count(), 0);
    QCOMPARE(CountType(c_conv, "check-in"), 0);
    QCOMPARE(pair.client->pendingCalls(), 0);

    c_conv->confirmCrisisSend();
    QVERIFY(c_conv->crisisPrompt().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sent.count(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "check-in"), 1, kWaitMs);

    // The therapist gets it, marked for attention.
    QVERIFY(TherapistSeesClient(pair));
    ConversationModel* t_conv = pair.therapist->conversationModel();
    QTRY_COMPARE_WITH_TIMEOUT(CountType(t_conv, "check-in"), 1, kWaitMs);
    const QVariantMap card =
        t_conv->data(t_conv->index(IndexOfType(t_conv, "check-in")), ConversationModel::kCard)
            .toMap();
    QVERIFY(!card.value("attention").toString().isEmpty());

    // Words in a message: the prompt again; going back sends nothing.
    c_conv->sendText("some days I want to hurt myself");
    QVERIFY(c_conv->crisisPrompt().value("where").toString().contains("message"));
    c_conv->cancelCrisisSend();
    QVERIFY(c_conv->crisisPrompt().isEmpty());
    // Without a signal, no prompt: it goes at once.
    c_conv->sendText("a calmer day");
    QVERIFY(c_conv->crisisPrompt().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "text"), 1, kWaitMs);
    QCOMPARE(sent.count(), 2);
    // A therapist writing about risk is not prompted.
    t_conv->sendText("We can go through your safety plan for suicidal thoughts on Thursday.");
    QVERIFY(t_conv->crisisPrompt().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "text"), 2, kWaitMs);
  }

  // Every kind of guided reflection the library has, sent through its form
  // map, arrives as a card with its fields and is listed by kind on the
  // therapist's dashboard.
  void EveryReflectionKindArrives() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    ConversationModel* c_conv = pair.client->conversationModel();
    const QVariantList kinds = ReflectionFormKinds();
    QVERIFY(kinds.size() >= 6);  // Free and the five structured kinds.
    QStringList titles;
    for (const QVariant& k : kinds) {
      const QVariantMap kind = k.toMap();
      titles << kind.value("title").toString();
      QVariantMap form{{"kind", kind.value("name")},
                       {"body", "notes " + kind.value("name").toString()}};
      for (const QVariant& f : kind.value("fields").toList()) {
        const QVariantMap field = f.toMap();
        const QString key = field.value("key").toString();
        form.insert(key,
                    field.value("type") == "emotions"
                        ? QVariant(QVariantList{QVariantMap{{"name", "calm"}, {"intensity", 30}}})
                        : QVariant("text of " + key));
      }
      c_conv->sendReflection(form);
      QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "reflection"), titles.size(), kWaitMs);
    }
    QVERIFY(TherapistSeesClient(pair));
    ConversationModel* t_conv = pair.therapist->conversationModel();
    QTRY_COMPARE_WITH_TIMEOUT(CountType(t_conv, "reflection"), kinds.size(), kWaitMs);
    int row = 0;
    for (const QVariant& k : kinds) {
      const QVariantMap kind = k.toMap();
      while (t_conv->data(t_conv->index(row), ConversationModel::kType) != "reflection") ++row;
      const QVariantMap card = t_conv->data(t_conv->index(row++), ConversationModel::kCard).toMap();
      QCOMPARE(card.value("kind").toString(), kind.value("name").toString());
      QCOMPARE(card.value("fields").toList().size(), kind.value("fields").toList().size());
      QCOMPARE(card.value("body").toString(), "notes " + kind.value("name").toString());
    }
    DashboardModel* dash = pair.therapist->dashboardModel();
    pair.therapist->openDashboard(pair.client_id);
    QTRY_COMPARE_WITH_TIMEOUT(dash->reflections().size(), kinds.size(), kWaitMs);
  }

  // A conversation longer than the first page: its newest kFirstPage items
  // show first, then every item, in the vault's order.
  void LongConversationShowsNewestFirst() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    pair.client->conversationModel()->sendText("the first message");
    QVERIFY(TherapistSeesClient(pair));
    // More messages, sent from the client's vault directly while its app is locked.
    pair.client->lock();
    QTest::qWait(300);  // The live thread ends.
    const int more = static_cast<int>(ConversationModel::kFirstPage) + 30;
    {
      sc::ClientOptions options;
      options.home = homes_->filePath("client").toStdString();
      options.server_address = server_->address();
      options.insecure_loopback = true;
      options.vault_access = sc::VaultAccess::kExclusive;
      auto sender = sc::Client::Open(options, kPassphrase);
      QVERIFY(sender.ok());
      for (int i = 0; i < more; ++i) {
        QVERIFY((*sender)->SendText(pair.therapist_id.toStdString(), "m" + std::to_string(i)).ok());
      }
    }
    // The therapist's app opens the conversation afresh.
    pair.therapist->lock();
    pair.therapist->unlock(kPassphrase);
    QTRY_COMPARE_WITH_TIMEOUT(pair.therapist->state(), Session::Ready, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(pair.therapist->liveState(), QString("live"), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(pair.therapist->pendingCalls() == 0, kWaitMs);
    ConversationModel* t_conv = pair.therapist->conversationModel();
    QList<int> counts;
    connect(t_conv, &ConversationModel::countChanged, this, [&] { counts << t_conv->rowCount(); });
    pair.therapist->openConversation(pair.client_id);
    QTRY_VERIFY_WITH_TIMEOUT(t_conv->complete() && t_conv->rowCount() > more, kWaitMs);
    QVERIFY(!counts.isEmpty());
    QCOMPARE(counts.first(), static_cast<int>(ConversationModel::kFirstPage));
    // Every item, in the order the library keeps them.
    std::vector<std::string> ids;
    pair.therapist->library().RunOpen(
        this, [peer = pair.client_id.toStdString()](sc::Client& c) { return c.History(peer); },
        [&](sc::Result<std::vector<sc::HistoryItem>> history) {
          QVERIFY(history.ok());
          for (const sc::HistoryItem& item : *history) ids.push_back(item.message_id);
        });
    QTRY_VERIFY_WITH_TIMEOUT(!ids.empty(), kWaitMs);
    QCOMPARE(static_cast<size_t>(t_conv->rowCount()), ids.size());
    for (int i = 0; i < t_conv->rowCount(); ++i) {
      QCOMPARE(
          t_conv->data(t_conv->index(i), ConversationModel::kMessageId).toString().toStdString(),
          ids[static_cast<size_t>(i)]);
    }
  }

  void KeyChangeIsWarned() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    ConversationModel* c_conv = pair.client->conversationModel();
    c_conv->sendText("before the change");
    QVERIFY(TherapistSeesClient(pair));
    QTRY_COMPARE_WITH_TIMEOUT(CountType(pair.therapist->conversationModel(), "text"), 1, kWaitMs);
    const std::string therapist_raw =
        QByteArray::fromHex(pair.therapist_id.toLatin1()).toStdString();
    // The server lies: the therapist's identity key is swapped for one the
    // therapist never had, with a new device under it.
    pair.client->lock();
    pair.therapist->lock();
    QTest::qWait(300);  // The live threads end on their own.
    QVERIFY(server_->Stop());
    std::string error;
    QVERIFY2(e2e::SubstituteIdentityOnServer(server_->db_dir(), therapist_raw, &error),
             error.c_str());
    QVERIFY(server_->Start());

    pair.client->unlock(kPassphrase);
    QTRY_COMPARE_WITH_TIMEOUT(pair.client->state(), Session::Ready, kWaitMs);
    pair.client->openConversation(pair.therapist_id);
    QSignalSpy problems(c_conv, SIGNAL(sendProblem(QString)));
    c_conv->sendText("must wait for Trust");
    QTRY_VERIFY_WITH_TIMEOUT(c_conv->identityChanged() || !c_conv->sending(), kWaitMs);
    QTRY_VERIFY2_WITH_TIMEOUT(
        c_conv->identityChanged(),
        qPrintable("problems: " +
                   (problems.isEmpty() ? QString("none") : problems.last().first().toString())),
        kWaitMs);
    QVERIFY(c_conv->sendsHeld());
    QCOMPARE(pair.client->contactsModel()->keyChanges(), 1);
    QVERIFY(pair.client->contactsModel()->get(0).value("identityChanged").toBool());
    QTRY_VERIFY_WITH_TIMEOUT(problems.count() >= 1, kWaitMs);
    QVERIFY(problems.first().first().toString().contains("Trust"));
    // The held message shows as waiting, not as sent.
    QTRY_COMPARE_WITH_TIMEOUT(
        c_conv->data(c_conv->index(c_conv->rowCount() - 1), ConversationModel::kState).toString(),
        QString("queued"), kWaitMs);
    // And the screen shows the warning with its actions.
    AppWindow app(pair.client.get());
    QVERIFY(app.loaded());
    QVERIFY(app.Show("conversation", {{"peerId", pair.therapist_id}}));
    QVERIFY(app.Find("keyChangeBanner") != nullptr);
    QVERIFY(app.Find("trustFromBanner") != nullptr);
  }

  void StalledServerKeepsUiResponsive() {
    Pair pair;
    QVERIFY(LinkPair(pair));
    ConversationModel* c_conv = pair.client->conversationModel();
    QVERIFY(::kill(server_->pid(), SIGSTOP) == 0);
    // A send waits on the stalled server (up to the RPC deadline) on the
    // library thread; the event loop must keep turning meanwhile.
    QSignalSpy sent(c_conv, SIGNAL(sent(QString)));
    c_conv->sendText("sent while the server is stalled");
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst_gap = 0;
    int turns = 0;
    QTimer tick;
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
      const qint64 now = clock.elapsed();
      worst_gap = std::max(worst_gap, now - last);
      last = now;
      ++turns;
    });
    tick.start();
    QTest::qWait(2000);
    tick.stop();
    const bool answered_during_stall = sent.count() > 0;
    QVERIFY(::kill(server_->pid(), SIGCONT) == 0);
    QVERIFY2(!answered_during_stall,
             "the send did not wait on the server: the stall proved nothing");
    QVERIFY2(pair.client->pendingCalls() > 0, "no library call was in flight during the stall");
    QVERIFY2(turns > 100,
             qPrintable(QString("the event loop turned only %1 times in 2 s").arg(turns)));
    QVERIFY2(worst_gap < 250,
             qPrintable(QString("the event loop stood still for %1 ms").arg(worst_gap)));
    // After the stall the message goes out (now or from the outbox).
    QVERIFY(sent.wait(kWaitMs) || sent.count() > 0);
    QVERIFY(TherapistSeesClient(pair));
    QTRY_COMPARE_WITH_TIMEOUT(CountType(pair.therapist->conversationModel(), "text"), 1, kWaitMs);
  }

  void NoPlaintextAnywhere() {
    const QByteArray run = QByteArray::number(QDateTime::currentMSecsSinceEpoch(), 36);
    auto marker = [&](const char* what) { return QString("SBMARK%1%2").arg(run, what); };
    Pair pair;
    QVERIFY(LinkPair(pair));
    {
      AppWindow therapist_window(pair.therapist.get());
      AppWindow client_window(pair.client.get());
      QVERIFY(therapist_window.loaded() && client_window.loaded());
      ConversationModel* c_conv = pair.client->conversationModel();
      qobject_cast<CareController*>(pair.therapist->care())
          ->saveAvailability(marker("notice"), marker("emergency"));
      c_conv->sendText(marker("text"));
      c_conv->sendCheckIn(
          {{"mood", 5},
           {"emotions", QVariantList{QVariantMap{{"name", marker("emotion")}, {"intensity", 40}}}},
           {"helped", marker("helped")},
           {"note", marker("note")},
           {"phq9", QVariantList{1, 1, 1, 1, 1, 1, 1, 1, 0}}});
      c_conv->sendReflection({{"kind", "mentalisation"},
                              {"my_feelings", marker("feelings")},
                              {"other_readings", marker("readings")}});
      c_conv->sendReflection({{"kind", "emotion-regulation"},
                              {"trigger", marker("trigger")},
                              {"skill_used", marker("skill")}});
      c_conv->sendReflection({{"kind", "mourning"},
                              {"unmet_need", marker("unmet")},
                              {"what_i_can_give_now", marker("give")}});
      // Through the crisis prompt: what it holds is as private as the rest.
      c_conv->sendText("I want to hurt myself " + marker("crisis"));
      QVERIFY(!c_conv->crisisPrompt().isEmpty());
      c_conv->confirmCrisisSend();
      QVERIFY(TherapistSeesClient(pair));
      ConversationModel* t_conv = pair.therapist->conversationModel();
      QTRY_COMPARE_WITH_TIMEOUT(t_conv->rowCount() >= 6, true, kWaitMs);
      t_conv->suggestExercise({{"title", marker("exercise")},
                               {"instructions", marker("instructions")},
                               {"kind", "free"}});
      t_conv->sendText(marker("reply"));
      QTRY_COMPARE_WITH_TIMEOUT(CountType(c_conv, "exercise"), 1, kWaitMs);
      // Every screen that shows content was on screen once.
      for (const char* page : {"conversation", "exercises", "checkin", "reflection"}) {
        QVERIFY(client_window.Show(page, {{"peerId", pair.therapist_id}}));
      }
      for (const char* page : {"conversation", "dashboard", "overview", "suggest"}) {
        QVERIFY(therapist_window.Show(page, {{"peerId", pair.client_id}}));
      }
      QTRY_COMPARE_WITH_TIMEOUT(CountType(t_conv, "text"), 3, kWaitMs);
    }
    // The therapist's own export is the one file meant to hold plaintext.
    const QString exported = environment_dir->filePath("export-" + run + ".json");
    auto* care = qobject_cast<CareController*>(pair.therapist->care());
    QSignalSpy done(care, SIGNAL(exported(QString)));
    care->exportTo(exported);
    QVERIFY(done.wait(kWaitMs));
    QVERIFY2(!FilesContaining(environment_dir->path(), "SBMARK" + run).isEmpty(),
             "the search finds nothing even in the export: it proves nothing");
    QFile::remove(exported);

    pair.therapist.reset();
    pair.client.reset();
    QVERIFY(server_->Stop());
    std::string dump, error;
    QVERIFY2(e2e::DumpServerStore(server_->db_dir(), &dump, &error), error.c_str());
    const std::string logs = server_->StderrText() + server_->StdoutText();
    const std::string needle = "SBMARK" + run.toStdString();
    QVERIFY2(dump.find(needle) == std::string::npos, "plaintext in a server store record");
    QVERIFY2(logs.find(needle) == std::string::npos, "plaintext in the server's log");
    QCOMPARE(FilesContaining(QString::fromStdString(server_->root_dir()), needle.c_str()),
             QStringList());
    // HOME, XDG dirs, TMPDIR and both vault homes: nothing the app wrote.
    QCOMPARE(FilesContaining(environment_dir->path(), needle.c_str()), QStringList());
  }
};

QTemporaryDir* ViewModelTest::environment_dir = nullptr;

}  // namespace
}  // namespace securebase::desktop::testing

int main(int argc, char** argv) {
  using securebase::desktop::testing::ViewModelTest;
  // Everything the app (and Qt) could write outside the vault goes in here.
  QTemporaryDir environment("/tmp/sb-desktop-env-XXXXXX");
  ViewModelTest::environment_dir = &environment;
  for (const char* var : {"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                          "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "TMPDIR"}) {
    const QString dir = environment.filePath(QString(var).toLower());
    QDir().mkpath(dir);
    QFile::setPermissions(dir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    qputenv(var, dir.toUtf8());
  }
  securebase::desktop::PrepareEnvironment();
  QApplication app(argc, argv);
  ViewModelTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "view_model_test.moc"
