#include "server/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace baton::server {
namespace {

namespace ip = boost::asio::ip;

TrustedProxies proxies(const std::vector<std::string>& entries) {
  auto parsed = TrustedProxies::parse(entries);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? *parsed : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
  const TrustedProxies p = proxies({"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", " 192.0.2.9 "});
  EXPECT_TRUE(p.contains(ip::make_address("127.0.0.1")));
  EXPECT_FALSE(p.contains(ip::make_address("127.0.0.2")));
  EXPECT_TRUE(p.contains(ip::make_address("10.0.0.0")));
  EXPECT_TRUE(p.contains(ip::make_address("10.255.255.255")));
  EXPECT_FALSE(p.contains(ip::make_address("11.0.0.1")));
  EXPECT_TRUE(p.contains(ip::make_address("::1")));
  EXPECT_TRUE(p.contains(ip::make_address("fd12:3456::1")));
  EXPECT_FALSE(p.contains(ip::make_address("fe80::1")));
  EXPECT_TRUE(p.contains(ip::make_address("192.0.2.9")));
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 addresses.
  EXPECT_TRUE(p.contains(ip::make_address("::ffff:10.1.2.3")));
  EXPECT_FALSE(p.contains(ip::make_address("::ffff:11.1.2.3")));
}

TEST(TrustedProxies, NetworksWithHostBitsCoverTheirWholeNetwork) {
  const TrustedProxies p = proxies({"172.16.5.9/12"});
  EXPECT_TRUE(p.contains(ip::make_address("172.31.0.1")));
  EXPECT_FALSE(p.contains(ip::make_address("172.32.0.1")));
}

TEST(TrustedProxies, RejectsWhatIsNeitherAddressNorNetwork) {
  for (const char* bad :
       {"", "localhost", "10.0.0.0/33", "10.0.0/8", "::1/129", "1.2.3.4:80", "10.0.0.0/", "/8"}) {
    auto parsed = TrustedProxies::parse({"127.0.0.1", bad});
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("'" + std::string(bad) + "'"), std::string::npos)
        << parsed.error().message;
  }
}

TEST(TrustedProxies, TrustingNobodyIgnoresTheHeader) {
  const TrustedProxies nobody;
  EXPECT_TRUE(nobody.empty());
  EXPECT_EQ(nobody.client_address("127.0.0.1", "203.0.113.7"), "127.0.0.1");
}

// Behind 127.0.0.1 and 10.0.0.0/8: who the client is for a peer and an X-Forwarded-For.
TEST(TrustedProxies, ClientAddressIsTheNearestUntrustedHop) {
  struct Case {
    const char* peer;
    const char* forwarded_for;
    const char* client;
    const char* why;
  };
  const Case cases[] = {
      {"198.51.100.4", "203.0.113.7", "198.51.100.4", "an untrusted peer is the client"},
      {"127.0.0.1", "203.0.113.7", "203.0.113.7", "one proxy"},
      {"127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.5", "203.0.113.7",
       "the client's own header (a spoof) is left of what the proxies appended"},
      {"127.0.0.1", " 2001:db8::7 ,10.0.0.5", "2001:db8::7", "IPv6, spaces"},
      {"::ffff:127.0.0.1", "::ffff:203.0.113.7", "203.0.113.7", "IPv4-mapped"},
      {"127.0.0.1", "", "127.0.0.1", "no header: the peer"},
      {"127.0.0.1", " , ", "127.0.0.1", "only empty hops: the peer"},
      {"127.0.0.1", "10.0.0.9, 10.0.0.5", "10.0.0.9", "every hop trusted: the leftmost"},
      {"127.0.0.1", "203.0.113.7, unknown, 10.0.0.5", "10.0.0.5",
       "a malformed hop ends the walk at the last good one"},
      {"127.0.0.1", "203.0.113.7:4711", "127.0.0.1", "a hop with a port is malformed"},
  };
  const TrustedProxies p = proxies({"127.0.0.1", "10.0.0.0/8"});
  for (const Case& c : cases) {
    EXPECT_EQ(p.client_address(c.peer, c.forwarded_for), c.client)
        << c.why << ": " << c.peer << " with '" << c.forwarded_for << "'";
  }
}

}  // namespace
}  // namespace baton::server
