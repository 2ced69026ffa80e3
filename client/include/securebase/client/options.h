// How a Client is opened: where its vault and server are, what it costs, and
// the seams a test or an app may inject (clock, randomness, fault points, the
// server API). Plain values with defaults; every pointer is non-owning and
// null by default, meaning "the system's".
#ifndef SECUREBASE_CLIENT_OPTIONS_H_
#define SECUREBASE_CLIENT_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "securebase/client/export.h"
#include "securebase/crypto/random.h"

namespace securebase::client {

class ServerApi;  // server_api.h

// Wall-clock time in milliseconds since the Unix epoch: message timestamps,
// "received at", token expiry. Implementations must be callable from the
// threads a Client uses for one call (it may fetch ahead on a second thread).
class SECUREBASE_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUnixMs() = 0;
};

// The system clock (std::chrono::system_clock). Thread-safe.
SECUREBASE_EXPORT Clock& SystemClock();

// Named points on the crash-safety critical paths (client.h's contract), in
// the order a received page passes them.
enum class FaultPoint {
  // A page of envelopes decrypted, its vault commit not yet made.
  kAfterDecryptBeforeCommit,
  // A Sync's page committed to the vault but not yet made durable (synced):
  // a crash here loses that commit as a power cut would, which is harmless
  // because nothing of it was acknowledged or sent.
  kAfterCommitBeforeSync,
  // The page committed durably, the server not yet told (acknowledged).
  kAfterCommitBeforeAcknowledge,
  // The page acknowledged, the delivered receipts it owes (committed to the
  // outbox with it) not yet sent.
  kAfterAcknowledgeBeforeReceipts,
  // A send's sessions and outbox entry committed, the send not yet made.
  kAfterCommitBeforeSend,
};
// "after-decrypt-before-commit", "after-commit-before-sync",
// "after-commit-before-ack", "after-ack-before-receipts",
// "after-commit-before-send". A static string.
SECUREBASE_EXPORT const char* FaultPointName(FaultPoint point);

// Called at every fault point. Returning true makes the operation fail there
// as if an I/O error happened (Sync and sends then report an error; nothing
// is lost). An implementation may also end the process there, which is how
// the crash tests prove the contract. Called from the threads a Client uses
// for one call (a Sync finishes pages on a thread of its own), possibly at
// the same time: implementations must be thread-safe.
class SECUREBASE_EXPORT FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  virtual bool ShouldFail(FaultPoint point) = 0;
};

// Argon2id cost for wrapping the vault key.
enum class PassphraseCost {
  kModerate,         // libsodium MODERATE (256 MiB). The default.
  kInteractive,      // libsodium INTERACTIVE (64 MiB).
  kMinimumForTests,  // Only for tests: offers no protection.
};

// How long a Client keeps its vault locked and its database open.
enum class VaultAccess {
  // For each call (a Sync, a send), then released: other processes on the
  // same home (a `sync --watch` beside a `send`) take turns. Each call pays
  // for opening the database (tens of milliseconds). The default.
  kPerCall,
  // From Create/Open until the Client is destroyed: for an app that stays
  // running and owns the home. Calls start at once; another process opening
  // the same home waits (lock_timeout) and then gets kVaultBusy.
  kExclusive,
};

struct ClientOptions {
  // Directory holding the vault. Created by Create() with mode 0700.
  std::string home;
  // host:port of the server (unused when server_api is given).
  std::string server_address = "127.0.0.1:50051";
  // PEM file of the CA that signed the server's certificate. Empty: the
  // system's trust store.
  std::string ca_file;
  // Plaintext transport. Refused unless server_address is a loopback address.
  bool insecure_loopback = false;
  // Deadline for each RPC.
  std::chrono::milliseconds rpc_timeout{10000};
  // How long a call waits for another process holding the vault.
  std::chrono::milliseconds lock_timeout{30000};
  // Cost for wrapping a new vault key (Create only; Open reads it from disk).
  PassphraseCost passphrase_cost = PassphraseCost::kModerate;
  VaultAccess vault_access = VaultAccess::kPerCall;
  // When the server reports fewer one-time prekeys than this, upload more.
  uint32_t prekey_low_watermark = 20;
  uint32_t prekey_batch = 50;

  // Injected seams; each must outlive the Client. Null: the system's.
  Clock* clock = nullptr;
  // Keys, nonces and message ids. Must be a cryptographically secure source
  // outside tests.
  crypto::RandomSource* random = nullptr;
  // Null: no fault points fire.
  FaultInjector* faults = nullptr;
  // Null: the gRPC connection to server_address (TLS unless
  // insecure_loopback). Must be safe to call from several threads at once
  // (server_api.h).
  ServerApi* server_api = nullptr;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_OPTIONS_H_
