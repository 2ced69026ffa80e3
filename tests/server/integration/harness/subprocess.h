// Running child processes from tests: fork/exec with captured output, a
// timeout, and no zombies. Thread-safe (each call owns its child).
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SUBPROCESS_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SUBPROCESS_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace securebase::integration {

// Path of the securebase-server binary under test (from the build).
const std::string& ServerBinary();

struct CommandResult {
  // Exit status when the child exited normally; -1 otherwise.
  int exit_code = -1;
  // The signal that ended the child, 0 when it exited normally.
  int term_signal = 0;
  std::string stdout_text;
  std::string stderr_text;
  // True when the child outlived the timeout and was killed.
  bool timed_out = false;
};

// Runs `argv` (argv[0] is the program path) to completion with stdin from
// /dev/null, capturing stdout and stderr. A child still running after
// `timeout` is killed with SIGKILL (timed_out set). Failure only when the
// child cannot be started.
::testing::AssertionResult RunCommand(const std::vector<std::string>& argv,
                                      std::chrono::milliseconds timeout, CommandResult* result);

// Waits for `pid` to exit, up to `timeout`. True and `*wait_status` set (as
// from waitpid) when it exited; false when it is still running.
bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout, int* wait_status);

// "exit 3", "signal 9 (Killed)", ...
std::string DescribeWaitStatus(int wait_status);

// A fresh directory /tmp/<prefix>XXXXXX (mkdtemp). Aborts the test binary on
// failure: nothing can run without it.
std::string MakeTempDir(const std::string& prefix);

// Reads a whole file; empty when it does not exist.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SUBPROCESS_H_
