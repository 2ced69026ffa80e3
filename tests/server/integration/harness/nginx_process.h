// nginx (Debian's nginx-light) in front of a test server, configured by the
// production file deploy/nginx/securebase.conf with only its marked paths
// and ports replaced (and its IPv6 listen line left out): TLS at nginx with
// a test certificate, grpc_pass to the server's plaintext loopback port.
//
// Start() writes a temp directory holding the rewritten securebase.conf and
// a minimal main config that includes it (`daemon off`, pid and logs in the
// directory, worker_connections as docs/SERVER.md recommends), runs
// `nginx -p DIR -e DIR/error.log -c DIR/nginx.conf` on a free loopback port
// and returns once the port accepts connections. The destructor stops nginx
// and removes the directory. Not thread-safe.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_NGINX_PROCESS_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_NGINX_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <string>

namespace securebase::integration {

struct NginxOptions {
  int upstream_port = 0;  // The securebase-server's plaintext loopback port.
  std::string tls_cert;   // PEM files for nginx's TLS listener.
  std::string tls_key;
};

class NginxProcess {
 public:
  explicit NginxProcess(NginxOptions options);
  ~NginxProcess();
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  ::testing::AssertionResult Start();
  int port() const { return port_; }
  // A TLS channel to nginx that trusts `ca_pem` (LocalhostTlsChannel).
  std::shared_ptr<grpc::Channel> Channel(const std::string& ca_pem) const;
  // nginx's error log so far.
  std::string ErrorLog() const;

 private:
  NginxOptions options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TLS channel to `target` ("IP:PORT") that trusts `ca_pem` and expects
// the certificate's name localhost. By address, not by the name
// "localhost": a name goes through gRPC's c-ares resolver, whose Debian
// build leaks a few bytes per lookup (LeakSanitizer fails the test).
std::shared_ptr<grpc::Channel> LocalhostTlsChannel(const std::string& target,
                                                   const std::string& ca_pem);

// The nginx binary, or empty when it is not installed.
std::string NginxBinary();

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_NGINX_PROCESS_H_
