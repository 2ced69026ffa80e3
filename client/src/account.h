// Creating a device's account (vault, keys, registration with the server),
// opening an existing one, and keeping its pool of one-time prekeys filled.
// Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_ACCOUNT_H_
#define SECUREBASE_CLIENT_SRC_ACCOUNT_H_

#include <memory>
#include <string_view>

#include "client_core.h"
#include "securebase/client/options.h"
#include "securebase/client/role.h"

namespace securebase::client {

// Client::Create's work: a new vault under options.home, new keys, the
// registration, then the vault's first records. On a refused registration
// the half-made vault is removed again.
Result<std::unique_ptr<ClientCore>> CreateAccount(const ClientOptions& options,
                                                  std::string_view passphrase, Role role,
                                                  std::string_view display_name,
                                                  std::string_view registration_token);
// Client::Open's work.
Result<std::unique_ptr<ClientCore>> OpenAccount(const ClientOptions& options,
                                                std::string_view passphrase);

// Client::OpenAnother's work: the same home and options as `open`, its vault
// key shared (no Argon2id). kFailedPrecondition unless VaultAccess::kPerCall.
Result<std::unique_ptr<ClientCore>> OpenAnotherAccount(ClientCore& open);

// When the server holds fewer one-time prekeys than the low watermark, makes
// a batch: the private halves are committed before the public halves are
// published, so a crash in between leaves only unused private keys.
Status ReplenishPreKeys(ClientCore& core);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_ACCOUNT_H_
