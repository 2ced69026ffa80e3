// Writing files the app produces (exports).
#ifndef SECUREBASE_CLIENT_CLI_FILES_H_
#define SECUREBASE_CLIENT_CLI_FILES_H_

#include <sys/types.h>

#include <string>
#include <string_view>

namespace securebase::cli {

// Writes `data` to `path` atomically: a new temporary file in the same
// directory, created with `mode` (never wider at any moment), written and
// fsync'ed, then renamed over `path`, and the directory fsync'ed. Either the
// old file or the complete new one exists afterwards. On failure returns
// false with a sentence in `error` and leaves no temporary file.
bool WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode,
                         std::string& error);

}  // namespace securebase::cli

#endif  // SECUREBASE_CLIENT_CLI_FILES_H_
