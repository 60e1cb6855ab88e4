#pragma once
// One-time tickets that open the agent stream. A console asks for one with its session token
// (POST /api/agent/stream/ticket, in the Authorization header) and puts the ticket in the
// WebSocket URL, because browsers cannot set headers on a WebSocket: so the session token itself
// never goes into a URL, where proxies, browser history and access logs would keep it. A ticket is
// 32 random bytes (base64url), works once, and only within its lifetime.
//
// Thread-safe (one mutex). Memory is bounded: at most `max_outstanding` tickets; issuing one more
// drops the oldest.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace baton::agent {

class StreamTickets {
 public:
  // `clock` must outlive the tickets and be safe to call from every calling thread.
  explicit StreamTickets(const Clock& clock,
                         std::chrono::milliseconds ttl = std::chrono::seconds(30),
                         std::size_t max_outstanding = 10000);

  // A new ticket standing for `session_token`.
  std::string issue(std::string session_token);

  // The session token `ticket` was issued for, and the ticket is spent; nullopt when it is
  // unknown, already used or expired.
  std::optional<std::string> redeem(std::string_view ticket);

  std::chrono::milliseconds ttl() const { return ttl_; }
  std::size_t outstanding() const;

 private:
  struct Entry {
    std::string session_token;
    TimePoint expires;
  };

  const Clock& clock_;
  const std::chrono::milliseconds ttl_;
  const std::size_t max_outstanding_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> tickets_;  // guarded by mutex_
  std::deque<std::string> order_;                   // guarded by mutex_: issue order, oldest first
};

}  // namespace baton::agent
