// Raw user ids, as the server and the vault spell them (16 bytes in a
// std::string), and crypto's typed DeviceAddress. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_DEVICE_ADDRESS_H_
#define SECUREBASE_CLIENT_SRC_DEVICE_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "securebase/client/status.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/signature.h"

namespace securebase::client {

// The device `device_id` of the account `raw_user_id`. A user id that is not
// exactly 16 bytes came from a server that sent something invalid:
// kInvalidServerResponse, so it can never alias another account's id.
inline Result<crypto::DeviceAddress> AddressOf(std::string_view raw_user_id, uint32_t device_id) {
  auto user = crypto::UserId::FromBytes(crypto::AsBytes(raw_user_id));
  if (!user.ok()) {
    return Status(ErrorCode::kInvalidServerResponse, "the server sent a malformed user id");
  }
  return crypto::DeviceAddress{*user, device_id};
}

inline std::string RawUserId(const crypto::UserId& user) {
  return std::string(crypto::AsStringView(user.span()));
}

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_DEVICE_ADDRESS_H_
