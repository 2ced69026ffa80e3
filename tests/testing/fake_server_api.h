// An in-process fake of the server behind the client's ServerApi seam
// (securebase/client/server_api.h), for unit tests of the client's send and
// sync logic without a network. Tests only.
//
// It keeps what the real server keeps, with the same rules: accounts with
// their devices, prekey pools (each one-time prekey handed out once), invites
// and links, one mailbox per device with strictly increasing sequence
// numbers, sends that store a ciphertext per device atomically or not at all
// (refused with a device mismatch when the sender's device list is out of
// date, or when not linked), idempotent client message ids, and
// acknowledgements only up to what a device was given. Authentication is not
// modelled: a connection acts for the device SetDevice names.
//
// It also plays a failing or hostile server on demand: calls fail
// (FailNext), the server goes unreachable, and the state can be read and
// changed directly (devices added or removed, mailboxes inspected).
//
// Thread-safe: every connection may be used from several threads.
#ifndef SECUREBASE_TESTS_TESTING_FAKE_SERVER_API_H_
#define SECUREBASE_TESTS_TESTING_FAKE_SERVER_API_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "securebase/client/server_api.h"

namespace securebase::testing {

// The server's methods, to count and fail them.
enum class FakeCall {
  kRegister,
  kGetPreKeyCount,
  kUploadPreKeys,
  kGetPreKeyBundles,
  kCreateInvite,
  kRedeemInvite,
  kListLinks,
  kEndLink,
  kSend,
  kFetch,
  kAcknowledge,
  kSubscribe,
  kAddDevice,
  kListDevices,
  kRemoveDevice,
  kWaitForProvisioning,
  kDepositProvisioning,
  kPutBlob,
  kGetBlob,
  kGetBlobInfo,
  kDeleteBlob,
};

class FakeServer {
 public:
  FakeServer() = default;
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // A new connection (ClientOptions::server_api); it must not outlive the
  // server.
  std::unique_ptr<client::ServerApi> Connect();

  // --- failures
  // The next `times` calls of `call` fail with `status` and change nothing.
  void FailNext(FakeCall call, client::Status status, int times = 1);
  // While unreachable, every call fails with kUnavailable (and open streams end).
  void SetReachable(bool reachable);
  // Every stream open now ends with `status` (as when the server replaces a
  // device's subscription with a newer one, or shuts down).
  void EndStreams(client::Status status);
  // The next send is refused with this device mismatch, whatever it holds
  // (a lying server).
  void AnswerNextSendWith(client::DeviceMismatch mismatch);
  // The next send is stored, but its answer is lost: the caller sees
  // kUnavailable (and retries with the same client message id).
  void LoseNextSendAnswer();

  // --- inspection and direct changes (a test playing the server's operator)
  int calls(FakeCall call) const;
  // The envelopes waiting for a device, in order.
  std::vector<client::Envelope> Mailbox(const std::string& user_id, uint32_t device_id) const;
  // The highest seq a device was given (by Fetch or a stream); 0 if none.
  uint64_t GivenUpTo(const std::string& user_id, uint32_t device_id) const;
  // Every send the server stored (one per logical message), in order.
  std::vector<client::SendRequest> StoredSends() const;
  // Adds a device to an account with the given (public) prekeys; returns its id.
  uint32_t AddDevice(const std::string& user_id, client::SignedPreKeyWire signed_prekey,
                     std::vector<client::OneTimePreKeyWire> one_time_prekeys);
  // Applies `upload` to a device as its own UploadPreKeys would (its signed
  // prekey, one-time prekeys, binding), without any check.
  void SetDeviceKeys(const std::string& user_id, uint32_t device_id,
                     const client::PreKeyUpload& upload);
  void RemoveDevice(const std::string& user_id, uint32_t device_id);
  // Links two accounts as a redeemed invite would.
  void LinkAccounts(const std::string& therapist, const std::string& client_id);
  // Replaces what the server states an account's identity key is.
  void SetIdentityKey(const std::string& user_id, const std::string& identity_key);
  // Stores an envelope as if `sender` had sent it (a forged or replayed one).
  void Inject(const std::string& user_id, uint32_t device_id, const client::ServerDevice& sender,
              const std::string& ciphertext);
  size_t one_time_prekeys(const std::string& user_id, uint32_t device_id) const;

