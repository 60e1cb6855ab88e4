#pragma once
// on_strand: runs a member's work on the executor (strand) that owns an object's state, keeping
// the object alive until it ran. The pattern of every "public method hops onto the strand" API:
//
//   void Thing::poke(int n) { on_strand(impl_, [n](Impl& self) { self.poke(n); }); }
//
// `Impl` must have an `executor` member; `fn` runs once, on it, with the Impl.

#include <boost/asio/post.hpp>
#include <memory>
#include <utility>

namespace baton {

template <class Impl, class Fn>
void on_strand(const std::shared_ptr<Impl>& impl, Fn&& fn) {
  boost::asio::post(impl->executor, [impl, fn = std::forward<Fn>(fn)]() mutable { fn(*impl); });
}

}  // namespace baton
