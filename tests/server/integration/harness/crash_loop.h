// A crash loop: concurrent senders against a securebase-server that is
// SIGKILLed at random moments and restarted on the same data dir, then a
// check that every acknowledged send is delivered exactly once.
//
// RunCrashLoop() starts its own ServerProcess, registers therapists and
// clients (each client linked to one therapist) and runs one sender thread
// per client. Each send has a fresh client message id and a ciphertext that
// names the sender and its sequence number. A send that gets no OK answer
// (the server died under it, or it answered with an error) is retried with
// the SAME request, so the same client message id, until it is answered OK;
// sends still unanswered when the last cycle ends are retried by the
// controller after the final restart. Then the mailbox of every therapist
// device is fetched and compared with the ledger of sends.
//
// Randomness (kill moments, downtime) comes from a seeded std::mt19937_64;
// the seed is printed. The seed reproduces the schedule, not the thread
// interleaving, so a failure is not guaranteed to reproduce exactly.
//
// Thread-safety: calls of RunCrashLoop() share no state; each runs its own
// server and threads.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_CRASH_LOOP_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_CRASH_LOOP_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

#include "tests/server/integration/harness/server_process.h"

namespace securebase::integration {

struct CrashLoopOptions {
  // Kill/restart cycles.
  int cycles = 3;
  // Accounts. Each client is linked to therapist (client index % therapists)
  // and has its own sender thread.
  int therapists = 2;
  int clients = 4;
  // Devices per therapist: each send carries one ciphertext per device, all
  // stored in one write, so a crash must leave all of them or none.
  int therapist_devices = 2;
  // Time the server runs under load before each SIGKILL: uniform in
  // [min_run, max_run] (microsecond resolution).
  std::chrono::milliseconds min_run{300};
  std::chrono::milliseconds max_run{1200};
  // Time between the SIGKILL and the next start: uniform in [0, max_down].
  std::chrono::milliseconds max_down{100};
  // Load after the last restart before the senders stop.
  std::chrono::milliseconds final_run{300};
  // Deadline of each Send RPC. Short, so a hung server fails quickly.
  std::chrono::milliseconds send_deadline{5000};
  // 0: draw one from std::random_device. Printed either way.
  uint64_t seed = 0;
  // The server's options. Default: --sync-writes on (the server's default)
  // and rate limits out of the way of the senders.
  ServerOptions server = WithFlags({"--rate-limit-rps=1000000", "--rate-limit-burst=1000000"});
  // Progress and the report go here; nullptr: nowhere.
  std::ostream* log = nullptr;
};

struct CrashLoopReport {
  uint64_t seed = 0;
  int cycles = 0;            // SIGKILL + restart cycles completed.
  int64_t attempted = 0;     // Distinct sends (client message ids) tried.
  int64_t acknowledged = 0;  // Sends answered OK (first try or a retry).
  int64_t retried = 0;       // Sends that needed at least one retry.
  int64_t retry_rpcs = 0;    // Send RPCs that were retries.
  // Retried sends the killed server had stored before it died (their OK
  // answer, from the idempotency record, carries a server timestamp from
  // before the first failed attempt ended): the answer was lost, not the send.
  int64_t retried_stored_before_kill = 0;
  int64_t unresolved = 0;  // Sends never answered OK (should be 0).
  int64_t delivered = 0;   // Distinct sends with every copy in the mailboxes.
  int64_t partial = 0;     // Sends with some copies stored, not all (should be 0).
  int64_t duplicates = 0;  // Extra copies of a send found (should be 0).
  int64_t lost = 0;        // Acknowledged sends with a copy missing (should be 0).
  int64_t strays = 0;      // Envelopes matching no send (should be 0).
  // Acknowledged sends whose envelope carries another server timestamp than
  // the OK answer (a retry not answered with the first answer).
  int64_t timestamp_mismatches = 0;
  // Failed Send RPCs by status code name ("UNAVAILABLE", ...).
  std::map<std::string, int64_t> failures_by_code;
  // Up to a few examples of lost / duplicated / stray ciphertexts.
  std::string examples;

  // Zero lost, duplicates, partial, strays, unresolved and timestamp
  // mismatches.
  bool Clean() const {
    return lost == 0 && duplicates == 0 && partial == 0 && strays == 0 && unresolved == 0 &&
           timestamp_mismatches == 0;
  }
  // One line per figure, "name value".
  std::string ToString() const;
};

// Runs the loop described above. Failure: the server could not be started
// or restarted, accounts could not be set up, or the mailboxes could not be
// fetched; the report is then partial. Lost or duplicated sends are NOT a
// failure of this call: they are in `*report` (see Clean()).
::testing::AssertionResult RunCrashLoop(const CrashLoopOptions& options, CrashLoopReport* report);

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_CRASH_LOOP_H_
