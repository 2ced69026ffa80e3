// Desktop benchmarks (BENCHMARKS.md, "Desktop app"), all measured in one run
// against the real server on loopback, through the app's Session and its
// real window (offscreen), reading real vaults:
//   unlock to contacts   Session::unlock until a frame shows the contact list
//                        (a therapist vault with 10,365 items, MODERATE cost),
//                        against the bare Argon2id unwrap (crypto_pwhash with
//                        the vault's parameters) measured right before it in
//                        the same run -- target ratio <= 1.2
//   conversation open    a 10,000-item conversation: from the click until a
//                        frame shows its newest items -- target <= 200 ms;
//                        also until every row is loaded (scroll-back)
//   dashboard            a client with a year of daily check-ins (sent with
//                        a back-dated clock): from the click until a frame
//                        shows the charts over everything -- target <= 200 ms
//   resident memory      with the 10,000-item conversation fully loaded and
//                        on screen -- target <= 150 MiB
// Each timed step starts with the app idle (no library call in flight).
// Medians of 5 runs; prints a Markdown table. Not run by ctest.
#include <sodium.h>

#include <QElapsedTimer>
#include <QFile>
#include <QQuickItem>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <atomic>
#include <cstdio>

#include "qml_types.h"
#include "session.h"
#include "tests/desktop/app_window.h"
#include "tests/desktop/fixture.h"
#include "tests/server/integration/harness/server_process.h"

using namespace securebase::desktop;
namespace sc = securebase::client;
namespace it = securebase::integration;

namespace {

constexpr char kPassphrase[] = "benchmark passphrase for the desktop app";
constexpr int kItems = 10000;
constexpr int kYear = 365;
constexpr int kRuns = 5;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double RssMiB() {
  QFile status("/proc/self/status");
  if (!status.open(QIODevice::ReadOnly)) return -1;
  for (const QByteArray& line : status.readAll().split('\n')) {
    if (line.startsWith("VmRSS:"))
      return line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
  }
  return -1;
}

bool Check(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "desktop_bench: %s\n", what);
  return ok;
}

// The client's clock while it sends a year of back-dated check-ins.
class SettableClock final : public sc::Clock {
 public:
  int64_t NowUnixMs() override { return now_.load(); }
  void Set(int64_t now) { now_ = now; }

 private:
  std::atomic<int64_t> now_{0};
};

double ArgonUnwrapMs() {
  unsigned char key[32], salt[crypto_pwhash_SALTBYTES] = {1};
  QElapsedTimer t;
  t.start();
  if (crypto_pwhash(key, sizeof key, kPassphrase, sizeof kPassphrase - 1, salt,
                    crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return -1;
  }
  sodium_memzero(key, sizeof key);
  return t.nsecsElapsed() / 1e6;
}

// HomeScreen.show(page, params) as a click does it: no waiting.
bool Navigate(securebase::desktop::testing::AppWindow& window, const QString& page,
              const QVariantMap& params) {
  QObject* home = window.Find("homeScreen");
  return home != nullptr && QMetaObject::invokeMethod(home, "show", Q_ARG(QVariant, page),
                                                      Q_ARG(QVariant, QVariant(params)));
}

// Waits for `ready`, then for the next frame (the one that shows it).
bool UntilShown(securebase::desktop::testing::AppWindow& window,
                const std::function<bool()>& ready) {
  if (!QTest::qWaitFor(ready, 60000)) return false;
  const int frames = window.frames();
  window.window()->update();
  return QTest::qWaitFor([&] { return window.frames() > frames; }, 5000);
}

bool UntilIdle(Session& session) {
  return QTest::qWaitFor([&] { return session.pendingCalls() == 0; }, 60000);
}

}  // namespace

