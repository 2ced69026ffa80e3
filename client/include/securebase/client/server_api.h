// The one interface through which a Client talks to the server: the wire
// API (proto/securebase/v1/*.proto) in plain C++ values. The library's own
// implementation speaks gRPC to ClientOptions::server_address; a test or an
// app may inject another through ClientOptions::server_api (the fake one is
// in tests/testing/fake_server_api.h).
//
// Everything here is what the server sees anyway: ids, public keys, opaque
// ciphertexts. User ids are the raw 16 bytes; keys and signatures raw bytes.
//
// Errors are client Status values with the meaning of the gRPC codes
// (status.h): kUnavailable when the server cannot be reached (retry later),
// kInvalidArgument, kNotFound, kPermissionDenied, kFailedPrecondition,
// kResourceExhausted, kUnauthenticated (the login itself failed), kInternal.
//
// Thread-safety: implementations must allow calls from several threads at
// once (during a Sync a Client fetches the next page on one thread, and
// acknowledges pages and sends their receipts on another, while it
// processes a page on the caller's).
#ifndef SECUREBASE_CLIENT_SERVER_API_H_
#define SECUREBASE_CLIENT_SERVER_API_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "securebase/client/export.h"
#include "securebase/client/role.h"
#include "securebase/client/status.h"

namespace securebase::crypto {
class DeviceAuthKeyPair;
}

