// An account's role in care.
#ifndef SECUREBASE_CLIENT_ROLE_H_
#define SECUREBASE_CLIENT_ROLE_H_

#include "securebase/client/export.h"

namespace securebase::client {

enum class Role { kClient, kTherapist };

// "client" / "therapist". A static string.
SECUREBASE_EXPORT const char* RoleName(Role role);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_ROLE_H_
