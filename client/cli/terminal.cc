#include "terminal.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace securebase::cli {
namespace {

// Restored by the signal handler if the user interrupts the prompt, so the
// terminal is not left without echo.
int g_tty_fd = -1;
struct termios g_saved_termios;

void RestoreAndReraise(int signo) {
  if (g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);  // Async-signal-safe.
  signal(signo, SIG_DFL);
  raise(signo);
}

constexpr int kPromptSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads one line from the terminal with echo off.
bool ReadHidden(int fd, std::string_view prompt, Passphrase& out, std::string& error) {
  out.Clear();
  if (!WriteAll(fd, prompt)) {
    error = "cannot write the passphrase prompt to the terminal";
    return false;
  }
  struct termios saved;
  const bool is_tty = tcgetattr(fd, &saved) == 0;
  struct sigaction old_actions[sizeof(kPromptSignals) / sizeof(kPromptSignals[0])];
  if (is_tty) {
    g_saved_termios = saved;
    g_tty_fd = fd;
    struct sigaction action {};
    action.sa_handler = RestoreAndReraise;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kPromptSignals); ++i) {
      sigaction(kPromptSignals[i], &action, &old_actions[i]);
    }
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  bool ok = true, too_long = false, got_eof = true;
  while (true) {
    char c;
    const ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got_eof = false;
    if (c == '\n' || c == '\r') break;
    if (!out.Append(c)) too_long = true;
    explicit_bzero(&c, sizeof(c));
  }
  if (is_tty) {
    tcsetattr(fd, TCSAFLUSH, &saved);
    g_tty_fd = -1;
    for (size_t i = 0; i < std::size(kPromptSignals); ++i) {
      sigaction(kPromptSignals[i], &old_actions[i], nullptr);
    }
    WriteAll(fd, "\n");
  }
  if (got_eof && out.empty()) {
    error = "no passphrase was entered";
    ok = false;
  } else if (too_long) {
    error = "the passphrase is too long (at most 1023 bytes)";
    ok = false;
  }
  if (!ok) out.Clear();
  return ok;
}

}  // namespace

Passphrase::Passphrase() { explicit_bzero(buffer_, sizeof(buffer_)); }

Passphrase::~Passphrase() { Clear(); }

bool Passphrase::Append(char c) {
  if (size_ >= kMaxBytes) return false;
  buffer_[size_++] = c;
  return true;
}

void Passphrase::Clear() {
  explicit_bzero(buffer_, sizeof(buffer_));
  size_ = 0;
}

bool ObtainPassphrase(std::string_view prompt, Confirm confirm, Passphrase& out,
                      std::string& error) {
  out.Clear();
  if (const char* env = std::getenv("SECUREBASE_PASSPHRASE"); env != nullptr) {
    if (env[0] == '\0') {
      error = "SECUREBASE_PASSPHRASE is set but empty";
      return false;
    }
    for (const char* p = env; *p != '\0'; ++p) {
      if (!out.Append(*p)) {
        out.Clear();
        error = "SECUREBASE_PASSPHRASE is too long (at most 1023 bytes)";
        return false;
      }
    }
    return true;
  }
  const int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    error = "no terminal to ask for the passphrase: set SECUREBASE_PASSPHRASE";
    return false;
  }
  bool ok = ReadHidden(fd, prompt, out, error);
  if (ok && out.empty()) {
    error = "the passphrase is empty";
    ok = false;
  }
  if (ok && confirm == Confirm::kYes) {
    Passphrase again;
    ok = ReadHidden(fd, "Repeat the passphrase: ", again, error);
    if (ok && again.view() != out.view()) {
      error = "the two passphrases do not match";
      ok = false;
    }
  }
  close(fd);
  if (!ok) out.Clear();
  return ok;
}

}  // namespace securebase::cli
