// Where a call comes from, for the per-source limits of the unauthenticated
// RPCs (hardening finding 6). Never logged.
//
// The source is the peer's IP address -- an IPv6 peer by its /64 network,
// since one subscriber usually holds a whole /64 -- unless the peer is a
// trusted proxy (nginx in front, --trusted-proxies): then it is the address
// that proxy reports in the `x-real-ip` request header (nginx:
// `grpc_set_header X-Real-IP $remote_addr;`). A trusted proxy that sends no
// valid address is its own source.
#ifndef SECUREBASE_SERVER_SERVICE_CALL_SOURCE_H_
#define SECUREBASE_SERVER_SERVICE_CALL_SOURCE_H_

#include <grpcpp/grpcpp.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/src/common/status.h"

namespace securebase::server {

// Exact proxy addresses (normalized IP literals).
class TrustedProxies {
 public:
  TrustedProxies() = default;
  // kInvalidArgument naming the first entry that is not an IP address.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& addresses);
  bool Contains(const std::string& address) const { return addresses_.count(address) > 0; }
  bool empty() const { return addresses_.empty(); }

 private:
  std::set<std::string> addresses_;
};

// An IP literal in one canonical text form ("127.0.0.1", "2001:db8::1"; an
// IPv4-mapped IPv6 address as IPv4); nullopt when `text` is not one.
std::optional<std::string> CanonicalAddress(std::string_view text);

// The limits' key for an address from CanonicalAddress: itself for IPv4,
// the /64 network ("2001:db8:1:2::/64") for IPv6.
std::string SourceKeyOf(const std::string& canonical_address);

// The address in gRPC's peer string ("ipv4:1.2.3.4:5", "ipv6:[::1]:5");
// nullopt for other transports (unix sockets).
std::optional<std::string> PeerAddress(std::string_view peer);

// The source key of a call.
std::string CallSource(const grpc::ServerContextBase& context, const TrustedProxies& proxies);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_CALL_SOURCE_H_
