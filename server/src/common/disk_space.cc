#include "server/src/common/disk_space.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <utility>

namespace securebase::server {

DiskSpace::DiskSpace(std::string data_dir, std::string reserve_path, uint64_t min_free_bytes,
                     uint64_t reserve_bytes)
    : data_dir_(std::move(data_dir)),
      reserve_path_(std::move(reserve_path)),
      min_free_bytes_(min_free_bytes),
      reserve_bytes_(reserve_bytes) {}

std::optional<uint64_t> DiskSpace::FreeBytes() const {
  struct statvfs info {};
  if (::statvfs(data_dir_.c_str(), &info) != 0) return std::nullopt;
  return uint64_t{info.f_bavail} * uint64_t{info.f_frsize};
}

bool DiskSpace::GrowthAllowed() const {
  auto free = FreeBytes();
  return !free.has_value() || *free >= GrowthThreshold();
}

uint64_t DiskSpace::GrowthThreshold() const {
  // With the reserve given back, its room is for acknowledgements and
  // logins, not for more growth.
  return min_free_bytes_ + (reserve_held_.load() ? 0 : reserve_bytes_);
}

bool DiskSpace::AllocateReserve() {
  if (reserve_bytes_ == 0) return false;
  int fd = ::open(reserve_path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  // Real blocks (posix_fallocate writes zeros where the file system cannot
  // preallocate), so deleting the file gives them back.
  bool ok = ::posix_fallocate(fd, 0, static_cast<off_t>(reserve_bytes_)) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) ::unlink(reserve_path_.c_str());
  return ok;
}

DiskSpace::Change DiskSpace::Tend() {
  if (!started_) {
    started_ = true;
    struct stat info {};
    // A reserve left by an earlier run counts (if it has its full size).
    if (::stat(reserve_path_.c_str(), &info) == 0 &&
        static_cast<uint64_t>(info.st_size) >= reserve_bytes_ && reserve_bytes_ > 0) {
      reserve_held_ = true;
    } else {
      ::unlink(reserve_path_.c_str());
    }
  }
  auto free = FreeBytes();
  if (!free.has_value()) return Change::kNone;
  if (reserve_held_ && *free < reserve_bytes_) {
    ::unlink(reserve_path_.c_str());
    reserve_held_ = false;
    return Change::kReserveReleased;
  }
  if (!reserve_held_ && reserve_bytes_ > 0 && *free >= min_free_bytes_ + 2 * reserve_bytes_) {
    if (AllocateReserve()) {
      reserve_held_ = true;
      return Change::kReserveRestored;
    }
  }
  const bool allowed = *free >= GrowthThreshold();
  if (allowed != growth_allowed_) {
    growth_allowed_ = allowed;
    return allowed ? Change::kGrowthResumed : Change::kGrowthStopped;
  }
  return Change::kNone;
}

}  // namespace securebase::server
