#include "server/trusted_proxies.hpp"

#include <algorithm>
#include <optional>

namespace baton::server {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// An IPv4-mapped IPv6 address ("::ffff:10.0.0.1", what a dual-stack socket reports) as IPv4.
ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  const ip::address address = ip::make_address(text, ec);
  if (ec) {
    return std::nullopt;
  }
  return unmapped(address);
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies proxies;
  for (const auto& entry : entries) {
    boost::system::error_code ec;
    if (entry.find('/') == std::string::npos) {
      if (auto address = parse_address(trim(entry))) {
        if (address->is_v4()) {
          proxies.v4_.emplace_back(address->to_v4(), 32);
        } else {
          proxies.v6_.emplace_back(address->to_v6(), 128);
        }
        continue;
      }
    } else if (entry.find(':') == std::string::npos) {
      const ip::network_v4 network = ip::make_network_v4(trim(entry), ec);
      if (!ec) {
        proxies.v4_.push_back(network.canonical());
        continue;
      }
    } else {
      const ip::network_v6 network = ip::make_network_v6(trim(entry), ec);
      if (!ec) {
        proxies.v6_.push_back(network.canonical());
        continue;
      }
    }
    return make_error(
        ErrorCode::kInvalidArgument,
        "trusted proxy '" + entry + "' is neither an IP address nor a network like 10.0.0.0/8");
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& address) const {
  const ip::address a = unmapped(address);
  if (a.is_v4()) {
    const ip::network_v4 host(a.to_v4(), 32);
    return std::any_of(v4_.begin(), v4_.end(),
                       [&](const ip::network_v4& n) { return host == n || host.is_subnet_of(n); });
  }
  const ip::network_v6 host(a.to_v6(), 128);
  return std::any_of(v6_.begin(), v6_.end(),
                     [&](const ip::network_v6& n) { return host == n || host.is_subnet_of(n); });
}

std::string TrustedProxies::client_address(std::string_view peer,
                                           std::string_view forwarded_for) const {
  const std::optional<ip::address> peer_address = parse_address(peer);
  if (empty() || !peer_address || !contains(*peer_address)) {
    return std::string(peer);
  }
  std::string client = peer_address->to_string();
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop =
        trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (hop.empty()) {
      continue;
    }
    const std::optional<ip::address> address = parse_address(hop);
    if (!address) {
      break;
    }
    client = address->to_string();
    if (!contains(*address)) {
      break;
    }
  }
  return client;
}

}  // namespace baton::server
