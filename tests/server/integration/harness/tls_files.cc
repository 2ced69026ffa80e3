#include "tests/server/integration/harness/tls_files.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <vector>

#include "tests/server/integration/harness/subprocess.h"

namespace securebase::integration {
namespace {

std::string FindOpenssl() {
  for (const char* path : {"/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "/usr/bin/openssl";
}

::testing::AssertionResult Openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FindOpenssl()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r;
  ::testing::AssertionResult ran = RunCommand(argv, std::chrono::seconds(60), &r);
  if (!ran) return ran;
  if (r.exit_code != 0) {
    std::string cmd;
    for (const std::string& a : argv) cmd += a + " ";
    return ::testing::AssertionFailure() << cmd << "failed (exit " << r.exit_code << "):\n"
                                         << r.stderr_text << r.stdout_text;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult MakeTlsFiles(const std::string& dir, const std::string& name,
                                        TlsFiles* out) {
  out->dir = dir;
  out->ca_cert = dir + "/ca.crt";
  const std::string ca_key = dir + "/ca.key";
  out->server_cert = dir + "/server.crt";
  out->server_key = dir + "/server.key";
  const std::string csr = dir + "/server.csr";
  const std::string ext = dir + "/server.ext";
  {
    std::ofstream f(ext);
    f << "basicConstraints=critical,CA:FALSE\n"
         "keyUsage=critical,digitalSignature,keyEncipherment\n"
         "extendedKeyUsage=serverAuth\n"
         "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    if (!f) return ::testing::AssertionFailure() << "cannot write " << ext;
  }
  ::testing::AssertionResult r =
      Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
               "-nodes", "-keyout", ca_key, "-out", out->ca_cert, "-days", "2", "-subj",
               "/CN=" + name + " CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
               "keyUsage=critical,keyCertSign,cRLSign"});
  if (!r) return r;
  r = Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-keyout", out->server_key, "-out", csr, "-subj", "/CN=localhost"});
  if (!r) return r;
  r = Openssl({"x509", "-req", "-in", csr, "-CA", out->ca_cert, "-CAkey", ca_key, "-CAcreateserial",
               "-out", out->server_cert, "-days", "2", "-extfile", ext});
  if (!r) return r;
  out->ca_pem = ReadFileOrEmpty(out->ca_cert);
  if (out->ca_pem.empty()) return ::testing::AssertionFailure() << "empty " << out->ca_cert;
  return ::testing::AssertionSuccess();
}

}  // namespace securebase::integration
