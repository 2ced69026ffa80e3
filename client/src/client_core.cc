#include "client_core.h"

#include <utility>

#include "device_address.h"

namespace securebase::client {
namespace {

ServerApi& ServerOf(const ClientOptions& options, const std::unique_ptr<ServerApi>& owned) {
  return owned != nullptr ? *owned : *options.server_api;
}

// A saved token is kept for at most this long: the server's lifetime for it
// is not known here, and a stale one is simply replaced at the next
// UNAUTHENTICATED answer.
constexpr int64_t kTokenLifetimeMs = 23 * 3600 * 1000LL;

}  // namespace

ClientCore::ClientCore(const ClientOptions& options, std::unique_ptr<Vault> vault,
                       std::unique_ptr<ServerApi> owned_server, records::Account account,
                       crypto::IdentityKeyPair identity, crypto::DeviceAuthKeyPair device_key,
                       std::string saved_token)
    : options_(options),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      rng_(options.random != nullptr ? *options.random : crypto::SystemRandom()),
      faults_(options.faults),
      vault_(std::move(vault)),
      owned_server_(std::move(owned_server)),
      server_(ServerOf(options, owned_server_)),
      account_(std::move(account)),
      identity_(std::move(identity)),
      device_key_(std::move(device_key)),
      saved_token_(std::move(saved_token)) {
  server_.SetDevice(account_.user_id(), account_.device_id(), &device_key_, saved_token_);
}

std::string ClientCore::RandomId() {
  std::string id(16, '\0');
  rng_.Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(id.data()), id.size()));
  return id;
}

Role ClientCore::role() const {
  return account_.role() == static_cast<uint32_t>(Role::kTherapist) ? Role::kTherapist
                                                                    : Role::kClient;
}

Status ClientCore::Transact(const std::function<Status(Stores&)>& body, Durability durability) {
  SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress local_device,
                      AddressOf(own_user_id(), own_device_id()));
  return vault_->Transact(
      [&](VaultTransaction& txn) -> Status {
        Stores stores(txn, own_user_id(), local_device, identity_, rng_);
        SB_RETURN_IF_ERROR(body(stores));
        stores.Flush();
        return Status::Ok();
      },
      durability);
}

Status ClientCore::HoldIfExclusive() {
  if (options_.vault_access != VaultAccess::kExclusive || exclusive_) return Status::Ok();
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());
  exclusive_.emplace(std::move(hold));
  return Status::Ok();
}

void ClientCore::PersistTokenIfChanged() {
  const std::string token = server_.token();
  if (token == saved_token_ || token.empty()) return;
  records::Token record;
  record.set_token(token);
  record.set_expires_at_unix_ms(Now() + kTokenLifetimeMs);
  Status saved = Transact([&](Stores& stores) {
    stores.account().StoreToken(record);
    return Status::Ok();
  });
  if (saved.ok()) saved_token_ = token;
}

}  // namespace securebase::client
