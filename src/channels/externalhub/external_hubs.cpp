#include "channels/externalhub/external_hubs.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "activity/activity.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "core/request_signature.hpp"
#include "server/http.hpp"
#include "server/http_client.hpp"

namespace baton::externalhub {

namespace asio = boost::asio;
namespace bj = boost::json;
using server::http::status;

namespace {

server::Response error_response(const Error& error) {
  return server::error_response(error, {.parse = "BadArgument"});
}

// The alphabet the channels issue conversation ids in (base64url), 1..128 characters.
bool is_conversation_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
  });
}

std::string header(const server::Request& request, std::string_view name) {
  auto it = request.message.find(boost::beast::string_view(name.data(), name.size()));
  return it == request.message.end() ? std::string() : std::string(it->value());
}

}  // namespace

struct ExternalHubs::Impl : std::enable_shared_from_this<ExternalHubs::Impl> {
  struct Job {
    engagement::ExternalHubTarget target = {};
    std::string what = {};  // for logs: "handoff.initiate", "message", ...
    std::string body = {};
    std::function<void(bool)> done = {};  // may be empty
    int attempts = 0;
  };
  struct Queue {
    std::deque<Job> waiting;
    bool busy = false;
  };

  Impl(engagement::Engagement& e, const asio::any_io_executor& ex,
       std::vector<engagement::ExternalHubTarget> h, ExternalHubOptions o)
      : engagement(e),
        executor(ex),
        strand(asio::make_strand(ex)),
        hubs(std::move(h)),
        options(std::move(o)) {
    client.timeout = options.timeout;
    client.max_response_bytes = std::size_t{64} * 1024;
  }

  // --- outbound, on the strand
  void enqueue(const std::string& conversation, Job job) {
    Queue& q = queues[conversation];
    if (q.waiting.size() >= options.max_queued_per_conversation) {
      dropped.add();
      spdlog::warn("external hub '{}': conversation {}: {} requests waiting; dropped a {}",
                   job.target.queue, conversation, q.waiting.size(), job.what);
      if (job.done) {
        job.done(false);
      }
      return;
    }
    q.waiting.push_back(std::move(job));
    if (!q.busy) {
      q.busy = true;
      attempt(conversation);
    }
  }

  std::string prepare(bj::object activity, const engagement::ExternalHubTarget& target) const {
    if (std::string url = options.service_url->get(); !url.empty()) {
      activity["serviceUrl"] = url;
    }
    activity["recipient"] = bj::object{{"id", "external:" + target.queue}, {"name", target.queue}};
    return json::dump(activity);
  }

  void attempt(const std::string& conversation) {
    Job& job = queues[conversation].waiting.front();
    job.attempts += 1;
    const std::string timestamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    server::HttpClientRequest request;
    request.method = "POST";
    request.url = job.target.url;
    request.body = job.body;
    request.headers.emplace_back(request_signature::kTimestampHeader, timestamp);
    request.headers.emplace_back(request_signature::kSignatureHeader,
                                 request_signature::sign(job.target.secret, timestamp, job.body));
    server::http_request(
        executor, std::move(request), client,
        [self = shared_from_this(), conversation](Result<server::HttpClientResponse> result) {
          asio::post(self->strand, [self, conversation, result = std::move(result)] {
            self->finished(conversation, result);
          });
        });
  }

  void finished(const std::string& conversation, const Result<server::HttpClientResponse>& result) {
    Queue& q = queues[conversation];
    Job& job = q.waiting.front();
    const bool ok = result.ok() && result->status >= 200 && result->status < 300;
    if (!ok) {
      const std::string why = result.ok() ? fmt::format("it answered HTTP {}", result->status)
                                          : fmt::format("{}: {}", to_string(result.error().code),
                                                        result.error().message);
      if (job.attempts < options.max_attempts) {
        retried.add();
        const auto delay = options.initial_backoff * (1 << std::min(job.attempts - 1, 10));
        spdlog::info(
            "external hub '{}': conversation {}: {} attempt {} failed ({}); retrying in {} ms",
            job.target.queue, conversation, job.what, job.attempts, why, delay.count());
        auto timer = std::make_shared<asio::steady_timer>(strand, delay);
        timer->async_wait(
            [self = shared_from_this(), timer, conversation](const boost::system::error_code& ec) {
              if (!ec) {
                self->attempt(conversation);
              }
            });
        return;
      }
      failed.add();
      spdlog::warn("external hub '{}': conversation {}: {} given up after {} attempts ({})",
                   job.target.queue, conversation, job.what, job.attempts, why);
    } else {
      delivered.add();
    }
    if (job.done) {
      job.done(ok);
    }
    q.waiting.pop_front();
    if (!q.waiting.empty()) {
      attempt(conversation);
      return;
    }
    queues.erase(conversation);
    if (queues.empty()) {
      for (auto& waiter : std::exchange(drain_waiters, {})) {
        waiter();
      }
    }
  }

