#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace securebase::cli {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

}  // namespace

bool WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode,
                         std::string& error) {
  if (path.empty()) {
    error = "the output file name is empty";
    return false;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos
                              ? std::string(".")
                              : (slash == 0 ? std::string("/") : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) {
    error = path + " names a directory, not a file";
    return false;
  }
  std::string tmpl = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) +
                     "." + base + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  // mkstemp creates the file with mode 0600 (whatever the umask).
  const int fd = mkstemp(name.data());
  if (fd < 0) {
    error = "cannot create a file in " + dir + ": " + ErrnoText(errno);
    return false;
  }
  const std::string tmp(name.data());
  auto fail = [&](const std::string& what) {
    const int err = errno;
    close(fd);
    unlink(tmp.c_str());
    error = what + ": " + ErrnoText(err);
    return false;
  };
  if (fchmod(fd, mode) != 0) return fail("cannot set the mode of " + tmp);
  std::string_view rest = data;
  while (!rest.empty()) {
    const ssize_t n = write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write " + path);
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (fsync(fd) != 0) return fail("cannot write " + path);
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    error = "cannot write " + path + ": " + ErrnoText(err);
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    error = "cannot replace " + path + ": " + ErrnoText(err);
    return false;
  }
  // Make the rename durable. A failure here leaves a complete file behind, so
  // it is not reported.
  if (const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return true;
}

}  // namespace securebase::cli
