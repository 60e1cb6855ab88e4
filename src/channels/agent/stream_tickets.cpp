#include "channels/agent/stream_tickets.hpp"

#include <algorithm>
#include <vector>

#include "core/signed_token.hpp"

namespace baton::agent {

StreamTickets::StreamTickets(const Clock& clock, std::chrono::milliseconds ttl,
                             std::size_t max_outstanding)
    : clock_(clock), ttl_(ttl), max_outstanding_(std::max<std::size_t>(max_outstanding, 1)) {}

std::string StreamTickets::issue(std::string session_token) {
  const std::vector<unsigned char> bytes = signed_token::random_bytes(32);
  std::string ticket = signed_token::to_base64url(bytes.data(), bytes.size());
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  // Forget what is spent or expired at the front, then make room.
  while (!order_.empty()) {
    auto it = tickets_.find(order_.front());
    if (it != tickets_.end() && it->second.expires > now && tickets_.size() < max_outstanding_) {
      break;
    }
    if (it != tickets_.end()) {
      tickets_.erase(it);
    }
    order_.pop_front();
  }
  tickets_.emplace(ticket, Entry{std::move(session_token), now + ttl_});
  order_.push_back(ticket);
  return ticket;
}

std::optional<std::string> StreamTickets::redeem(std::string_view ticket) {
  std::lock_guard lock(mutex_);
  auto it = tickets_.find(std::string(ticket));
  if (it == tickets_.end()) {
    return std::nullopt;
  }
  Entry entry = std::move(it->second);
  tickets_.erase(it);  // its place in order_ is dropped lazily by issue()
  if (entry.expires <= clock_.now()) {
    return std::nullopt;
  }
  return std::move(entry.session_token);
}

std::size_t StreamTickets::outstanding() const {
  std::lock_guard lock(mutex_);
  return tickets_.size();
}

}  // namespace baton::agent