namespace securebase::client {

// The size of every user id on the wire (raw bytes).
inline constexpr size_t kUserIdSize = 16;

struct ServerDevice {
  std::string user_id;  // 16 bytes.
  uint32_t device_id = 0;
  friend bool operator==(const ServerDevice&, const ServerDevice&) = default;
};

struct SignedPreKeyWire {
  uint32_t key_id = 0;
  std::string public_key;  // X25519, 32 bytes.
  std::string signature;   // Ed25519 by the identity key, 64 bytes.
};

struct OneTimePreKeyWire {
  uint32_t key_id = 0;
  std::string public_key;
};

struct RegisterRequest {
  Role role = Role::kClient;
  std::string identity_key;              // Ed25519 public key.
  std::string device_auth_key;           // Ed25519 public key.
  std::string device_binding_signature;  // Identity key over the device-auth key.
  SignedPreKeyWire signed_prekey;
  std::vector<OneTimePreKeyWire> one_time_prekeys;
  std::string registration_token;  // Empty unless therapist registration needs one.
};

struct Registration {
  std::string user_id;
  uint32_t device_id = 0;
};

struct DeviceBundle {
  uint32_t device_id = 0;
  SignedPreKeyWire signed_prekey;
  std::optional<OneTimePreKeyWire> one_time_prekey;  // Each handed out once.
  // The device's binding record (crypto device_binding.h) as the device
  // uploaded it; empty if it never did. Clients check it (the server could
  // invent a device, but not its binding).
  std::string device_binding;
};

// What this device publishes about itself (each part optional).
struct PreKeyUpload {
  std::optional<SignedPreKeyWire> signed_prekey;    // Replaces the current one.
  std::vector<OneTimePreKeyWire> one_time_prekeys;  // Added to the pool.
  std::string device_binding;  // This device's binding record; empty: unchanged.
};

struct PreKeyBundles {
  std::string identity_key;
  std::vector<DeviceBundle> devices;
};

struct Link {
  std::string peer_user_id;
  Role peer_role = Role::kClient;
  std::string peer_identity_key;
};

struct RedeemedInvite {
  Link link;
  std::string sealed_profile;  // Opaque to the server.
};

struct Envelope {
  uint64_t seq = 0;  // Per mailbox, strictly increasing.
  ServerDevice sender;
  int64_t server_timestamp_unix_ms = 0;
  std::string ciphertext;
};

struct EnvelopePage {
  std::vector<Envelope> envelopes;  // Ascending seq.
  bool more = false;                // More are waiting.
};

struct OutgoingCiphertext {
  ServerDevice recipient;
  std::string ciphertext;
};

struct SendRequest {
  std::string recipient_user_id;
  std::string client_message_id;  // 16 bytes; a retry with the same id is stored once.
  std::vector<OutgoingCiphertext> ciphertexts;
};

// The server's answer when the sender's view of the devices is out of date:
// nothing was stored.
struct DeviceMismatch {
  std::vector<ServerDevice> missing_devices;  // Exist, but had no ciphertext.
  std::vector<ServerDevice> stale_devices;    // Had a ciphertext, but do not exist.
};

struct SendOutcome {
  // Set when the send was refused for the device list (and nothing stored);
  // unset when it was stored.
  std::optional<DeviceMismatch> mismatch;
};

// A live subscription: stored envelopes first, then new ones as they arrive.
class SECUREBASE_EXPORT EnvelopeStream {
 public:
  virtual ~EnvelopeStream() = default;
  // Blocks for the next envelope: true with `out` filled, or false once the
  // stream ended (then call Finish).
  virtual bool Read(Envelope& out) = 0;
  // Makes a blocked Read return false soon. Safe from any thread.
  virtual void Cancel() = 0;
  // Blocks until the server has registered the subscription (so anything
  // stored from now on will be pushed), or the stream ended or was
  // cancelled. True when it was registered, as far as the transport tells
  // (a refusal may still end the stream at the next Read). The default
  // suits a stream that is registered once Subscribe returns.
  virtual bool WaitUntilRegistered() { return true; }
  // Why the stream ended: OK after Cancel (or when the server closed it
  // cleanly), kUnauthenticated when the login expired (subscribe again),
  // kUnavailable when the connection was lost.
  virtual Status Finish() = 0;
};

// --- Linked devices, provisioning and blobs (issue 12; the server side is
// documented in docs/SERVER.md, the formats in docs/LINKING.md).

struct DeviceInfo {
  uint32_t device_id = 0;
  std::string device_auth_key;  // Ed25519 public key.
  int64_t created_at_unix_ms = 0;
};

struct DeviceList {
  std::vector<DeviceInfo> devices;  // Ascending id.
  // The lowest id never used in the account: what a new device's binding names.
  uint32_t next_device_id = 0;
};

// What a new device sends to join an account (unauthenticated: the device
// binding, signed by the identity key it received in the provisioning
// message, is the authority).
struct AddDeviceRequest {
  std::string user_id;                   // The account it joins (16 bytes).
  std::string device_auth_key;           // Ed25519 public key.
  std::string device_binding_signature;  // Identity key over the device-auth key (v1).
  std::string device_binding;            // crypto's device binding record (125 bytes).
  SignedPreKeyWire signed_prekey;
  std::vector<OneTimePreKeyWire> one_time_prekeys;
};

// A new device waiting at its provisioning slot.
class SECUREBASE_EXPORT ProvisioningWait {
 public:
  virtual ~ProvisioningWait() = default;
  // Blocks until the server opened the slot (the code may be shown now), or
  // the wait ended. True when open.
  virtual bool WaitUntilOpen() = 0;
  // Blocks for the sealed provisioning message (once). kNotFound: the slot
  // expired (show a new code); kFailedPrecondition: it was used;
  // kAlreadyExists: another call waits on it; kResourceExhausted: too many
  // slots (retry later); kUnavailable: the connection dropped or Cancel was
  // called (wait again with the same channel id: a deposited message is
  // kept until the slot expires).
  virtual Result<std::string> Receive() = 0;
  // Makes a blocked call return soon. Safe from any thread.
  virtual void Cancel() = 0;
};

enum class BlobKind { kHistoryTransfer, kBackup };

// A new upload (resume_blob_id empty) or the rest of one (resume_blob_id and
// offset = its stored size).
struct BlobUpload {
  BlobKind kind = BlobKind::kHistoryTransfer;
  uint64_t total_size = 0;
  std::string read_capability;  // Optional, 32 bytes: lets others read it.
  std::string resume_blob_id;
  uint64_t offset = 0;
};

struct BlobInfo {
  std::string blob_id;  // 16 bytes.
  BlobKind kind = BlobKind::kHistoryTransfer;
  uint64_t total_size = 0;
  uint64_t stored_size = 0;
  bool complete = false;
  int64_t expires_at_unix_ms = 0;  // 0: none.
};

// The size of every blob piece but a blob's last (the server stores blobs in
// chunks of this size).
inline constexpr size_t kBlobPieceSize = 65536;

class SECUREBASE_EXPORT ServerApi {
 public:
  virtual ~ServerApi() = default;

