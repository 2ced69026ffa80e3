// A throwaway certificate authority and a server certificate for 127.0.0.1
// and localhost, made with the openssl command line in a temp directory.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TLS_FILES_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TLS_FILES_H_

#include <gtest/gtest.h>

#include <string>

namespace securebase::integration {

struct TlsFiles {
  std::string dir;
  std::string ca_cert;      // PEM file paths.
  std::string server_cert;  // Signed by ca_cert; SAN IP:127.0.0.1, DNS:localhost.
  std::string server_key;
  std::string ca_pem;  // Contents of ca_cert.
};

// Writes a CA ("<name> CA") and a server key/certificate into `dir`.
::testing::AssertionResult MakeTlsFiles(const std::string& dir, const std::string& name,
                                        TlsFiles* out);

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_TLS_FILES_H_
