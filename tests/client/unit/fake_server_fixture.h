// Unit tests of the client's send and sync logic on the in-process fake
// server (tests/testing/fake_server_api.h): real library clients with real
// vaults in a temp directory, everything injected through ClientOptions (the
// fake server API, a settable clock, fault points).
//
// A BarePeer is an account whose device is played by the test itself with
// crypto's SessionCipher over the in-memory stores: the test owns its keys,
// so it can add devices, change its identity and read exactly what the
// library encrypted to it.
#ifndef SECUREBASE_TESTS_CLIENT_UNIT_FAKE_SERVER_FIXTURE_H_
#define SECUREBASE_TESTS_CLIENT_UNIT_FAKE_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "securebase/client/client.h"
#include "securebase/client/server_api.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/session_cipher.h"
#include "tests/server/unit/temp_dir.h"
#include "tests/testing/fake_server_api.h"
#include "tests/testing/in_memory_stores.h"

namespace securebase::client::testing {

using ::securebase::testing::FakeCall;
using ::securebase::testing::FakeServer;

inline constexpr char kPassphrase[] = "fake server unit tests";

class SettableClock final : public Clock {
 public:
  int64_t NowUnixMs() override { return now_; }
  void Set(int64_t now) { now_ = now; }

 private:
  std::atomic<int64_t> now_{1'800'000'000'000};
};

class ScriptedFaults final : public FaultInjector {
 public:
  void Set(std::function<bool(FaultPoint)> fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(fail);
  }
  bool ShouldFail(FaultPoint point) override {
    std::lock_guard<std::mutex> lock(mu_);
    return fail_ && fail_(point);
  }

 private:
  std::mutex mu_;
  std::function<bool(FaultPoint)> fail_;
};

// An account whose devices the test plays (see above).
class BarePeer {
 public:
  BarePeer(FakeServer& server, Role role);

  const std::string& user_id() const { return user_id_; }
  std::string user_id_hex() const;
  const crypto::IdentityKeyPair& identity() const { return *identity_; }

  // Adds a device on the server, its signed prekey and device binding signed
  // by this peer's identity (or, to play a lying server, by `signer`'s);
  // returns its id.
  uint32_t AddDevice(const crypto::IdentityKeyPair* signer = nullptr);
  // As a client: redeems a library therapist's invite code and introduces
  // itself from device 1 with a profile carrying the invite proof, as the
  // library does. False (with ADD_FAILURE) if something failed.
  bool AcceptInvite(const std::string& code, const std::string& name);
  // As a therapist: an invite code (v2) naming it `name`.
  std::string CreateInvite(const std::string& name);
  // The contents (serialized content.proto) of everything waiting for
  // `device`, decrypted in order; "" for a message that did not decrypt.
  std::vector<std::string> Receive(uint32_t device);
  // The texts among Receive's contents.
  std::vector<std::string> ReceiveTexts(uint32_t device);

 private:
  struct Device {
    std::unique_ptr<crypto::DeviceAuthKeyPair> auth;
    std::unique_ptr<securebase::testing::InMemorySessionStore> sessions;
    std::unique_ptr<securebase::testing::InMemoryPreKeyStore> prekeys;
    std::unique_ptr<securebase::testing::InMemoryIdentityStore> identities;
    std::unique_ptr<crypto::SessionCipher> cipher;
  };
  Device& NewDevice(uint32_t id, std::vector<OneTimePreKeyWire>* otks);
  // A device-bound signed prekey and binding for device `id`, signed by
  // `signer`, published on the fake server.
  void PublishDeviceKeys(uint32_t id, const crypto::IdentityKeyPair& signer);
  // A connection acting for device `id`.
  std::unique_ptr<ServerApi> Connection(uint32_t id);

  FakeServer& server_;
  std::unique_ptr<crypto::IdentityKeyPair> identity_;
  std::string user_id_;
  std::map<uint32_t, Device> devices_;
  uint32_t next_prekey_id_ = 1;
};

class FakeServerTest : public ::testing::Test {
 protected:
  ClientOptions Options(const std::string& name);
  std::unique_ptr<Client> Create(Role role, const std::string& name,
                                 const std::function<void(ClientOptions&)>& tweak = {});
  std::unique_ptr<Client> Reopen(const std::string& name,
                                 const std::function<void(ClientOptions&)>& tweak = {});
  // Therapist invites, client accepts, therapist syncs.
  void Link(Client& therapist, Client& client);
  // A library therapist invites a bare client peer, which redeems the invite
  // and introduces itself with the invite proof; the therapist syncs and
  // learns it.
  void LinkBare(Client& therapist, BarePeer& peer);
  static std::string Raw(const std::string& hex);

  // Declared before the clients a test keeps, so they outlive them.
  FakeServer server_;
  SettableClock clock_;
  ScriptedFaults faults_;
  server::testing::TempDir temp_;
  std::vector<std::unique_ptr<ServerApi>> connections_;
};

// A therapist "T" and a client "C", linked: the pair most logic tests start
// from.
class LinkedPairTest : public FakeServerTest {
 protected:
  // `tweak` adjusts both clients' options.
  void SetUpPair(const std::function<void(ClientOptions&)>& tweak = {}) {
    therapist_ = Create(Role::kTherapist, "T", tweak);
    client_ = Create(Role::kClient, "C", tweak);
    ASSERT_TRUE(therapist_ && client_);
    ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  }
  std::string TherapistRaw() { return Raw(therapist_->user_id()); }

  std::unique_ptr<Client> therapist_;
  std::unique_ptr<Client> client_;
};

// The status as "code: message" for failure messages.
std::string Describe(const Status& status);
template <typename T>
std::string Describe(const Result<T>& result) {
  return result.ok() ? "OK" : Describe(result.status());
}

}  // namespace securebase::client::testing

#endif  // SECUREBASE_TESTS_CLIENT_UNIT_FAKE_SERVER_FIXTURE_H_
