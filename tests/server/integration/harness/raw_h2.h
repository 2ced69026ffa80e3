// A deliberately bare HTTP/2 client for tests that play an attacker: it
// writes frames exactly as told (huge or malformed header blocks, compressed
// gRPC messages, bytes one at a time), which no real gRPC client does. It
// never decodes responses; tests judge the server by what it does (its
// health, memory, store, logs). Plaintext or TLS (OpenSSL, ALPN h2).
//
// Not thread-safe: one thread drives a connection.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_RAW_H2_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_RAW_H2_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace securebase::integration {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The request headers of a gRPC call to `path` ("/pkg.Service/Method").
Headers GrpcRequestHeaders(const std::string& path, const std::string& authority);

// A length-prefixed gRPC message (flag byte, 4-byte length, payload).
std::string GrpcMessage(const std::string& payload, bool compressed);

// gzip of `data` (zlib), for a compressed gRPC message.
std::string Gzip(const std::string& data);

// HPACK: each header as a literal without indexing, no Huffman coding.
std::string EncodeHeaderBlock(const Headers& headers);

class RawH2Connection {
 public:
  // Connects to 127.0.0.1:`port` (from `source_address`, a loopback
  // address, when given); with `tls`, a TLS handshake (ALPN h2, certificate
  // not verified: the tests attack, they do not trust). Null on failure.
  static std::unique_ptr<RawH2Connection> Connect(int port, bool tls,
                                                  const std::string& source_address = "");
  ~RawH2Connection();
  RawH2Connection(const RawH2Connection&) = delete;
  RawH2Connection& operator=(const RawH2Connection&) = delete;

  // The client connection preface and an empty SETTINGS frame.
  bool SendPreface();
  // `block` as one HEADERS frame and CONTINUATION frames of at most
  // `frame_bytes` each.
  bool SendHeaderBlock(uint32_t stream, const std::string& block, bool end_stream,
                       size_t frame_bytes = 16384);
  bool SendData(uint32_t stream, const std::string& data, bool end_stream);
  // Raw bytes (e.g. a slowloris sending a frame one byte at a time).
  bool SendBytes(const std::string& bytes);

  // Reads and discards frames for up to `timeout`, acknowledging SETTINGS
  // and PINGs. False once the peer closed the connection (or on error).
  bool Drain(std::chrono::milliseconds timeout);
  // Reads until a frame of `type` arrives (true) or `timeout` passes / the
  // connection closes (false). Types: 0x1 HEADERS, 0x3 RST_STREAM, 0x7 GOAWAY.
  bool WaitForFrame(uint8_t type, std::chrono::milliseconds timeout);
  // Reads what has already arrived, without waiting, acknowledging SETTINGS
  // and PINGs as Drain does (for a caller that polls many connections).
  // False once the peer closed the connection (or on error).
  bool ReadAvailable();
  bool closed() const { return closed_; }
  // The socket, to poll (plaintext connections: with TLS, bytes may wait
  // inside OpenSSL while the socket has none).
  int fd() const { return fd_; }

 private:
  RawH2Connection() = default;
  bool WriteAll(const std::string& bytes);
  // One read of at most `max` bytes, waiting up to `timeout`; empty on
  // timeout; sets closed_ on EOF or error.
  std::string ReadSome(size_t max, std::chrono::milliseconds timeout);
  // Parses complete frames out of in_; returns their types.
  std::vector<uint8_t> TakeFrames();

  int fd_ = -1;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;      // SSL*
  bool closed_ = false;
  std::string in_;
};

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_RAW_H2_H_
