#include "account.h"

#include <utility>
#include <vector>

#include "grpc_server_api.h"
#include "prekey_rotation.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

using crypto::AsBytes;
using crypto::AsStringView;

SignedPreKeyWire ToWire(const crypto::SignedPreKey& key) {
  return SignedPreKeyWire{key.id, std::string(AsStringView(key.key.public_key().span())),
                          std::string(AsStringView(key.signature.span()))};
}

OneTimePreKeyWire ToWire(const crypto::OneTimePreKey& key) {
  return OneTimePreKeyWire{key.id, std::string(AsStringView(key.key.public_key().span()))};
}

// The server API the options ask for: the injected one, or gRPC.
Result<std::unique_ptr<ServerApi>> OwnedServerApi(const ClientOptions& options) {
  if (options.server_api != nullptr) return std::unique_ptr<ServerApi>();
  return ConnectGrpcServerApi(options);
}

crypto::RandomSource& RandomOf(const ClientOptions& options) {
  return options.random != nullptr ? *options.random : crypto::SystemRandom();
}

// The seeds of the account's keys leave their SecureBuffers only here, into
// the account record that is sealed into the vault.
void SetSeeds(records::Account& account, const crypto::IdentityKeyPair& identity,
              const crypto::DeviceAuthKeyPair& device_key) {
  account.set_identity_seed(std::string(AsStringView(identity.ExportSeed().span())));
  account.set_device_auth_seed(std::string(AsStringView(device_key.ExportSeed().span())));
}

}  // namespace

Result<std::unique_ptr<ClientCore>> CreateAccount(const ClientOptions& options,
                                                  std::string_view passphrase, Role role,
                                                  std::string_view display_name,
                                                  std::string_view registration_token) {
  if (Status problem = ValidateContent(Profile{std::string(display_name), std::nullopt});
      display_name.empty() || !problem.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "the name must be 1 to 128 bytes of printable text" +
                      (problem.ok() ? std::string() : " (" + problem.message() + ")"));
  }
  if (options.home.empty()) return Status(ErrorCode::kInvalidArgument, "no home directory given");
  SB_ASSIGN_OR_RETURN(std::unique_ptr<ServerApi> owned_server, OwnedServerApi(options));
  ServerApi& server = owned_server != nullptr ? *owned_server : *options.server_api;
  crypto::RandomSource& rng = RandomOf(options);
  SB_ASSIGN_OR_RETURN(
      std::unique_ptr<Vault> vault,
      Vault::Create(options.home, passphrase, options.passphrase_cost, options.lock_timeout, rng));
  crypto::IdentityKeyPair identity = crypto::IdentityKeyPair::Generate(rng);
  crypto::DeviceAuthKeyPair device_key = crypto::DeviceAuthKeyPair::Generate(rng);
  // Registration needs a signed prekey before the account's user id exists, so
  // this one cannot be device-bound: peers refuse it, and it is never kept.
  // The first device-bound one (PrepareDeviceKeys) replaces it right after.
  crypto::SignedPreKey registration_prekey = crypto::SignedPreKey::Generate(identity, 1, rng);
  std::vector<crypto::OneTimePreKey> one_time;
  for (uint32_t id = 1; id <= options.prekey_batch; ++id) {
    one_time.push_back(crypto::OneTimePreKey::Generate(id, rng));
  }

  RegisterRequest request;
  request.role = role;
  request.identity_key = std::string(AsStringView(identity.public_key().span()));
  request.device_auth_key = std::string(AsStringView(device_key.public_key().span()));
  request.device_binding_signature = std::string(
      AsStringView(crypto::SignDeviceBinding(identity, device_key.public_key()).span()));
  request.signed_prekey = ToWire(registration_prekey);
  for (const auto& key : one_time) request.one_time_prekeys.push_back(ToWire(key));
  request.registration_token = std::string(registration_token);
  Result<Registration> registered = server.Register(request);
  if (registered.ok() &&
      (registered->user_id.size() != kUserIdSize || registered->device_id == 0)) {
    registered = Status(ErrorCode::kInvalidServerResponse,
                        "register: the server answered with a malformed account id");
  }
  if (!registered.ok()) {
    vault.reset();
    Vault::RemoveIncomplete(options.home);
    return registered.status();
  }

  records::Account account;
  account.set_role(static_cast<uint32_t>(role));
  account.set_user_id(registered->user_id);
  account.set_device_id(registered->device_id);
  account.set_display_name(std::string(display_name));
  account.set_next_one_time_prekey_id(options.prekey_batch + 1);
  records::Contact self;
  self.set_user_id(registered->user_id);
  self.set_identity_key(std::string(AsStringView(identity.public_key().span())));
  self.set_linked(true);
  auto core = std::make_unique<ClientCore>(options, std::move(vault), std::move(owned_server),
                                           account, std::move(identity), std::move(device_key), "");
  SB_RETURN_IF_ERROR(core->Transact([&](Stores& stores) -> Status {
    records::Account stored = account;
    SetSeeds(stored, core->identity(), core->device_key());
    stores.account().Store(stored);
    WipeSeeds(stored);
    stores.contacts().CreateSelf(self);
    PrepareDeviceKeys(*core, stores);
    for (const auto& key : one_time) stores.prekeys().StoreOneTimePreKey(key);
    return Status::Ok();
  }));
  SB_RETURN_IF_ERROR(core->HoldIfExclusive());
  // Publishes the device-bound signed prekey and the binding. If the server
  // is gone again already, the first sync does it: peers cannot start a
  // session with this device before then, and nothing is lost.
  MaintainSignedPreKeys(*core, Rotation::kIfDue).IgnoreError();
  core->PersistTokenIfChanged();
  return core;
}