  // --- inbound (I/O threads)

  // The queue whose hub signed the request; nullopt when none did (or the timestamp is stale).
  std::optional<std::string> authenticate(const server::Request& request) const {
    const std::string timestamp = header(request, request_signature::kTimestampHeader);
    const std::string signature = header(request, request_signature::kSignatureHeader);
    if (timestamp.empty() || signature.empty() ||
        !request_signature::fresh(timestamp, std::chrono::system_clock::now())) {
      return std::nullopt;
    }
    std::optional<std::string> match;
    for (const auto& hub : hubs) {  // every secret is tried: the time does not say which matched
      if (request_signature::verify(hub.secret, timestamp, request.body(), signature) && !match) {
        match = hub.queue;
      }
    }
    return match;
  }

  // Authenticates and checks the id; answers and returns nullopt when the request is refused.
  std::optional<std::string> admit(const server::Request& request,
                                   const server::Responder& responder) {
    auto queue = authenticate(request);
    if (!queue) {
      refused.add();
      responder.send(
          server::json_error(status::unauthorized, "Unauthorized",
                             "missing, stale or wrong X-Baton-Timestamp / X-Baton-Signature"));
      return std::nullopt;
    }
    if (!is_conversation_id(request.param("conversationId"))) {
      responder.send(server::json_error(status::not_found, "NotFound", "no such conversation"));
      return std::nullopt;
    }
    return queue;
  }

  void post_status(const server::Request& request, const server::Responder& responder) {
    auto queue = admit(request, responder);
    if (!queue) {
      return;
    }
    const std::string conversation(request.param("conversationId"));
    auto body = json::parse(request.body());
    if (!body.ok() || !body->is_object()) {
      responder.send(
          server::json_error(status::bad_request, "BadArgument", "the body must be a JSON object"));
      return;
    }
    const bj::object& o = body->as_object();
    for (const auto& [key, value] : o) {
      if (key != "state" && key != "message") {
        responder.send(server::json_error(status::bad_request, "BadArgument",
                                          fmt::format("unknown field '{}'", std::string(key))));
        return;
      }
    }
    const bj::value* state_value = o.if_contains("state");
    auto state = state_value != nullptr && state_value->is_string()
                     ? hub::parse_external_state(state_value->as_string())
                     : std::nullopt;
    if (!state) {
      responder.send(server::json_error(status::bad_request, "BadArgument",
                                        "state: one of accepted, failed, completed"));
      return;
    }
    std::string message;
    if (const bj::value* m = o.if_contains("message")) {
      if (!m->is_string() || m->as_string().size() > options.max_message_length) {
        responder.send(server::json_error(
            status::bad_request, "BadArgument",
            fmt::format("message: a string of at most {} bytes", options.max_message_length)));
        return;
      }
      message = std::string(m->as_string());
    }
    spdlog::info("external hub '{}': conversation {}: {}{}{}", *queue, conversation,
                 hub::to_string(*state), message.empty() ? "" : ": ", message);
    engagement.external_status(
        *queue, conversation, *state, message,
        [self = shared_from_this(), responder, state = *state](const Result<bool>& r) {
          if (!r.ok()) {
            responder.send(error_response(r.error()));
            return;
          }
          self->received.add();
          responder.send(
              server::json_response(status::ok, bj::object{{"state", hub::to_string(state)}}));
        });
  }