int main(int argc, char** argv) {
  PrepareEnvironment();
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  RegisterQmlTypes();
  if (sodium_init() < 0) return 1;

  // The seeding sends 10,365 items as fast as they go: no rate limit.
  it::ServerProcess server(
      it::WithFlags({"--rate-limit-rps=1000000", "--rate-limit-burst=1000000"}));
  if (!Check(static_cast<bool>(server.Start()), "server did not start")) return 1;
  QTemporaryDir homes;
  SettableClock alex_clock;
  auto options = [&](const QString& name, sc::PassphraseCost cost) {
    sc::ClientOptions o;
    o.home = homes.filePath(name).toStdString();
    o.server_address = server.address();
    o.insecure_loopback = true;
    o.passphrase_cost = cost;
    // Seeding only: one database open for all the sends (the app's Session
    // uses the default, kPerCall).
    o.vault_access = sc::VaultAccess::kExclusive;
    return o;
  };
  // The therapist's vault has the real (MODERATE) cost; the clients' are cheap.
  auto therapist = sc::Client::Create(options("therapist", sc::PassphraseCost::kModerate),
                                      kPassphrase, sc::Role::kTherapist, "Dr Rivera");
  auto sam = sc::Client::Create(options("sam", sc::PassphraseCost::kMinimumForTests), kPassphrase,
                                sc::Role::kClient, "Sam");
  sc::ClientOptions alex_options = options("alex", sc::PassphraseCost::kMinimumForTests);
  alex_clock.Set(QDateTime::currentMSecsSinceEpoch());
  alex_options.clock = &alex_clock;
  auto alex = sc::Client::Create(alex_options, kPassphrase, sc::Role::kClient, "Alex");
  if (!Check(therapist.ok() && sam.ok() && alex.ok(), "cannot create accounts")) return 1;
  for (auto* client : {&sam, &alex}) {
    auto code = (*therapist)->CreateInvite(std::chrono::hours(1));
    if (!Check(code.ok() && (**client)->AcceptInvite(*code).ok(), "cannot link")) return 1;
  }
  std::fprintf(stderr, "desktop_bench: sending %d items and a year of check-ins...\n", kItems);
  for (int i = 0; i < kItems; ++i) {
    sc::Result<std::string> sent = std::string();
    if (i % 10 == 3) {
      sc::CheckIn c;
      c.mood = static_cast<uint32_t>(i % 11);
      c.emotions = {{"sad", 40}};
      c.note = "check-in " + std::to_string(i);
      sent = (*sam)->SendCheckIn("Dr Rivera", c);
    } else {
      sent = (*sam)->SendText("Dr Rivera", "message " + std::to_string(i) + " of the benchmark");
    }
    if (!sent.ok()) {
      std::fprintf(stderr, "desktop_bench: send %d failed: %s\n", i,
                   sent.status().message().c_str());
      return 1;
    }
  }
  // Alex: a check-in a day for a year, each sent on its day.
  for (const sc::HistoryItem& item :
       securebase::desktop::testing::DailyCheckIns("", kYear, QDateTime::currentDateTime())) {
    alex_clock.Set(item.sent_at_unix_ms);
    if (!Check((*alex)->SendCheckIn("Dr Rivera", std::get<sc::CheckIn>(item.content)).ok(),
               "a check-in failed")) {
      return 1;
    }
  }
  for (int synced = 0; synced < kItems + kYear;) {
    auto r = (*therapist)->Sync();
    if (!Check(r.ok(), "therapist sync failed")) return 1;
    if (r->new_items.empty()) break;
    synced += static_cast<int>(r->new_items.size());
  }
  const QString sam_id = QString::fromStdString((*sam)->user_id());
  const QString alex_id = QString::fromStdString((*alex)->user_id());
  therapist->reset();

  Session::Options session_options;
  session_options.home = homes.filePath("therapist");
  session_options.settings.server_address = QString::fromStdString(server.address());
  session_options.settings.insecure_loopback = true;
  Session session(session_options);
  securebase::desktop::testing::AppWindow window(&session);
  std::vector<double> floor_ms, unlock_ms, first_page_ms, all_rows_ms, dash_ms;
  // The library's part of each, read through a Client of its own.
  std::vector<double> open_ms, summaries_ms, ready_ms, first_page_read_ms, all_read_ms,
      year_read_ms;
  double rss = 0;
  sc::ClientOptions library_options = options("therapist", sc::PassphraseCost::kModerate);
  library_options.vault_access = sc::VaultAccess::kPerCall;  // As the app's.
  for (int run = 0; run < kRuns; ++run) {
    // The floor right before the unlock, so both see the same machine.
    floor_ms.push_back(ArgonUnwrapMs());
    QElapsedTimer t;
    // The library's part alone: Open (the unwrap and the vault) and the
    // contact list's one call.
    {
      t.start();
      auto opened = sc::Client::Open(library_options, kPassphrase);
      if (!Check(opened.ok(), "cannot open the vault")) return 1;
      open_ms.push_back(t.nsecsElapsed() / 1e6);
      t.restart();
      if (!Check((*opened)->ConversationSummaries().ok(), "no summaries")) return 1;
      summaries_ms.push_back(t.nsecsElapsed() / 1e6);
      t.restart();
      auto page =
          (*opened)->History(sam_id.toStdString(), {.limit = ConversationModel::kFirstPage});
      if (!Check(page.ok(), "no first page")) return 1;
      first_page_read_ms.push_back(t.nsecsElapsed() / 1e6);
      t.restart();
      if (!Check((*opened)->History(sam_id.toStdString()).ok(), "no history")) return 1;
      all_read_ms.push_back(t.nsecsElapsed() / 1e6);
      t.restart();
      if (!Check((*opened)->History(alex_id.toStdString()).ok(), "no year")) return 1;
      year_read_ms.push_back(t.nsecsElapsed() / 1e6);
    }
    t.restart();
    session.unlock(kPassphrase);
    if (!Check(QTest::qWaitFor([&] { return session.state() == Session::Ready; }, 60000),
               "unlock failed")) {
      return 1;
    }
    ready_ms.push_back(t.nsecsElapsed() / 1e6);
    if (!Check(UntilShown(window,
                          [&] {
                            return session.state() == Session::Ready &&
                                   session.contactsModel()->rowCount() == 2;
                          }),
               "unlock failed")) {
      return 1;
    }
    unlock_ms.push_back(t.nsecsElapsed() / 1e6);
    if (!Check(UntilIdle(session), "the overview's details never finished")) return 1;

    t.restart();
    Navigate(window, "conversation", {{"peerId", sam_id}});
    ConversationModel* conversation = session.conversationModel();
    if (!Check(UntilShown(window,
                          [&] {
                            return conversation->rowCount() >=
                                   static_cast<int>(ConversationModel::kFirstPage);
                          }),
               "conversation did not open")) {
      return 1;
    }
    first_page_ms.push_back(t.nsecsElapsed() / 1e6);
    if (!Check(UntilShown(
                   window,
                   [&] { return conversation->complete() && conversation->rowCount() >= kItems; }),
               "conversation did not load")) {
      return 1;
    }
    all_rows_ms.push_back(t.nsecsElapsed() / 1e6);
    if (!Check(UntilIdle(session), "the conversation never finished")) return 1;
    rss = std::max(rss, RssMiB());

    // Alex's dashboard over everything (a year of check-ins), from its vault.
    session.dashboardModel()->setRangeDays(0);
    t.restart();
    Navigate(window, "dashboard", {{"peerId", alex_id}});
    if (!Check(UntilShown(window,
                          [&] {
                            return !session.dashboardModel()->loading() &&
                                   session.dashboardModel()->moodPoints() == kYear;
                          }),
               "dashboard did not fill")) {
      return 1;
    }
    dash_ms.push_back(t.nsecsElapsed() / 1e6);
    if (!Check(UntilIdle(session), "the dashboard never finished")) return 1;
    session.lock();
    QTest::qWait(500);  // The live thread ends.
  }
  const double floor = Median(floor_ms), unlock = Median(unlock_ms);
  std::printf("| figure | measured | target | met |\n|---|---|---|---|\n");
  std::printf("| Argon2id unwrap alone (MODERATE) | %.0f ms | - | - |\n", floor);
  std::printf("| unlock to contact list (%d items) | %.0f ms (%.2fx) | <= 1.2x | %s |\n",
              kItems + kYear, unlock, unlock / floor, unlock / floor <= 1.2 ? "yes" : "no");
  std::printf(
      "| open a %d-item conversation: newest items on screen | %.0f ms | <= 200 ms | %s |\n",
      kItems, Median(first_page_ms), Median(first_page_ms) <= 200 ? "yes" : "no");
  std::printf("| the same: every row loaded (scroll-back) | %.0f ms | - | - |\n",
              Median(all_rows_ms));
  std::printf("| dashboard, a year of daily check-ins | %.0f ms | <= 200 ms | %s |\n",
              Median(dash_ms), Median(dash_ms) <= 200 ? "yes" : "no");
  std::printf("| resident memory, %d items loaded and on screen | %.0f MiB | <= 150 MiB | %s |\n",
              kItems, rss, rss <= 150 ? "yes" : "no");
  std::printf("\nThe library's part, through a Client of its own (kPerCall, as the app's):\n\n");
  std::printf("| call | ms |\n|---|---|\n");
  std::printf("| Client::Open (the unwrap, the account) | %.0f |\n", Median(open_ms));
  std::printf("| ConversationSummaries (the contact list) | %.0f |\n", Median(summaries_ms));
  std::printf("| the app: unlock() until Ready (both above, in the app) | %.0f |\n",
              Median(ready_ms));
  std::printf("| History, the newest %d of %d items | %.0f |\n",
              static_cast<int>(ConversationModel::kFirstPage), kItems, Median(first_page_read_ms));
  std::printf("| History, all %d items | %.0f |\n", kItems, Median(all_read_ms));
  std::printf("| History, a year of check-ins (%d items) | %.0f |\n", kYear, Median(year_read_ms));
  return 0;
}
