// The passphrase: from SECUREBASE_PASSPHRASE, or typed at the terminal
// (/dev/tty, echo off). Held in a buffer that is wiped when it goes away.
#ifndef SECUREBASE_CLIENT_CLI_TERMINAL_H_
#define SECUREBASE_CLIENT_CLI_TERMINAL_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace securebase::cli {

class Passphrase {
 public:
  static constexpr size_t kMaxBytes = 1023;

  Passphrase();
  ~Passphrase();
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;

  std::string_view view() const { return std::string_view(buffer_, size_); }
  bool empty() const { return size_ == 0; }
  // Appends one byte; false once kMaxBytes are held.
  bool Append(char c);
  void Clear();

 private:
  // A fixed buffer, so no copy is ever left behind by a reallocation.
  char buffer_[kMaxBytes + 1];
  size_t size_ = 0;
};

enum class Confirm { kNo, kYes };

// The passphrase from SECUREBASE_PASSPHRASE when set (non-empty), else read
// from /dev/tty without echo after `prompt` (with Confirm::kYes: asked twice,
// and the two must match). On failure returns false with a sentence in
// `error` that never contains the passphrase.
bool ObtainPassphrase(std::string_view prompt, Confirm confirm, Passphrase& out,
                      std::string& error);

}  // namespace securebase::cli

#endif  // SECUREBASE_CLIENT_CLI_TERMINAL_H_
