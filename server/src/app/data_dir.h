// Layout of a data dir:
//   DIR/db          the RocksDB database (column families: see rocks_store.h)
//   DIR/admin.sock  the running server's admin socket (mode 0600)
//   DIR/reserve     disk space held back for acknowledgements (see disk_space.h)
//
// The data dir holds everything the server keeps: it must be private to the
// server's user (mode 0700, no group or world bits), whether the server
// created it or packaging did.
#ifndef SECUREBASE_SERVER_APP_DATA_DIR_H_
#define SECUREBASE_SERVER_APP_DATA_DIR_H_

#include <string>

#include "server/src/common/status.h"

namespace securebase::server {

std::string DatabasePath(const std::string& data_dir);
std::string AdminSocketPath(const std::string& data_dir);
std::string ReservePath(const std::string& data_dir);

// Creates the directory (and parents) with mode 0700 if missing. An existing
// one must be a directory that neither group nor others can access.
// kFailedPrecondition: cannot create it, not a directory, or group- or
// world-accessible (the message says how to fix it).
Status EnsureDataDir(const std::string& data_dir);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_DATA_DIR_H_