  // The device that authenticated calls act for. `key` signs login
  // challenges (it must outlive this object; may be null for a fake);
  // `token` is a saved bearer token, or empty to log in at the first call.
  virtual void SetDevice(const std::string& user_id, uint32_t device_id,
                         const crypto::DeviceAuthKeyPair* key, std::string token) = 0;
  // The bearer token in use (empty before the first login), to save it.
  virtual std::string token() const = 0;

  // Unauthenticated.
  virtual Result<Registration> Register(const RegisterRequest& request) = 0;

  // Keys.
  virtual Result<uint32_t> GetPreKeyCount() = 0;
  virtual Status UploadPreKeys(const PreKeyUpload& upload) = 0;
  virtual Result<PreKeyBundles> GetPreKeyBundles(const std::string& user_id) = 0;

  // Care links.
  virtual Result<std::string> CreateInvite(uint32_t expires_in_seconds,
                                           const std::string& sealed_profile) = 0;
  virtual Result<RedeemedInvite> RedeemInvite(const std::string& invite_secret) = 0;
  virtual Result<std::vector<Link>> ListLinks() = 0;
  virtual Status EndLink(const std::string& peer_user_id) = 0;

  // Mailbox.
  virtual Result<SendOutcome> Send(const SendRequest& request) = 0;
  // Up to `limit` envelopes with seq > after_seq.
  virtual Result<EnvelopePage> Fetch(uint64_t after_seq, uint32_t limit) = 0;
  // Deletes every envelope up to and including `up_to_seq` that this device
  // was given.
  virtual Status Acknowledge(uint64_t up_to_seq) = 0;
  virtual Result<std::unique_ptr<EnvelopeStream>> Subscribe(uint64_t after_seq) = 0;

  // Linked devices. AddDevice is unauthenticated (the new device has no
  // token); it returns the new device's id. kPermissionDenied: the binding
  // is not the account's; kFailedPrecondition: its device id was used
  // (ask ListDevices for next_device_id); kResourceExhausted: device limit.
  virtual Result<uint32_t> AddDevice(const AddDeviceRequest& request) = 0;
  virtual Result<DeviceList> ListDevices() = 0;
  // kFailedPrecondition: this device itself; kNotFound: no such device. A
  // removed device's calls fail with kPermissionDenied.
  virtual Status RemoveDevice(uint32_t device_id) = 0;

  // Provisioning slots. WaitForProvisioning is unauthenticated (the new
  // device); DepositProvisioning needs this device's login. kNotFound: no
  // open slot; kFailedPrecondition: used.
  virtual Result<std::unique_ptr<ProvisioningWait>> WaitForProvisioning(
      const std::string& channel_id) = 0;
  virtual Status DepositProvisioning(const std::string& channel_id,
                                     const std::string& sealed_message) = 0;

  // Blobs. PutBlob sends `data` (the bytes from upload.offset on) in
  // kBlobPieceSize pieces; the answer says how much is stored (after a
  // failure, GetBlobInfo tells where to resume).
  virtual Result<BlobInfo> PutBlob(const BlobUpload& upload, const std::string& data) = 0;
  // Streams the blob from `offset` into `sink`, piece by piece (a sink error
  // ends the download with it). `read_capability` for a blob of another
  // account (or without a login: set no device). Returns the total size.
  virtual Result<uint64_t> GetBlob(const std::string& blob_id, uint64_t offset,
                                   const std::string& read_capability,
                                   const std::function<Status(const std::string& piece)>& sink) = 0;
  // An own blob by id, or (blob_id empty, kind kBackup) the newest backup.
  virtual Result<BlobInfo> GetBlobInfo(const std::string& blob_id, BlobKind kind) = 0;
  virtual Status DeleteBlob(const std::string& blob_id) = 0;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SERVER_API_H_
