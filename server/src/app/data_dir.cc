#include "server/src/app/data_dir.h"

#include <sys/stat.h>

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

Status EnsureDataDir(const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(data_dir, ec)) return Status::Ok();
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::FailedPrecondition("cannot create data dir " + data_dir + ": " + ec.message());
  ::chmod(data_dir.c_str(), 0700);
  return Status::Ok();
}

}  // namespace securebase::server