namespace {

// Open's work once the vault key is unwrapped: the account and its keys.
Result<std::unique_ptr<ClientCore>> OpenWithVault(const ClientOptions& options,
                                                  std::unique_ptr<Vault> vault) {
  std::optional<records::Account> account;
  std::string token;
  const int64_t now = (options.clock != nullptr ? *options.clock : SystemClock()).NowUnixMs();
  SB_RETURN_IF_ERROR(vault->Transact([&](VaultTransaction& txn) -> Status {
    AccountStore store(txn);
    SB_ASSIGN_OR_RETURN(account, store.Load());
    SB_ASSIGN_OR_RETURN(std::optional<records::Token> saved, store.LoadToken());
    if (saved && saved->expires_at_unix_ms() > now) token = saved->token();
    return Status::Ok();
  }));
  if (!account) {
    return Status(ErrorCode::kVaultCorrupted,
                  "the vault in " + options.home +
                      " was never finished (init was interrupted); remove it and run init again");
  }
  auto identity = crypto::IdentityKeyPair::FromSeed(AsBytes(account->identity_seed()));
  auto device_key = crypto::DeviceAuthKeyPair::FromSeed(AsBytes(account->device_auth_seed()));
  WipeSeeds(*account);
  if (!identity.ok() || !device_key.ok()) {
    return Status(ErrorCode::kVaultCorrupted, "the vault's account keys are damaged");
  }
  SB_ASSIGN_OR_RETURN(std::unique_ptr<ServerApi> owned_server, OwnedServerApi(options));
  auto core = std::make_unique<ClientCore>(options, std::move(vault), std::move(owned_server),
                                           std::move(*account), std::move(identity).value(),
                                           std::move(device_key).value(), std::move(token));
  SB_RETURN_IF_ERROR(core->HoldIfExclusive());
  return core;
}

}  // namespace

Result<std::unique_ptr<ClientCore>> OpenAccount(const ClientOptions& options,
                                                std::string_view passphrase) {
  SB_ASSIGN_OR_RETURN(
      std::unique_ptr<Vault> vault,
      Vault::Open(options.home, passphrase, options.lock_timeout, RandomOf(options)));
  return OpenWithVault(options, std::move(vault));
}

Result<std::unique_ptr<ClientCore>> OpenAnotherAccount(ClientCore& open) {
  const ClientOptions& options = open.options();
  if (options.vault_access != VaultAccess::kPerCall) {
    return Status(ErrorCode::kFailedPrecondition,
                  "a second client on one home needs VaultAccess::kPerCall (an exclusive "
                  "client keeps the vault locked)");
  }
  return OpenWithVault(options, open.vault().Another(options.lock_timeout, RandomOf(options)));
}

Status ReplenishPreKeys(ClientCore& core) {
  SB_ASSIGN_OR_RETURN(uint32_t count, core.server().GetPreKeyCount());
  if (count >= core.options().prekey_low_watermark) return Status::Ok();
  std::vector<OneTimePreKeyWire> upload;
  SB_RETURN_IF_ERROR(core.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Account account, stores.account().LoadExisting());
    uint32_t next = account.next_one_time_prekey_id();
    for (uint32_t i = 0; i < core.options().prekey_batch; ++i, ++next) {
      crypto::OneTimePreKey key = crypto::OneTimePreKey::Generate(next, core.rng());
      stores.prekeys().StoreOneTimePreKey(key);
      upload.push_back(ToWire(key));
    }
    account.set_next_one_time_prekey_id(next);
    stores.account().Store(account);
    WipeSeeds(account);
    core.set_account(std::move(account));
    return Status::Ok();
  }));
  PreKeyUpload request;
  request.one_time_prekeys = std::move(upload);
  return core.server().UploadPreKeys(request);
}

}  // namespace securebase::client
