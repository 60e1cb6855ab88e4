#pragma once
// The client's address behind reverse proxies. A TLS proxy in front of Baton (nginx, HAProxy, a
// cloud load balancer) makes every connection come from the proxy's address; it names the client
// in `X-Forwarded-For`. Only proxies the operator lists are believed: anyone else could write that
// header to dodge a per-address limit.
//
// Usage:
//   auto proxies = TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8"});   // Result<TrustedProxies>
//   proxies->client_address("127.0.0.1", "203.0.113.7, 10.1.2.3");      // "203.0.113.7"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace baton::server {

// Immutable after parse(); safe to share between threads.
class TrustedProxies {
 public:
  // Trusts nobody: client_address() is always the peer.
  TrustedProxies() = default;

  // Entries are addresses ("127.0.0.1", "::1") or networks ("10.0.0.0/8", "fd00::/8").
  // kInvalidArgument names the first entry that is neither.
  static Result<TrustedProxies> parse(const std::vector<std::string>& entries);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  // Whether `address` is a trusted proxy (an IPv4-mapped IPv6 address counts as its IPv4 one).
  bool contains(const boost::asio::ip::address& address) const;

  // The client's address for a request from `peer` (the socket's address) carrying
  // `forwarded_for` (the X-Forwarded-For values, comma-separated, oldest first). An untrusted peer
  // is the client. From a trusted peer, the hops are read from the right (the nearest proxy's
  // entry first): the first one that is not a trusted proxy is the client. A malformed entry ends
  // the walk at the last good hop; when every hop is trusted, the leftmost is the client.
  std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace baton::server