  void post_activity(const server::Request& request, const server::Responder& responder) {
    auto queue = admit(request, responder);
    if (!queue) {
      return;
    }
    const std::string conversation(request.param("conversationId"));
    auto parsed = activity::parse(request.body());
    if (!parsed.ok()) {
      responder.send(error_response(parsed.error()));
      return;
    }
    activity::Activity a = std::move(*parsed);
    if (a.type != "message" && a.type != "typing") {
      responder.send(server::json_error(status::bad_request, "BadArgument",
                                        "type: an external hub sends a message or typing"));
      return;
    }
    engagement.external_send(
        *queue, conversation, std::move(a),
        [self = shared_from_this(), responder](const Result<engagement::PostResult>& r) {
          if (!r.ok()) {
            responder.send(error_response(r.error()));
            return;
          }
          self->received.add();
          responder.send(server::json_response(status::ok, bj::object{{"id", r->id}}));
        });
  }

  engagement::Engagement& engagement;
  asio::any_io_executor executor;
  asio::strand<asio::any_io_executor> strand;
  const std::vector<engagement::ExternalHubTarget> hubs;
  ExternalHubOptions options;
  server::HttpClientOptions client;
  std::unordered_map<std::string, Queue> queues;
  std::vector<std::function<void()>> drain_waiters;  // drain(): called once `queues` is empty
  metrics::Counter delivered;
  metrics::Counter retried;
  metrics::Counter failed;
  metrics::Counter dropped;
  metrics::Counter received;
  metrics::Counter refused;
};

ExternalHubs::ExternalHubs(engagement::Engagement& engagement,
                           const asio::any_io_executor& executor,
                           std::vector<engagement::ExternalHubTarget> hubs,
                           ExternalHubOptions options)
    : impl_(std::make_shared<Impl>(engagement, executor, std::move(hubs), std::move(options))) {}

ExternalHubs::~ExternalHubs() = default;

void ExternalHubs::drain(std::function<void()> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)]() mutable {
    if (impl->queues.empty()) {
      done();
    } else {
      spdlog::info("external hubs: stopping; {} conversation(s) with requests still to send",
                   impl->queues.size());
      impl->drain_waiters.push_back(std::move(done));
    }
  });
}

void ExternalHubs::initiate(const engagement::ExternalHubTarget& target,
                            const std::string& conversation, boost::json::object initiate,
                            std::function<void(bool)> done) {
  if (!impl_->options.send_handoffs) {
    spdlog::info("external hub '{}': conversation {}: the handoff is sent when Baton serves",
                 target.queue, conversation);
    return;  // neither delivered nor failed: it stays waiting
  }
  asio::post(impl_->strand, [impl = impl_, target, conversation, a = std::move(initiate),
                             done = std::move(done)]() mutable {
    std::string body = impl->prepare(std::move(a), target);
    impl->enqueue(conversation,
                  Impl::Job{target, "handoff.initiate", std::move(body), std::move(done)});
  });
}

void ExternalHubs::forward(const engagement::ExternalHubTarget& target,
                           const std::string& conversation, boost::json::object activity) {
  asio::post(impl_->strand,
             [impl = impl_, target, conversation, a = std::move(activity)]() mutable {
               std::string what(json::string_at(a, "type"));
               std::string body = impl->prepare(std::move(a), target);
               impl->enqueue(conversation, Impl::Job{target, std::move(what), std::move(body), {}});
             });
}

Status ExternalHubs::register_routes(server::Router& router) {
  server::RouteOptions route;
  route.max_body_bytes = impl_->options.max_body_bytes;
  route.cors = false;           // an external hub calls from a server, never from a browser
  route.while_stopping = true;  // its answers to what drain() still sends
  auto status_handler = [impl = impl_](const server::Request& request,
                                       const server::Responder& responder) {
    impl->post_status(request, responder);
  };
  auto activity_handler = [impl = impl_](const server::Request& request,
                                         const server::Responder& responder) {
    impl->post_activity(request, responder);
  };
  if (Status s =
          router.add_async(server::http::verb::post, "/api/handoff/{conversationId}/activities",
                           activity_handler, route);
      !s.ok()) {
    return s;
  }
  return router.add_async(server::http::verb::post, "/api/handoff/{conversationId}/status",
                          status_handler, route);
}

ExternalHubStats ExternalHubs::stats() const {
  return {impl_->delivered.value(), impl_->retried.value(),  impl_->failed.value(),
          impl_->dropped.value(),   impl_->received.value(), impl_->refused.value()};
}

}  // namespace baton::externalhub
