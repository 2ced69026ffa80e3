// Test accounts that talk to a running server through the wire API with real
// keys: an identity key pair, per-device device-auth keys, signed prekeys and
// one-time prekeys from securebase_crypto.
//
// Thread-safety: an Api may be shared by any number of threads. A TestAccount
// is driven by one thread at a time; its const methods (Context, MakeSend,
// Send, Fetch, ...) may run concurrently once the account is set up.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TEST_ACCOUNT_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TEST_ACCOUNT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "securebase/crypto/keys.h"
#include "securebase/v1/accounts.grpc.pb.h"
#include "securebase/v1/keys.grpc.pb.h"
#include "securebase/v1/links.grpc.pb.h"
#include "securebase/v1/messages.grpc.pb.h"

namespace securebase::integration {

namespace v1 = ::securebase::v1;

// The four service stubs over one channel.
struct Api {
  explicit Api(std::shared_ptr<grpc::Channel> channel);
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Accounts::Stub> accounts;
  std::unique_ptr<v1::Keys::Stub> keys;
  std::unique_ptr<v1::Links::Stub> links;
  std::unique_ptr<v1::Messages::Stub> messages;
};

// A client context with the kRpcTimeout deadline and, when `token` is not
// empty, the metadata `authorization: Bearer <token>`.
std::unique_ptr<grpc::ClientContext> MakeContext(const std::string& token = "");
// Same, with a raw `authorization` value (for malformed headers).
std::unique_ptr<grpc::ClientContext> MakeContextWithAuthorization(const std::string& value);

// Byte helpers.
std::string RandomBytes(size_t n);
std::string Hex(const std::string& bytes);
// The bytes of Hex()'s output (lowercase digits); nullopt for anything else.
std::optional<std::string> FromHex(const std::string& hex);
std::string ToString(crypto::ByteSpan bytes);
template <typename Fixed>
std::string KeyBytes(const Fixed& key) {
  return ToString(key.span());
}
v1::DeviceAddress Address(const std::string& user_id, uint32_t device_id);
// "user-hex/device" for messages and set keys.
std::string AddressString(const v1::DeviceAddress& address);

// The ciphertext MakeSend() puts in for `target`: `base` followed by the
// target address, so every copy of a logical message is distinguishable.
std::string TargetCiphertext(const std::string& base, const v1::DeviceAddress& target);

struct TestDevice {
  uint32_t id = 0;  // 0 until the server assigned one.
  crypto::DeviceAuthKeyPair auth;
  crypto::SignedPreKey signed_prekey;
  // Every one-time prekey generated for this device (uploaded or not).
  std::vector<crypto::OneTimePreKey> one_time_prekeys;
  uint32_t next_prekey_id = 1;
  std::string token;  // Empty until logged in.
};

class TestAccount {
 public:
  // Generates the identity and a first device with `one_time_prekeys`
  // one-time prekeys. Sends nothing.
  TestAccount(std::shared_ptr<Api> api, v1::Role role, int one_time_prekeys = 5);

  // Generates keys, registers and logs in device 0. On failure: ADD_FAILURE()
  // with the reason, and nullptr.
  static std::unique_ptr<TestAccount> Create(std::shared_ptr<Api> api, v1::Role role,
                                             int one_time_prekeys = 5,
                                             const std::string& registration_token = "");

  // --- Building requests (no RPC) ---
  v1::NewDevice NewDeviceProto(size_t device_index) const;
  v1::RegisterRequest MakeRegisterRequest(const std::string& registration_token = "") const;
  // Generates keys for a device that is not registered yet; returns its index.
  size_t GenerateDevice(int one_time_prekeys);
  // `signer`'s device binding record for device `device_index` under the id
  // `device_id` in this account (signer: this account's identity when null).
  std::string DeviceBinding(size_t device_index, uint32_t device_id,
                            const crypto::IdentityKeyPair* signer = nullptr) const;
  // An AddDevice request for device `device_index` as the new device sends
  // it: user_id set, binding for `device_id` (no token needed).
  v1::AddDeviceRequest MakeAddDeviceRequest(size_t device_index, uint32_t device_id) const;
  // A fresh one-time prekey for `device_index`, remembered on the device.
  v1::OneTimePreKey NewOneTimePreKey(size_t device_index);
  // A new signed prekey (signed by this identity) with a fresh id.
  v1::SignedPreKey NewSignedPreKey(size_t device_index);
  // One ciphertext for every device of `recipient` and every other device of
  // this account (TargetCiphertext(base, target) each), random message id.
  v1::SendRequest MakeSend(const TestAccount& recipient, const std::string& base,
                           size_t from_device = 0) const;

