#include "server/handler.hpp"

namespace baton::server {

Responder::State::~State() {
  if (!done.exchange(true, std::memory_order_acq_rel) && deliver) {
    deliver(json_error(http::status::internal_server_error, "ServiceError",
                       "The request was dropped without an answer"));
  }
}

bool Responder::State::send(Response response) {
  if (done.exchange(true, std::memory_order_acq_rel)) {
    return false;
  }
  if (deliver) {
    deliver(std::move(response));
  }
  return true;
}

}  // namespace baton::server
