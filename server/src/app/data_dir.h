// Layout of a data dir:
//   DIR/db          the RocksDB database (column families: see rocks_store.h)
//   DIR/admin.sock  the running server's admin socket (mode 0600)
#ifndef SECUREBASE_SERVER_APP_DATA_DIR_H_
#define SECUREBASE_SERVER_APP_DATA_DIR_H_

#include <string>

#include "server/src/common/status.h"

namespace securebase::server {

std::string DatabasePath(const std::string& data_dir);
std::string AdminSocketPath(const std::string& data_dir);
// Creates the directory (and parents) with mode 0700 if missing.
Status EnsureDataDir(const std::string& data_dir);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_DATA_DIR_H_
