// Free disk space for the data dir (hardening finding 5: one account filled
// the disk; then every user's sends and logins failed, and so did the
// acknowledgements that would have freed space).
//
// Two lines of defence:
// - Growth stops early: GrowthAllowed() is false while the file system has
//   less than `min_free_bytes` available (plus the reserve's size while the
//   reserve is released), and the server then refuses calls
//   that store new content or keys (Send, Register, AddDevice,
//   UploadPreKeys, CreateInvite) with RESOURCE_EXHAUSTED. Logins,
//   acknowledgements and deletes go on: they are small, and they free space.
// - A reserve is held back: DATA_DIR/reserve, `reserve_bytes` allocated at
//   start. When something else fills the disk anyway (another process, logs)
//   and less than the reserve's size is left, Tend() deletes it, so that
//   acknowledgements, logins and RocksDB's own flushes still have room; it
//   is allocated again once there is room for it and the growth threshold.
//
// Thread-safety: thread-safe. Tend() from one thread (the server's monitor).
#ifndef SECUREBASE_SERVER_COMMON_DISK_SPACE_H_
#define SECUREBASE_SERVER_COMMON_DISK_SPACE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace securebase::server {

class DiskSpace {
 public:
  // `reserve_path` is a file in the data dir's file system.
  DiskSpace(std::string data_dir, std::string reserve_path, uint64_t min_free_bytes,
            uint64_t reserve_bytes);

  // Bytes available to the server's user on the data dir's file system
  // (statvfs), nullopt when it cannot be read.
  std::optional<uint64_t> FreeBytes() const;
  // Free space is at or above the growth threshold (or unknown).
  bool GrowthAllowed() const;

  enum class Change { kNone, kReserveReleased, kReserveRestored, kGrowthStopped, kGrowthResumed };
  // Releases or restores the reserve as described above, and reports when
  // growth stops or resumes (for the log). At start it allocates the
  // reserve. Call about once a second.
  Change Tend();
  bool reserve_held() const { return reserve_held_.load(); }

 private:
  bool AllocateReserve();
  uint64_t GrowthThreshold() const;

  const std::string data_dir_;
  const std::string reserve_path_;
  const uint64_t min_free_bytes_;
  const uint64_t reserve_bytes_;
  std::atomic<bool> reserve_held_{false};
  bool growth_allowed_ = true;  // Tend()'s last view.
  bool started_ = false;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_DISK_SPACE_H_
