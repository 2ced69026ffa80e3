// Source addresses for the per-source limits: parsing gRPC's peer strings,
// one key per IPv4 address and per IPv6 /64, trusted proxies.
#include "server/src/service/call_source.h"

#include <gtest/gtest.h>

namespace securebase::server {
namespace {

TEST(CallSourceTest, PeerStrings) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.2:50123"), "127.0.0.2");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:443"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::1%eth0]:443"), "2001:db8::1");
  EXPECT_EQ(PeerAddress("ipv6:[::ffff:10.0.0.1]:443"), "10.0.0.1");
  EXPECT_EQ(PeerAddress("unix:/tmp/sock"), std::nullopt);
  EXPECT_EQ(PeerAddress("ipv4:nonsense"), std::nullopt);
  EXPECT_EQ(PeerAddress("ipv6:[zz]:1"), std::nullopt);
  EXPECT_EQ(PeerAddress(""), std::nullopt);
}

TEST(CallSourceTest, OneKeyPerIpv4AddressAndPerIpv6Slash64) {
  EXPECT_EQ(SourceKeyOf("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(SourceKeyOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(SourceKeyOf("2001:db8:1:2::1"), SourceKeyOf("2001:db8:1:2:ffff::9"));
  EXPECT_NE(SourceKeyOf("2001:db8:1:2::1"), SourceKeyOf("2001:db8:1:3::1"));
}

TEST(CallSourceTest, CanonicalAddressesOnly) {
  EXPECT_EQ(CanonicalAddress("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(CanonicalAddress("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(CanonicalAddress("10.1.2.3, 10.0.0.1"), std::nullopt) << "a list is not an address";
  EXPECT_EQ(CanonicalAddress("example.org"), std::nullopt);
  EXPECT_EQ(CanonicalAddress(std::string(200, '1')), std::nullopt);
  EXPECT_EQ(CanonicalAddress(""), std::nullopt);
}

TEST(CallSourceTest, TrustedProxies) {
  auto proxies = TrustedProxies::Parse({"127.0.0.1", "::1"});
  ASSERT_TRUE(proxies.ok());
  EXPECT_TRUE(proxies->Contains("127.0.0.1"));
  EXPECT_TRUE(proxies->Contains("::1"));
  EXPECT_FALSE(proxies->Contains("127.0.0.2"));
  auto bad = TrustedProxies::Parse({"127.0.0.1", "nginx.local"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nginx.local"), std::string::npos);
}

}  // namespace
}  // namespace securebase::server