  // The most envelopes one Fetch returns (the real server's cap is 1000).
  void set_page_limit(uint32_t limit) { page_limit_ = limit; }
  // The time stamped on envelopes.
  void set_now_unix_ms(int64_t now) { now_unix_ms_ = now; }
  // --max-devices-per-account (the real server's default is 5).
  void set_max_devices(uint32_t max) { max_devices_ = max; }
  // Ends every provisioning slot (as when it expires): waiters get kNotFound.
  void ExpireProvisioningSlots();
  // The sealed provisioning message deposited into a slot and not yet
  // received; nullopt if none (a test playing a server that swaps it can
  // then ReplaceProvisioningMessage).
  std::optional<std::string> ProvisioningMessage(const std::string& channel_id) const;
  void ReplaceProvisioningMessage(const std::string& channel_id, std::string message);
  // A stored blob's bytes as the server keeps them (nullopt if none).
  std::optional<std::string> BlobBytes(const std::string& blob_id) const;
  void ReplaceBlobBytes(const std::string& blob_id, std::string bytes);

 private:
  friend class FakeConnection;
  friend class FakeStream;
  friend class FakeProvisioningWait;

  struct Device {
    client::SignedPreKeyWire signed_prekey;
    std::string device_binding;
    std::deque<client::OneTimePreKeyWire> one_time_prekeys;
    std::deque<client::Envelope> mailbox;
    uint64_t next_seq = 1;
    uint64_t given_up_to = 0;
  };
  struct Account {
    client::Role role = client::Role::kClient;
    std::string identity_key;
    std::map<uint32_t, Device> devices;
    uint32_t next_device_id = 1;
    std::map<uint32_t, std::string> device_auth_keys;  // Devices added with AddDevice.
  };
  struct Slot {
    std::optional<std::string> message;
    bool waiting = false;
    bool used = false;
    bool expired = false;
  };
  struct Blob {
    std::string owner;
    client::BlobKind kind = client::BlobKind::kHistoryTransfer;
    uint64_t total_size = 0;
    std::string data;
    std::string read_capability;
  };
  struct Invite {
    std::string therapist;
    std::string sealed_profile;
  };
  using Address = std::pair<std::string, uint32_t>;

  static void Apply(Device& device, const client::PreKeyUpload& upload);
  // Under mu_: an injected failure for `call`, or the unreachable status.
  std::optional<client::Status> Failure(FakeCall call);
  Device* FindDevice(const Address& address);
  bool Linked(const std::string& a, const std::string& b) const;
  void Deliver(const Address& to, const client::ServerDevice& from, const std::string& ciphertext);

  mutable std::mutex mu_;
  std::condition_variable changed_;  // A mailbox grew, or reachability changed.
  std::map<std::string, Account> accounts_;
  std::map<std::string, Invite> invites_;
  std::set<std::pair<std::string, std::string>> links_;               // (therapist, client).
  std::set<std::pair<std::string, std::string>> stored_message_ids_;  // (sender, id).
  std::vector<client::SendRequest> stored_sends_;
  std::map<FakeCall, std::deque<client::Status>> failures_;
  std::deque<client::DeviceMismatch> forced_mismatches_;
  int lost_send_answers_ = 0;
  std::map<FakeCall, int> calls_;
  bool reachable_ = true;
  uint64_t next_stream_ = 0;          // Numbers the streams as they open.
  uint64_t streams_ended_below_ = 0;  // Streams numbered below end with:
  client::Status streams_ended_with_;
  uint64_t next_user_ = 1;
  int64_t now_unix_ms_ = 1'800'000'000'000;
  std::atomic<uint32_t> page_limit_{1000};
  uint32_t max_devices_ = 5;
  std::set<Address> removed_;          // Removed devices: their calls are refused.
  std::map<std::string, Slot> slots_;  // Provisioning slots by channel id.
  std::map<std::string, Blob> blobs_;  // By blob id.
  uint64_t next_blob_ = 1;
};

}  // namespace securebase::testing

#endif  // SECUREBASE_TESTS_TESTING_FAKE_SERVER_API_H_
