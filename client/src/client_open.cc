// Creating and opening a client: the vault, the account, prekeys.
#include "client_impl.h"
#include "securebase/crypto/random.h"
#include "util.h"

namespace securebase::client {

std::string SignedPreKeyName(uint32_t id) { return "spk/" + std::to_string(id); }
std::string OneTimePreKeyName(uint32_t id) { return "otk/" + std::to_string(id); }
std::string SessionName(std::string_view user_id, uint32_t device_id) {
  return "session/" + ToHex(user_id) + "/" + std::to_string(device_id);
}
void DeleteSessions(VaultTransaction& txn, std::string_view user_id, uint32_t device_id) {
  txn.Delete(SessionName(user_id, device_id));
  txn.Delete(SessionName(user_id, device_id) + "/previous");
}

std::string HistoryListName(std::string_view user_id) { return "history/" + ToHex(user_id); }
std::string MessageLocationName(std::string_view message_id) {
  return "message/" + ToHex(message_id);
}

void StoreRecord(VaultTransaction& txn, std::string_view name,
                 const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  txn.Put(name, AsBytes(bytes));
  crypto::SecureWipe(bytes.data(), bytes.size());
}

void StoreItem(VaultTransaction& txn, std::string_view list, uint64_t index,
               const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  txn.PutItem(list, index, AsBytes(bytes));
  crypto::SecureWipe(bytes.data(), bytes.size());
}

namespace {

void StorePreKey(VaultTransaction& txn, const std::string& name, uint32_t id,
                 const crypto::DhKeyPair& key, const crypto::Signature* signature) {
  records::PreKey record;
  record.set_id(id);
  record.set_private_key(std::string(AsStringView(key.private_key())));
  if (signature != nullptr) record.set_signature(signature->data(), signature->size());
  StoreRecord(txn, name, record);
}

void ToWire(const crypto::SignedPreKey& key, v1::SignedPreKey* out) {
  out->set_key_id(key.id);
  out->set_public_key(key.key.public_key().data(), key.key.public_key().size());
  out->set_signature(key.signature.data(), key.signature.size());
}

void ToWire(const crypto::OneTimePreKey& key, v1::OneTimePreKey* out) {
  out->set_key_id(key.id);
  out->set_public_key(key.key.public_key().data(), key.key.public_key().size());
}

}  // namespace

ClientImpl::ClientImpl(ClientOptions options, std::unique_ptr<Vault> vault,
                       std::unique_ptr<Connection> connection, records::Account account,
                       crypto::IdentityKeyPair identity, crypto::DeviceAuthKeyPair device_key,
                       std::string saved_token)
    : options_(std::move(options)),
      vault_(std::move(vault)),
      connection_(std::move(connection)),
      account_(std::move(account)),
      identity_(std::move(identity)),
      device_key_(std::move(device_key)),
      saved_token_(std::move(saved_token)) {
  connection_->SetDevice(account_.user_id(), account_.device_id(), &device_key_, saved_token_);
}

Role ClientImpl::role() const {
  return account_.role() == static_cast<uint32_t>(Role::kTherapist) ? Role::kTherapist
                                                                     : Role::kClient;
}

std::string ClientImpl::user_id() const { return ToHex(account_.user_id()); }

Result<std::unique_ptr<Client>> Client::Create(const ClientOptions& options,
                                               std::string_view passphrase, Role role,
                                               std::string_view display_name,
                                               std::string_view registration_token) {
  return ClientImpl::CreateNew(options, passphrase, role, display_name, registration_token);
}

Result<std::unique_ptr<Client>> Client::Open(const ClientOptions& options,
                                             std::string_view passphrase) {
  return ClientImpl::OpenExisting(options, passphrase);
}

Result<std::unique_ptr<Client>> ClientImpl::CreateNew(const ClientOptions& options,
                                                      std::string_view passphrase, Role role,
                                                      std::string_view display_name,
                                                      std::string_view registration_token) {
  if (std::string problem = ValidateContent(Profile{std::string(display_name), std::nullopt});
      display_name.empty() || !problem.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "the name must be 1 to 128 bytes of printable text" +
                      (problem.empty() ? std::string() : " (" + problem + ")"));
  }
  if (options.home.empty()) return Status(ErrorCode::kInvalidArgument, "no home directory given");
  SB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Create(options));
  SB_ASSIGN_OR_RETURN(std::unique_ptr<Vault> vault,
                      Vault::Create(options.home, passphrase, options.passphrase_cost,
                                    options.lock_timeout));
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::IdentityKeyPair identity = crypto::IdentityKeyPair::Generate(rng);
  crypto::DeviceAuthKeyPair device_key = crypto::DeviceAuthKeyPair::Generate(rng);
  crypto::SignedPreKey signed_prekey = crypto::SignedPreKey::Generate(identity, 1, rng);
  std::vector<crypto::OneTimePreKey> one_time;
  for (uint32_t id = 1; id <= options.prekey_batch; ++id) {
    one_time.push_back(crypto::OneTimePreKey::Generate(id, rng));
  }

  v1::RegisterRequest request;
  request.set_role(role == Role::kTherapist ? v1::ROLE_THERAPIST : v1::ROLE_CLIENT);
  request.set_identity_key(identity.public_key().data(), identity.public_key().size());
  v1::NewDevice* device = request.mutable_device();
  device->set_device_auth_key(device_key.public_key().data(), device_key.public_key().size());
  crypto::Signature binding = crypto::SignDeviceBinding(identity, device_key.public_key());
  device->set_device_binding_signature(binding.data(), binding.size());
  ToWire(signed_prekey, device->mutable_signed_prekey());
  for (const auto& key : one_time) ToWire(key, device->add_one_time_prekeys());
  request.set_registration_token(std::string(registration_token));
  v1::RegisterResponse response;
  Status registered = connection->CallAnonymous("register", [&](grpc::ClientContext& context) {
    return connection->accounts().Register(&context, request, &response);
  });
  if (!registered.ok()) {
    Vault::RemoveIncomplete(options.home);
    return registered;
  }

  records::Account account;
  account.set_role(static_cast<uint32_t>(role));
  account.set_user_id(response.user_id());
  account.set_device_id(response.device_id());
  account.set_display_name(std::string(display_name));
  account.set_identity_seed(std::string(AsStringView(identity.ExportSeed().span())));
  account.set_device_auth_seed(std::string(AsStringView(device_key.ExportSeed().span())));
  account.set_signed_prekey_id(signed_prekey.id);
  account.set_next_one_time_prekey_id(options.prekey_batch + 1);
  records::Contact self;
  self.set_user_id(response.user_id());
  self.set_identity_key(identity.public_key().data(), identity.public_key().size());
  self.set_linked(true);
  Status stored = vault->Transact([&](VaultTransaction& txn) {
    StoreRecord(txn, kAccountRecord, account);
    StoreRecord(txn, kSelfRecord, self);
    StorePreKey(txn, SignedPreKeyName(signed_prekey.id), signed_prekey.id, signed_prekey.key,
                &signed_prekey.signature);
    for (const auto& key : one_time) {
      StorePreKey(txn, OneTimePreKeyName(key.id), key.id, key.key, nullptr);
    }
    return Status::Ok();
  });
  if (!stored.ok()) return stored;
  return std::unique_ptr<Client>(new ClientImpl(options, std::move(vault), std::move(connection),
                                                std::move(account), std::move(identity),
                                                std::move(device_key), ""));
}

