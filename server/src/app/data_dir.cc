#include "server/src/app/data_dir.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace securebase::server {

std::string DatabasePath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "db").string();
}

std::string AdminSocketPath(const std::string& data_dir) {
  return std::filesystem::absolute(std::filesystem::path(data_dir) / "admin.sock")
      .lexically_normal()
      .string();
}

std::string ReservePath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "reserve").string();
}

Status EnsureDataDir(const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
      return Status::FailedPrecondition("cannot create data dir " + data_dir + ": " + ec.message());
    }
    ::chmod(data_dir.c_str(), 0700);
  }
  struct stat info {};
  if (::stat(data_dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return Status::FailedPrecondition("data dir " + data_dir + " is not a directory");
  }
  // Packaging often creates the directory beforehand with 0755; the database
  // inside would then be readable by every local user.
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Status::FailedPrecondition(
        "data dir " + data_dir + " has mode " + mode +
        ": group or others can access it; make it private to the server's user with `chmod 700 " +
        data_dir + "` and start again");
  }
  return Status::Ok();
}

}  // namespace securebase::server
