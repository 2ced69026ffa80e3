#include "tests/server/integration/harness/raw_h2.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>

namespace securebase::integration {
namespace {

constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string FrameHeader(size_t length, uint8_t type, uint8_t flags, uint32_t stream) {
  std::string out(9, '\0');
  out[0] = static_cast<char>((length >> 16) & 0xff);
  out[1] = static_cast<char>((length >> 8) & 0xff);
  out[2] = static_cast<char>(length & 0xff);
  out[3] = static_cast<char>(type);
  out[4] = static_cast<char>(flags);
  out[5] = static_cast<char>((stream >> 24) & 0x7f);
  out[6] = static_cast<char>((stream >> 16) & 0xff);
  out[7] = static_cast<char>((stream >> 8) & 0xff);
  out[8] = static_cast<char>(stream & 0xff);
  return out;
}

// HPACK integer with an N-bit prefix (RFC 7541 5.1).
void AppendInteger(std::string& out, uint8_t first_byte_flags, int prefix_bits, uint64_t value) {
  const uint64_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    out.push_back(static_cast<char>(first_byte_flags | value));
    return;
  }
  out.push_back(static_cast<char>(first_byte_flags | max_prefix));
  value -= max_prefix;
  while (value >= 128) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void AppendString(std::string& out, const std::string& s) {
  AppendInteger(out, 0x00, 7, s.size());  // H = 0: no Huffman.
  out += s;
}

}  // namespace

Headers GrpcRequestHeaders(const std::string& path, const std::string& authority) {
  return {{":method", "POST"},
          {":scheme", "http"},
          {":path", path},
          {":authority", authority},
          {"content-type", "application/grpc"},
          {"te", "trailers"}};
}

std::string GrpcMessage(const std::string& payload, bool compressed) {
  std::string out(5, '\0');
  out[0] = compressed ? 1 : 0;
  const uint32_t n = static_cast<uint32_t>(payload.size());
  out[1] = static_cast<char>(n >> 24);
  out[2] = static_cast<char>((n >> 16) & 0xff);
  out[3] = static_cast<char>((n >> 8) & 0xff);
  out[4] = static_cast<char>(n & 0xff);
  return out + payload;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string EncodeHeaderBlock(const Headers& headers) {
  std::string block;
  for (const auto& [name, value] : headers) {
    block.push_back('\0');  // Literal without indexing, new name.
    AppendString(block, name);
    AppendString(block, value);
  }
  return block;
}

std::unique_ptr<RawH2Connection> RawH2Connection::Connect(int port, bool tls,
                                                          const std::string& source_address) {
  std::unique_ptr<RawH2Connection> c(new RawH2Connection());
  c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd_ < 0) return nullptr;
  if (!source_address.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_address.c_str(), &from.sin_addr);
    if (::bind(c->fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) return nullptr;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return nullptr;
  int one = 1;
  ::setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (tls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    c->ssl_ctx_ = ctx;
    static const unsigned char kAlpn[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof(kAlpn));
    SSL* ssl = SSL_new(ctx);
    c->ssl_ = ssl;
    SSL_set_fd(ssl, c->fd_);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1) return nullptr;
  }
  return c;
}

RawH2Connection::~RawH2Connection() {
  if (ssl_ != nullptr) SSL_free(static_cast<SSL*>(ssl_));
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
  if (fd_ >= 0) ::close(fd_);
}

bool RawH2Connection::WriteAll(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n;
    if (ssl_ != nullptr) {
      n = SSL_write(static_cast<SSL*>(ssl_), bytes.data() + done,
                    static_cast<int>(std::min<size_t>(bytes.size() - done, 1 << 20)));
    } else {
      n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    }
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool RawH2Connection::SendPreface() {
  return WriteAll(std::string(kPreface, sizeof(kPreface) - 1) + FrameHeader(0, 0x4, 0, 0));
}

bool RawH2Connection::SendHeaderBlock(uint32_t stream, const std::string& block, bool end_stream,
                                      size_t frame_bytes) {
  size_t offset = 0;
  bool first = true;
  do {
    const size_t n = std::min(frame_bytes, block.size() - offset);
    const bool last = offset + n == block.size();
    uint8_t flags = last ? 0x4 : 0;  // END_HEADERS
    if (first && end_stream) flags |= 0x1;
    if (!WriteAll(FrameHeader(n, first ? 0x1 : 0x9, flags, stream) + block.substr(offset, n))) {
      return false;
    }
    offset += n;
    first = false;
  } while (offset < block.size());
  return true;
}

bool RawH2Connection::SendData(uint32_t stream, const std::string& data, bool end_stream) {
  size_t offset = 0;
  do {
    const size_t n = std::min<size_t>(16384, data.size() - offset);
    const bool last = offset + n == data.size();
    if (!WriteAll(FrameHeader(n, 0x0, last && end_stream ? 0x1 : 0, stream) +
                  data.substr(offset, n))) {
      return false;
    }
    offset += n;
  } while (offset < data.size());
  return true;
}

bool RawH2Connection::SendBytes(const std::string& bytes) { return WriteAll(bytes); }

std::string RawH2Connection::ReadSome(size_t max, std::chrono::milliseconds timeout) {
  if (closed_) return "";
  if (ssl_ == nullptr || SSL_pending(static_cast<SSL*>(ssl_)) == 0) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
  }
  std::string buffer(max, '\0');
  ssize_t n = ssl_ != nullptr
                  ? SSL_read(static_cast<SSL*>(ssl_), buffer.data(), static_cast<int>(max))
                  : ::recv(fd_, buffer.data(), max, 0);
  if (n <= 0) {
    closed_ = true;
    return "";
  }
  buffer.resize(static_cast<size_t>(n));
  return buffer;
}

std::vector<uint8_t> RawH2Connection::TakeFrames() {
  std::vector<uint8_t> types;
  while (in_.size() >= 9) {
    const size_t length = (static_cast<uint8_t>(in_[0]) << 16) |
                          (static_cast<uint8_t>(in_[1]) << 8) | static_cast<uint8_t>(in_[2]);
    if (in_.size() < 9 + length) break;
    const uint8_t type = static_cast<uint8_t>(in_[3]);
    const uint8_t flags = static_cast<uint8_t>(in_[4]);
    if (type == 0x4 && (flags & 0x1) == 0) WriteAll(FrameHeader(0, 0x4, 0x1, 0));  // SETTINGS ack
    if (type == 0x6 && (flags & 0x1) == 0) {                                       // PING ack
      WriteAll(FrameHeader(8, 0x6, 0x1, 0) + in_.substr(9, 8));
    }
    types.push_back(type);
    in_.erase(0, 9 + length);
  }
  return types;
}

bool RawH2Connection::Drain(std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!closed_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    in_ += ReadSome(65536, left);
    TakeFrames();
  }
  return !closed_;
}

bool RawH2Connection::ReadAvailable() {
  in_ += ReadSome(65536, std::chrono::milliseconds(0));
  TakeFrames();
  return !closed_;
}

bool RawH2Connection::WaitForFrame(uint8_t type, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!closed_) {
    for (uint8_t t : TakeFrames()) {
      if (t == type) return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    in_ += ReadSome(65536, left);
  }
  return false;
}

}  // namespace securebase::integration