  // --- RPCs ---
  // Registers (device 0). Sets user_id and device 0's id.
  grpc::Status Register(const std::string& registration_token = "",
                        v1::RegisterResponse* response = nullptr);
  // Generates and adds a device as a linked device does (ListDevices with
  // device 0's token for the next id, then AddDevice with user_id and a
  // binding, without a token), then logs it in. `*index` gets its index.
  grpc::Status AddDevice(int one_time_prekeys = 5, size_t* index = nullptr);
  // ListDevices' next_device_id, asked with device 0's token.
  grpc::Status NextDeviceId(uint32_t* next) const;
  // RemoveDevice(device `device_index`'s id) with device `by_index`'s token.
  grpc::Status RemoveDevice(size_t device_index, size_t by_index = 0);
  // GetChallenge + Authenticate; stores the token on the device.
  grpc::Status Login(size_t device_index = 0, v1::AuthenticateResponse* response = nullptr);
  // Revokes the device's token and forgets it.
  grpc::Status Logout(size_t device_index = 0);
  grpc::Status UploadOneTimePreKeys(size_t device_index, int count,
                                    v1::UploadPreKeysResponse* response = nullptr);
  grpc::Status Send(const TestAccount& recipient, const std::string& base, size_t from_device = 0,
                    v1::SendResponse* response = nullptr) const;
  grpc::Status SendRequest(const v1::SendRequest& request, size_t from_device = 0,
                           v1::SendResponse* response = nullptr) const;
  grpc::Status Fetch(size_t device_index, uint64_t after_seq, uint32_t limit,
                     v1::FetchResponse* response) const;
  // Fetches pages until `more` is false.
  grpc::Status FetchAll(size_t device_index, uint64_t after_seq,
                        std::vector<v1::Envelope>* envelopes) const;
  grpc::Status Acknowledge(size_t device_index, uint64_t up_to_seq,
                           v1::AcknowledgeResponse* response = nullptr) const;
  grpc::Status ListLinks(v1::ListLinksResponse* response, size_t device_index = 0) const;
  grpc::Status GetPreKeyBundles(const std::string& user_id, v1::GetPreKeyBundlesResponse* response,
                                size_t device_index = 0) const;
  grpc::Status GetPreKeyCount(size_t device_index, uint32_t* count) const;

  // --- State ---
  std::unique_ptr<grpc::ClientContext> Context(size_t device_index = 0) const;
  Api& api() const { return *api_; }
  // Points the account at another server (e.g. after a restart on a new
  // port). Tokens are kept; log in again if the new server does not know them.
  void set_api(std::shared_ptr<Api> api) { api_ = std::move(api); }
  std::shared_ptr<Api> shared_api() const { return api_; }
  v1::Role role() const { return role_; }
  const std::string& user_id() const { return user_id_; }
  const crypto::IdentityKeyPair& identity() const { return identity_; }
  std::string identity_key() const { return KeyBytes(identity_.public_key()); }
  size_t device_count() const { return devices_.size(); }
  TestDevice& device(size_t index) { return devices_.at(index); }
  const TestDevice& device(size_t index) const { return devices_.at(index); }
  uint32_t device_id(size_t index) const { return devices_.at(index).id; }
  const std::string& token(size_t index = 0) const { return devices_.at(index).token; }
  v1::DeviceAddress address(size_t index) const { return Address(user_id_, device_id(index)); }
  // Devices the server knows (id != 0).
  std::vector<v1::DeviceAddress> RegisteredAddresses() const;

 private:
  std::shared_ptr<Api> api_;
  v1::Role role_;
  crypto::IdentityKeyPair identity_;
  std::string user_id_;
  std::vector<TestDevice> devices_;
};

// Therapist creates an invite (with `sealed_profile`), client redeems it.
grpc::Status LinkAccounts(TestAccount& therapist, TestAccount& client,
                          const std::string& sealed_profile = "",
                          v1::RedeemInviteResponse* response = nullptr);

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TEST_ACCOUNT_H_
