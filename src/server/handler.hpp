#pragma once
// Handler shapes for HTTP routes: a synchronous function returning a Response, or an asynchronous
// one that answers later, from any thread, through a Responder.

#include <atomic>
#include <functional>
#include <memory>

#include "server/http.hpp"

namespace baton::server {

// The one-shot reply channel of an asynchronous handler.
//
// Copyable; all copies share one state. The first send() wins and later calls return false. If
// the connection already answered 504 because ServerOptions::handler_timeout passed, send() still
// returns true but the late answer is discarded (a sequence number tells it apart).
// If every copy is destroyed without send(), the client gets a 500 "ServiceError" (a handler that
// lost a request is a bug, but the client must not hang). Thread-safe: send() may be called from
// any thread; the connection writes the response on its own strand. Sending after the client went
// away or after Server::stop() finished the connection is a harmless no-op.
class Responder {
 public:
  // `deliver` receives the one response; the server's connection supplies it. Tests of handlers
  // may construct a Responder with their own `deliver`.
  explicit Responder(std::function<void(Response)> deliver)
      : state_(std::make_shared<State>(std::move(deliver))) {}

  // Sends `response` unless a response was already sent. Returns true if this call sent it.
  bool send(Response response) const { return state_->send(std::move(response)); }

  // True once a response was sent (by send() or by the connection's timeout).
  bool done() const { return state_->done.load(std::memory_order_acquire); }

 private:
  struct State {
    explicit State(std::function<void(Response)> d) : deliver(std::move(d)) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State();
    bool send(Response response);

    std::atomic<bool> done{false};
    std::function<void(Response)> deliver;
  };

  std::shared_ptr<State> state_;
};

// A synchronous handler runs on the connection's I/O thread; it must not block. Exceptions are
// caught at the boundary and answered with 500 "ServiceError".
using Handler = std::function<Response(const Request&)>;

// An asynchronous handler receives the request by value (it may move it to another thread) and
// answers through the Responder, e.g. after the store's group commit. It is called on the I/O
// thread and must return quickly. If it throws before responding, the client gets a 500.
using AsyncHandler = std::function<void(Request, Responder)>;

}  // namespace baton::server
