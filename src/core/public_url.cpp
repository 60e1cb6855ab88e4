#include "core/public_url.hpp"

#include <utility>

namespace baton {

void PublicUrl::set(std::string url) {
  while (url.ends_with('/')) {
    url.pop_back();
  }
  const std::lock_guard lock(mutex_);
  url_ = std::move(url);
}

std::string PublicUrl::get() const {
  const std::lock_guard lock(mutex_);
  return url_;
}

}  // namespace baton
