// The admin subcommands. Each opens the database directly when no server
// holds it, and otherwise talks to the running server over
// DATA_DIR/admin.sock. Output goes to stdout; errors to stderr.
#ifndef SECUREBASE_SERVER_APP_ADMIN_COMMANDS_H_
#define SECUREBASE_SERVER_APP_ADMIN_COMMANDS_H_

#include "server/src/app/config.h"

namespace securebase::server {

// Returns the process exit code (0 success, 1 failure).
int RunAdminCommand(Command command, const AdminConfig& config);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_ADMIN_COMMANDS_H_
