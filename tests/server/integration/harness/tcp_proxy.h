// A loopback TCP proxy for tests that play a bad network: it forwards bytes
// between clients and a server until Blackhole(), after which it forwards
// nothing in either direction but keeps every socket open, as a network that
// silently dropped does. It keeps reading (and discarding) what the server
// sends, to notice when the server closes its side.
//
// It can also connect to the server from another loopback address
// (127.0.0.2, ...), so that a test's calls come from a source of their own
// (the per-source limits).
//
// Thread-safety: the methods may be called from any thread.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TCP_PROXY_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TCP_PROXY_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace securebase::integration {

class TcpProxy {
 public:
  // Forwards connections to 127.0.0.1:`server_port`, from
  // `source_address` (a loopback address; empty: the kernel's choice).
  explicit TcpProxy(int server_port, std::string source_address = "");
  // Closes everything and joins.
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // "127.0.0.1:PORT" of the proxy.
  std::string address() const;
  void Blackhole();
  // Waits until the server closed a connection it had through this proxy
  // (EOF or error on the server side), up to `timeout`.
  bool WaitForServerClose(std::chrono::milliseconds timeout);

 private:
  void AcceptLoop();
  void Pump(int client_fd, int server_fd);

  const int server_port_;
  const std::string source_address_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> blackhole_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool server_closed_ = false;  // Guarded by mu_.
  std::vector<int> fds_;        // Guarded by mu_.
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TCP_PROXY_H_
