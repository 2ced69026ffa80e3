#include "server/src/service/call_source.h"

#include <arpa/inet.h>

#include <cstring>

namespace securebase::server {

std::optional<std::string> CanonicalAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string input(text);
  char out[INET6_ADDRSTRLEN];
  in_addr v4{};
  if (inet_pton(AF_INET, input.c_str(), &v4) == 1) {
    if (inet_ntop(AF_INET, &v4, out, sizeof(out)) == nullptr) return std::nullopt;
    return std::string(out);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, input.c_str(), &v6) != 1) return std::nullopt;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::memcpy(&v4, &v6.s6_addr[12], sizeof(v4));
    if (inet_ntop(AF_INET, &v4, out, sizeof(out)) == nullptr) return std::nullopt;
    return std::string(out);
  }
  if (inet_ntop(AF_INET6, &v6, out, sizeof(out)) == nullptr) return std::nullopt;
  return std::string(out);
}

std::string SourceKeyOf(const std::string& canonical_address) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, canonical_address.c_str(), &v6) != 1) return canonical_address;
  std::memset(&v6.s6_addr[8], 0, 8);
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, &v6, out, sizeof(out)) == nullptr) return canonical_address;
  return std::string(out) + "/64";
}

std::optional<std::string> PeerAddress(std::string_view peer) {
  std::string_view rest;
  if (peer.substr(0, 5) == "ipv4:") {
    rest = peer.substr(5);
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    return CanonicalAddress(rest.substr(0, colon));
  }
  if (peer.substr(0, 5) == "ipv6:") {
    rest = peer.substr(5);
    if (rest.empty() || rest[0] != '[') return std::nullopt;
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view host = rest.substr(1, close - 1);
    // A zone ("fe80::1%eth0") is not part of the address.
    host = host.substr(0, host.find('%'));
    return CanonicalAddress(host);
  }
  return std::nullopt;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& addresses) {
  TrustedProxies proxies;
  for (const std::string& address : addresses) {
    auto canonical = CanonicalAddress(address);
    if (!canonical.has_value()) {
      return Status::InvalidArgument("bad value '" + address +
                                     "' for --trusted-proxies: expected IP addresses");
    }
    proxies.addresses_.insert(*canonical);
  }
  return proxies;
}

std::string CallSource(const grpc::ServerContextBase& context, const TrustedProxies& proxies) {
  auto peer = PeerAddress(context.peer());
  if (!peer.has_value()) return "local";
  if (!proxies.empty() && proxies.Contains(*peer)) {
    const auto& metadata = context.client_metadata();
    auto found = metadata.find("x-real-ip");
    if (found != metadata.end()) {
      auto real = CanonicalAddress(std::string_view(found->second.data(), found->second.size()));
      if (real.has_value()) return SourceKeyOf(*real);
    }
  }
  return SourceKeyOf(*peer);
}

}  // namespace securebase::server
