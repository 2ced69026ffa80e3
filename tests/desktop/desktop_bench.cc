// Desktop benchmarks, all measured in one run against the real server on
// loopback (scripts/desktop-bench is `build/tests/desktop/desktop_bench`):
//   unlock_to_contacts   Session::unlock until the contact list is loaded
//                        (10,000 items in the vault), vs the bare Argon2id
//                        unwrap alone (crypto_pwhash with the vault's
//                        MODERATE parameters) -- target ratio <= 1.2
//   conversation_open    a 10,000-item conversation: openConversation until
//                        a frame with all rows in the model -- target <= 200 ms
//   dashboard_year       a year of daily check-ins: the dashboard computed and
//                        rendered (a frame swapped) -- target <= 200 ms
//   rss_10k              resident memory with the 10,000-item conversation
//                        open on screen -- target <= 150 MiB
// Medians of 5 runs; prints a Markdown table. Not run by ctest.
#include <sodium.h>

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
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

}  // namespace

int main(int argc, char** argv) {
  PrepareEnvironment();
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  RegisterQmlTypes();
  if (sodium_init() < 0) return 1;

  // The seeding sends 10,000 items as fast as they go: no rate limit.
  it::ServerProcess server(
      it::WithFlags({"--rate-limit-rps=1000000", "--rate-limit-burst=1000000"}));
  if (!Check(static_cast<bool>(server.Start()), "server did not start")) return 1;
  QTemporaryDir homes;
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
  // The therapist's vault has the real (MODERATE) cost; the client's is cheap.
  auto therapist = sc::Client::Create(options("therapist", sc::PassphraseCost::kModerate),
                                      kPassphrase, sc::Role::kTherapist, "Dr Rivera");
  auto client = sc::Client::Create(options("client", sc::PassphraseCost::kMinimumForTests),
                                   kPassphrase, sc::Role::kClient, "Sam");
  if (!Check(therapist.ok() && client.ok(), "cannot create accounts")) return 1;
  auto code = (*therapist)->CreateInvite(std::chrono::hours(1));
  if (!Check(code.ok() && (*client)->AcceptInvite(*code).ok(), "cannot link")) return 1;
  std::fprintf(stderr, "desktop_bench: sending %d items...\n", kItems);
  for (int i = 0; i < kItems; ++i) {
    sc::Result<std::string> sent = std::string();
    if (i % 10 == 3) {
      sc::CheckIn c;
      c.mood = static_cast<uint32_t>(i % 11);
      c.emotions = {{"sad", 40}};
      c.note = "check-in " + std::to_string(i);
      sent = (*client)->SendCheckIn("Dr Rivera", c);
    } else {
      sent = (*client)->SendText("Dr Rivera", "message " + std::to_string(i) + " of the benchmark");
    }
    if (!sent.ok()) {
      std::fprintf(stderr, "desktop_bench: send %d failed: %s\n", i,
                   sent.status().message().c_str());
      return 1;
    }
  }
  for (int synced = 0; synced < kItems;) {
    auto r = (*therapist)->Sync();
    if (!Check(r.ok(), "therapist sync failed")) return 1;
    if (r->new_items.empty()) break;
    synced += static_cast<int>(r->new_items.size());
  }
  const std::string client_id = (*client)->user_id();
  therapist->reset();

  // Floor: the Argon2id unwrap alone, with the vault's parameters.
  std::vector<double> floor_ms, unlock_ms, open_ms, dash_ms;
  for (int run = 0; run < kRuns; ++run) {
    unsigned char key[32], salt[crypto_pwhash_SALTBYTES] = {1};
    QElapsedTimer t;
    t.start();
    if (crypto_pwhash(key, sizeof key, kPassphrase, sizeof kPassphrase - 1, salt,
                      crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return 1;
    }
    floor_ms.push_back(t.nsecsElapsed() / 1e6);
  }

  Session::Options session_options;
  session_options.home = homes.filePath("therapist");
  session_options.settings.server_address = QString::fromStdString(server.address());
  session_options.settings.insecure_loopback = true;
  Session session(session_options);
  securebase::desktop::testing::AppWindow window(&session);
  double rss = 0;
  for (int run = 0; run < kRuns; ++run) {
    QElapsedTimer t;
    t.start();
    session.unlock(kPassphrase);
    if (!Check(QTest::qWaitFor([&] { return session.state() == Session::Ready; }, 60000),
               "unlock failed")) {
      return 1;
    }
    unlock_ms.push_back(t.nsecsElapsed() / 1e6);
    if (!Check(session.contactsModel()->rowCount() == 1, "no contact")) return 1;
    QTest::qWait(300);  // Let the live thread open before the next measurement.

    const QString peer = QString::fromStdString(client_id);
    const int frames_before = window.frames();
    t.restart();
    window.Show("conversation", {{"peerId", peer}});
    if (!Check(QTest::qWaitFor(
                   [&] {
                     return session.conversationModel()->rowCount() >= kItems &&
                            window.frames() > frames_before;
                   },
                   10000),
               "conversation did not open")) {
      return 1;
    }
    // The frame that shows the rows: the next one after the model filled.
    const int filled = window.frames();
    (void)QTest::qWaitFor([&] { return window.frames() > filled; }, 2000);
    open_ms.push_back(t.nsecsElapsed() / 1e6);
    rss = std::max(rss, RssMiB());

    // A year of daily check-ins on the dashboard.
    auto year =
        securebase::desktop::testing::DailyCheckIns(client_id, 365, QDateTime::currentDateTime());
    window.Show("overview");
    const int before = window.frames();
    t.restart();
    window.Show("dashboard", {{"peerId", peer}});
    session.dashboardModel()->setRangeDays(0);
    session.dashboardModel()->SetHistory(client_id, "Sam", std::move(year));
    (void)QTest::qWaitFor([&] { return window.frames() > before + 1; }, 5000);
    dash_ms.push_back(t.nsecsElapsed() / 1e6);
    session.lock();
    QTest::qWait(500);
  }
  const double floor = Median(floor_ms), unlock = Median(unlock_ms);
  std::printf("| figure | measured | target | met |\n|---|---|---|---|\n");
  std::printf("| Argon2id unwrap alone (MODERATE) | %.0f ms | - | - |\n", floor);
  std::printf("| unlock to contact list (%d items) | %.0f ms (%.2fx) | <= 1.2x | %s |\n", kItems,
              unlock, unlock / floor, unlock / floor <= 1.2 ? "yes" : "no");
  std::printf("| open a %d-item conversation | %.0f ms | <= 200 ms | %s |\n", kItems,
              Median(open_ms), Median(open_ms) <= 200 ? "yes" : "no");
  std::printf("| dashboard, a year of daily check-ins | %.0f ms | <= 200 ms | %s |\n",
              Median(dash_ms), Median(dash_ms) <= 200 ? "yes" : "no");
  std::printf("| resident memory, %d items on screen | %.0f MiB | <= 150 MiB | %s |\n", kItems, rss,
              rss <= 150 ? "yes" : "no");
  return 0;
}
