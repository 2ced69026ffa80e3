// Signed prekey rotation and the device binding (prekey_rotation.h).
#include "prekey_rotation.h"

#include <optional>
#include <utility>

#include "device_address.h"
#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/limits.h"

namespace securebase::client {
namespace {

using crypto::AsStringView;

constexpr int64_t kRotationMs = static_cast<int64_t>(crypto::kSignedPreKeyRotationSeconds) * 1000;
constexpr int64_t kGraceMs = static_cast<int64_t>(crypto::kSignedPreKeyGraceSeconds) * 1000;

crypto::DeviceAddress OwnAddress(ClientCore& core) {
  // The vault's own ids came from the server at registration, checked then.
  return AddressOf(core.own_user_id(), core.own_device_id()).value();
}

// This device's binding record, signed by the identity key.
std::string MakeBinding(ClientCore& core) {
  crypto::DeviceBinding binding{OwnAddress(core), core.device_key().public_key(),
                                static_cast<uint64_t>(core.Now() / 1000)};
  const crypto::Bytes record =
      crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(core.identity(), binding));
  return std::string(record.begin(), record.end());
}

// A new device-bound signed prekey, committed as pending.
void AddPending(ClientCore& core, Stores& stores, records::SignedPreKeys& state) {
  const uint32_t id = state.next_id() == 0 ? 1 : state.next_id();
  crypto::SignedPreKey key =
      crypto::SignedPreKey::GenerateForDevice(core.identity(), OwnAddress(core), id, core.rng());
  stores.prekeys().StoreSignedPreKey(key);
  state.set_pending_id(id);
  state.set_pending_created_at_unix_ms(core.Now());
  state.set_next_id(id + 1);
}

// The state, made from an older vault's account record the first time.
Result<records::SignedPreKeys> LoadState(Stores& stores) {
  SB_ASSIGN_OR_RETURN(std::optional<records::SignedPreKeys> state, stores.prekeys().LoadRotation());
  if (state) return std::move(*state);
  SB_ASSIGN_OR_RETURN(records::Account account, stores.account().LoadExisting());
  WipeSeeds(account);
  records::SignedPreKeys made;
  made.set_current_id(account.signed_prekey_id());
  made.set_current_created_at_unix_ms(0);  // Not device-bound: replaced at once.
  made.set_next_id(account.signed_prekey_id() + 1);
  return made;
}

bool Due(const records::SignedPreKeys& state, int64_t now) {
  return state.current_id() == 0 || state.current_created_at_unix_ms() <= 0 ||
         now - state.current_created_at_unix_ms() >= kRotationMs;
}

}  // namespace

void PrepareDeviceKeys(ClientCore& core, Stores& stores) {
  records::SignedPreKeys state;
  state.set_next_id(2);  // 1 was the registration's, never kept: no id names two keys.
  state.set_device_binding(MakeBinding(core));
  AddPending(core, stores, state);
  stores.prekeys().StoreRotation(state);
}

Status MaintainSignedPreKeys(ClientCore& core, Rotation rotation) {
  const int64_t now = core.Now();
  std::optional<PreKeyUpload> upload;
  uint32_t publishing = 0;
  SB_RETURN_IF_ERROR(core.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::SignedPreKeys state, LoadState(stores));
    const records::SignedPreKeys before = state;
    if (state.device_binding().empty()) state.set_device_binding(MakeBinding(core));
    if (state.pending_id() == 0 && (rotation == Rotation::kNow || Due(state, now))) {
      AddPending(core, stores, state);
    }
    // Replaced keys past their grace period: the private key and the replay
    // cache go together (without the key, no first message made with it can
    // be accepted again anyway).
    auto* retired = state.mutable_retired();
    for (int i = retired->size() - 1; i >= 0; --i) {
      if (now - retired->Get(i).retired_at_unix_ms() >= kGraceMs) {
        stores.prekeys().RemoveSignedPreKey(retired->Get(i).id());
        retired->DeleteSubrange(i, 1);
      }
    }
    if (state.pending_id() != 0) {
      auto loaded = stores.prekeys().LoadSignedPreKey(state.pending_id());
      if (!loaded.ok()) return stores.errors().FromCipher(loaded.status());
      const std::optional<crypto::SignedPreKey>& key = *loaded;
      if (!key) return Status(ErrorCode::kVaultCorrupted, "the vault lost a new signed prekey");
      upload.emplace();
      upload->signed_prekey =
          SignedPreKeyWire{key->id, std::string(AsStringView(key->key.public_key().span())),
                           std::string(AsStringView(key->signature.span()))};
      upload->device_binding = state.device_binding();
      publishing = state.pending_id();
    }
    if (state.SerializeAsString() != before.SerializeAsString()) {
      stores.prekeys().StoreRotation(state);
    }
    return Status::Ok();
  }));
  if (!upload) return Status::Ok();
  SB_RETURN_IF_ERROR(core.server().UploadPreKeys(*upload));
  // Confirmed: the new one is current; the one it replaced is kept for the
  // grace period.
  return core.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::SignedPreKeys state, LoadState(stores));
    if (state.pending_id() != publishing) return Status::Ok();  // Another call finished it.
    if (state.current_id() != 0) {
      records::SignedPreKeys::Retired* old = state.add_retired();
      old->set_id(state.current_id());
      old->set_retired_at_unix_ms(core.Now());
    }
    state.set_current_id(state.pending_id());
    state.set_current_created_at_unix_ms(state.pending_created_at_unix_ms());
    state.set_pending_id(0);
    state.set_pending_created_at_unix_ms(0);
    stores.prekeys().StoreRotation(state);
    return Status::Ok();
  });
}

Result<uint32_t> CurrentSignedPreKeyId(ClientCore& core) {
  uint32_t id = 0;
  SB_RETURN_IF_ERROR(core.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::SignedPreKeys state, LoadState(stores));
    id = state.current_id();
    return Status::Ok();
  }));
  return id;
}

}  // namespace securebase::client
