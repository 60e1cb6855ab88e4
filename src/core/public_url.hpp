#pragma once
// Baton's public base URL: the prefix of attachment links, the Bot Framework service URL bots and
// external hubs call back at, and the issuer of Baton's channel tokens. It is known only once the
// server has bound its port, so the server sets it once, before it serves, and every channel reads
// the one value from here (each holds a shared_ptr to the same object).
//
// Thread safety: get() and set() may be called from any thread.

#include <mutex>
#include <string>

namespace baton {

class PublicUrl {
 public:
  PublicUrl() = default;
  explicit PublicUrl(std::string url) { set(std::move(url)); }

  // Stores `url` without its trailing '/'s.
  void set(std::string url);
  // The URL, "" until set.
  std::string get() const;

 private:
  mutable std::mutex mutex_;
  std::string url_;
};

}  // namespace baton
