// A temporary directory removed (recursively) at scope exit.
#ifndef SECUREBASE_TESTS_SERVER_UNIT_TEMP_DIR_H_
#define SECUREBASE_TESTS_SERVER_UNIT_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace securebase::server::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sbunit.XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    path_ = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace securebase::server::testing

#endif  // SECUREBASE_TESTS_SERVER_UNIT_TEMP_DIR_H_