Result<std::unique_ptr<Client>> ClientImpl::OpenExisting(const ClientOptions& options,
                                                         std::string_view passphrase) {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<Vault> vault,
                      Vault::Open(options.home, passphrase, options.lock_timeout));
  std::optional<records::Account> account;
  std::string token;
  SB_RETURN_IF_ERROR(vault->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(account, LoadRecord<records::Account>(txn, kAccountRecord));
    SB_ASSIGN_OR_RETURN(std::optional<records::Token> saved,
                        LoadRecord<records::Token>(txn, kTokenRecord));
    if (saved && saved->expires_at_unix_ms() > NowUnixMs()) token = saved->token();
    return Status::Ok();
  }));
  if (!account) {
    return Status(ErrorCode::kVaultCorrupted,
                  "the vault in " + options.home +
                      " was never finished (init was interrupted); remove it and run init again");
  }
  auto identity = crypto::IdentityKeyPair::FromSeed(AsBytes(account->identity_seed()));
  auto device_key = crypto::DeviceAuthKeyPair::FromSeed(AsBytes(account->device_auth_seed()));
  if (!identity.ok() || !device_key.ok()) {
    return Status(ErrorCode::kVaultCorrupted, "the vault's account keys are damaged");
  }
  SB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Create(options));
  return std::unique_ptr<Client>(new ClientImpl(
      options, std::move(vault), std::move(connection), std::move(*account),
      std::move(identity).value(), std::move(device_key).value(), std::move(token)));
}

void ClientImpl::PersistTokenIfChanged() {
  if (connection_->token() == saved_token_ || connection_->token().empty()) return;
  records::Token token;
  token.set_token(connection_->token());
  // The server's TTL is not known here; a stale token is simply replaced on
  // the next UNAUTHENTICATED answer. Keep it for at most a day.
  token.set_expires_at_unix_ms(NowUnixMs() + 23 * 3600 * 1000LL);
  Status saved = vault_->Transact([&](VaultTransaction& txn) {
    StoreRecord(txn, kTokenRecord, token);
    return Status::Ok();
  });
  // Failing to cache the token only costs a login next time.
  if (saved.ok()) saved_token_ = connection_->token();
}

Status ClientImpl::ReplenishPreKeys() {
  v1::GetPreKeyCountResponse count;
  SB_RETURN_IF_ERROR(connection_->Call("count prekeys", [&](grpc::ClientContext& context) {
    return connection_->keys().GetPreKeyCount(&context, v1::GetPreKeyCountRequest(), &count);
  }));
  if (count.one_time_prekey_count() >= options_.prekey_low_watermark) return Status::Ok();
  crypto::RandomSource& rng = crypto::SystemRandom();
  v1::UploadPreKeysRequest upload;
  // Private halves are committed before the public halves are published, so a
  // crash in between leaves only unused private keys behind.
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(std::optional<records::Account> account,
                        LoadRecord<records::Account>(txn, kAccountRecord));
    if (!account) return Status(ErrorCode::kVaultCorrupted, "the vault lost its account");
    uint32_t next = account->next_one_time_prekey_id();
    for (uint32_t i = 0; i < options_.prekey_batch; ++i, ++next) {
      crypto::OneTimePreKey key = crypto::OneTimePreKey::Generate(next, rng);
      StorePreKey(txn, OneTimePreKeyName(key.id), key.id, key.key, nullptr);
      ToWire(key, upload.add_one_time_prekeys());
    }
    account->set_next_one_time_prekey_id(next);
    StoreRecord(txn, kAccountRecord, *account);
    account_ = *account;
    return Status::Ok();
  }));
  v1::UploadPreKeysResponse uploaded;
  return connection_->Call("upload prekeys", [&](grpc::ClientContext& context) {
    return connection_->keys().UploadPreKeys(&context, upload, &uploaded);
  });
}

}  // namespace securebase::client
