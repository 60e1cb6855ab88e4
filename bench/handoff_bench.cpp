// Handoff benchmark for `baton serve`: the time from a customer's escalation message to
// the `offer` message on an agent's console WebSocket, at an open-loop rate of handoffs.
//
// Set-up (not measured): K agents log in (POST /api/agent/login), open their stream WebSocket
// (GET /api/agent/stream, first frame `hello`) and set themselves available (PUT
// /api/agent/presence); then one Direct Line conversation per planned handoff is created and its
// WebSocket opened (the greeting runs here). Measured: handoff k is sent at start + k / rate
// (POST .../activities with the escalation text, default "talk to an agent") on conversation k;
//  - offer latency: from that SCHEDULED time (no coordinated omission) to the first `offer` for
//    the conversation on any agent's stream;
//  - reply latency, the baseline in the same run: from the same scheduled time to the bot's first
//    reply (replyToId = the posted activity's id) on the customer's socket — the bot's own turn,
//    which the handoff request is part of;
//  - gap: offer arrival − reply arrival of the same handoff (the hub's own share; may be negative).
// Agents accept each offer (--handling accept), accept then end it with mode close and finish the
// wrap-up (accept-close, capacity frees), or leave it pending (none).
//
// Output: one `key=value ...` line on stdout (parsed by bench/run_handoff_bench.sh), progress on
// stderr. Exit 0 when the run completed (figures may still show errors), 1 when set-up failed.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_client.hpp"

namespace {

using namespace baton::bench;  // NOLINT: the bench's own vocabulary (asio, beast, json, Clock, ...)

struct Options {
  Target target;
  std::string secret;
  int agents = 10;
  std::string agent_prefix = "bench-agent-";
  std::string password;
  double rate = 500;     // handoffs per second
  double duration = 10;  // seconds of sending, warm-up included
  double warmup = 2;     // seconds at the start excluded from the figures
  double drain = 15;     // seconds to wait for late offers and replies after the last send
  std::string text = "talk to an agent";
  std::string handling = "accept";  // none | accept | accept-close
  int http_connections = 16;        // customers' keep-alive POST connections
  int agent_connections = 8;        // agents' keep-alive connections (accept, end, wrap-up)
  int setup_concurrency = 32;
};

struct Agent {
  std::string id;
  std::string token;
  std::unique_ptr<Ws> ws;
  bool hello = false;
  bool available = false;
  std::uint64_t offers = 0;
};

struct Customer {
  DlConversation dl;
  std::unique_ptr<Ws> ws;
  bool open = false;
  bool measured = false;  // sent inside the measured window
  std::int64_t k = -1;    // its send's sequence number, -1 before it is sent
  std::string posted_id;  // the escalation activity's id, from the POST's answer
  bool replied = false;
  bool offered = false;
  Clock::time_point replied_at, offered_at;
  std::vector<std::pair<std::string, Clock::time_point>> early;  // replies before the POST answer
};

struct AgentJob {
  int agent;
  int customer;
  json::value offer_id;
};

// The whole run on one io_context (one thread): the generator's work is small next to the server's.
class Bench {
 public:
  explicit Bench(const Options& o)
      : o_(o),
        agents_(static_cast<std::size_t>(o.agents)),
        customers_(static_cast<std::size_t>(std::llround(o.rate * o.duration))) {}

  int run() {
    int code = 1;
    asio::co_spawn(io_, main_task(),
                   [&code](const std::exception_ptr& e, int c) { code = e ? 1 : c; });
    io_.run();
    return code;
  }

 private:
  const Options& o_;
  asio::io_context io_{1};
  std::vector<Agent> agents_;
  std::vector<Customer> customers_;
  std::unordered_map<std::string, int> by_conversation_;
  std::deque<int> post_queue_;
  std::deque<AgentJob> agent_jobs_;
  bool sending_done_ = false;
  int jobs_in_flight_ = 0;  // agent jobs taken from agent_jobs_ and not finished
  bool stopping_ = false;
  Clock::time_point start_;
  std::size_t next_agent_ = 0, next_customer_ = 0;
  std::vector<std::uint32_t> offer_us_, reply_us_;
  std::vector<std::int64_t> gap_us_;  // offer − reply of one handoff: the hub's own share
  std::uint64_t sent_ = 0, measured_ = 0, acked_ = 0, post_errors_ = 0, offers_ = 0,
                window_offers_ = 0, reoffers_ = 0, withdrawn_ = 0, unknown_offers_ = 0,
                stream_errors_ = 0, accepted_ = 0, accept_errors_ = 0, end_errors_ = 0,
                agent_setup_errors_ = 0, customer_setup_errors_ = 0, closed_agent_streams_ = 0,
                replies_ = 0, offered_total_ = 0;

  Clock::time_point at(double seconds) const {
    return start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
  }
  Clock::time_point scheduled(std::int64_t k) const { return at(double(k) / o_.rate); }
  bool in_window(Clock::time_point t) const { return t >= at(o_.warmup) && t <= at(o_.duration); }

  awaitable<void> sleep_ms(int ms) {
    asio::steady_timer timer(io_);
    timer.expires_after(std::chrono::milliseconds(ms));
    co_await timer.async_wait(kTuple);
  }

  // Runs `count` copies of `task` and waits until all returned.
  template <typename Task>
  awaitable<void> run_parallel(int count, Task task) {
    auto remaining = std::make_shared<int>(count);
    for (int i = 0; i < count; ++i) {
      asio::co_spawn(io_, task(), [remaining](const std::exception_ptr&) { --*remaining; });
    }
    while (*remaining > 0) {
      co_await sleep_ms(5);
    }
  }

  // --- agents

  awaitable<bool> agent_call(beast::tcp_stream& stream, const Agent& a, http::verb verb,
                             std::string path, json::object body, unsigned& status) {
    auto reply =
        co_await call(stream, o_.target, verb, std::move(path), a.token, json::serialize(body));
    status = reply.status;
    co_return reply.status == 200;
  }

  awaitable<void> setup_agents() {
    beast::tcp_stream stream(io_);
    bool connected = co_await connect(stream, o_.target);
    while (connected && next_agent_ < agents_.size()) {
      auto& a = agents_[next_agent_];
      a.id = fmt::format("{}{}", o_.agent_prefix, ++next_agent_);
      // (GCC 12: no string literals or braced lists directly in a co_await call's arguments.)
      const std::string login_path("/api/agent/login");
      const std::string login_body =
          json::serialize(json::object{{"agentId", a.id}, {"password", o_.password}});
      const auto login =
          co_await call(stream, o_.target, http::verb::post, login_path, std::string(), login_body);
      a.token = string_field(login.body, "token");
      a.ws = std::make_unique<Ws>(io_);
      bool opened = false;
      if (login.status == 200 && !a.token.empty()) {
        opened =
            co_await open_ws(*a.ws, o_.target, "/api/agent/stream?token=" + url_encode(a.token));
      }
      if (!opened) {
        fmt::print(stderr, "handoff_bench: agent {}: login {} {}\n", a.id, login.status,
                   login.body);
        ++agent_setup_errors_;
        continue;
      }
      asio::co_spawn(io_, agent_reader(a), asio::detached);
      unsigned status = 0;
      const std::string presence_path("/api/agent/presence");
      json::object presence;
      presence["presence"] = "available";
      a.available =
          co_await agent_call(stream, a, http::verb::put, presence_path, presence, status);
      if (!a.available) {
        fmt::print(stderr, "handoff_bench: agent {}: presence {}\n", a.id, status);
        ++agent_setup_errors_;
      }
    }
  }

  awaitable<void> agent_reader(Agent& a) {
    beast::flat_buffer buffer;
    const int index = static_cast<int>(&a - agents_.data());
    for (;;) {
      auto [error, n] = co_await a.ws->async_read(buffer, kTuple);
      if (error) {
        if (!stopping_) {
          ++closed_agent_streams_;
        }
        co_return;
      }
      const auto data = buffer.cdata();
      on_agent_frame(index, std::string_view(static_cast<const char*>(data.data()), n),
                     Clock::now());
      buffer.consume(buffer.size());
    }
  }

  void on_offer(int agent, const json::object& m, Clock::time_point now) {
    const auto* conv = m.if_contains("conversationId");
    const auto it = conv && conv->is_string()
                        ? by_conversation_.find(std::string(conv->get_string()))
                        : by_conversation_.end();
    if (it == by_conversation_.end()) {
      ++unknown_offers_;
      return;
    }
    auto& c = customers_[static_cast<std::size_t>(it->second)];
    if (c.offered) {
      ++reoffers_;
    } else if (c.k >= 0) {
      c.offered = true;
      c.offered_at = now;
      note_gap(c);
      ++offered_total_;
      if (in_window(now)) {
        ++window_offers_;
      }
      if (c.measured) {
        offer_us_.push_back(micros(now - scheduled(c.k)));
      }
    }
    ++offers_;
    ++agents_[static_cast<std::size_t>(agent)].offers;
    if (o_.handling != "none") {
      const auto* offer_id = m.if_contains("offerId");
      agent_jobs_.push_back({agent, it->second, offer_id ? *offer_id : json::value()});
    }
  }

  void on_agent_frame(int agent, std::string_view frame, Clock::time_point now) {
    boost::system::error_code error;
    const auto value = json::parse(frame, error);
    const auto* m = error ? nullptr : value.if_object();
    const auto* type = m ? m->if_contains("type") : nullptr;
    if (type == nullptr || !type->is_string()) {
      return;  // keep-alive or not ours
    }
    const std::string_view t = type->get_string();
    if (t == "hello") {
      agents_[static_cast<std::size_t>(agent)].hello = true;
    } else if (t == "offer") {
      on_offer(agent, *m, now);
    } else if (t == "offer_withdrawn") {
      ++withdrawn_;
    } else if (t == "error") {
      ++stream_errors_;
      fmt::print(stderr, "handoff_bench: stream error: {}\n", frame);
    }
  }

  // Accepts (and with accept-close ends and wraps up) the offers the agents received.
  awaitable<void> agent_worker() {
    beast::tcp_stream stream(io_);
    co_await connect(stream, o_.target);
    while (!stopping_) {
      if (agent_jobs_.empty()) {
        co_await sleep_ms(2);
        continue;
      }
      const AgentJob job = agent_jobs_.front();
      agent_jobs_.pop_front();
      ++jobs_in_flight_;
      co_await handle(stream, job);
      --jobs_in_flight_;
    }
  }

  // One offer: accept it (and with accept-close end it and finish the wrap-up).
  awaitable<void> handle(beast::tcp_stream& stream, AgentJob job) {
    const auto& a = agents_[static_cast<std::size_t>(job.agent)];
    const auto& c = customers_[static_cast<std::size_t>(job.customer)];
    unsigned status = 0;
    const auto base = fmt::format("/api/agent/offers/{}/accept", c.dl.id);
    json::object accept;
    accept["offerId"] = job.offer_id;
    if (!co_await agent_call(stream, a, http::verb::post, base, accept, status)) {
      ++accept_errors_;
      fmt::print(stderr, "handoff_bench: accept {}: {}\n", c.dl.id, status);
      if (status == 0) {
        stream.close();
        co_await connect(stream, o_.target);
      }
      co_return;
    }
    ++accepted_;
    if (o_.handling == "accept-close") {
      const auto conv = fmt::format("/api/agent/conversations/{}", c.dl.id);
      const std::string end_path = conv + "/end", wrapup_path = conv + "/wrapup";
      json::object end, empty;
      end["mode"] = "close";
      bool ok = co_await agent_call(stream, a, http::verb::post, end_path, end, status);
      if (ok) {
        ok = co_await agent_call(stream, a, http::verb::post, wrapup_path, empty, status);
      }
      end_errors_ += ok ? 0 : 1;
    }
  }

  // --- customers

  awaitable<void> setup_customers() {
    beast::tcp_stream stream(io_);
    bool connected = co_await connect(stream, o_.target);
    while (next_customer_ < customers_.size()) {
      const auto index = next_customer_++;
      auto& c = customers_[index];
      bool created = false;
      for (int attempt = 0; attempt < 3 && !created; ++attempt) {
        if (connected) {
          created = co_await create_conversation(stream, o_.target, o_.secret,
                                                 fmt::format("hb-{}", index), c.dl);
        }
        if (!created) {
          stream.close();
          connected = co_await connect(stream, o_.target);
        }
      }
      c.ws = std::make_unique<Ws>(io_);
      if (created) {
        c.open = co_await open_ws(*c.ws, o_.target, c.dl.ws_target);
      }
      if (!c.open) {
        ++customer_setup_errors_;
        continue;
      }
      by_conversation_.emplace(c.dl.id, static_cast<int>(index));
      asio::co_spawn(io_, customer_reader(c), asio::detached);
    }
  }

  awaitable<void> customer_reader(Customer& c) {
    beast::flat_buffer buffer;
    for (;;) {
      auto [error, n] = co_await c.ws->async_read(buffer, kTuple);
      if (error) {
        co_return;
      }
      const auto data = buffer.cdata();
      on_customer_frame(c, std::string_view(static_cast<const char*>(data.data()), n),
                        Clock::now());
      buffer.consume(buffer.size());
    }
  }

  void note_gap(const Customer& c) {
    if (c.measured && c.offered && c.replied) {
      gap_us_.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(c.offered_at - c.replied_at)
              .count());
    }
  }

  void on_reply(Customer& c, Clock::time_point now) {
    c.replied = true;
    c.replied_at = now;
    note_gap(c);
    ++replies_;
    if (c.measured) {
      reply_us_.push_back(micros(now - scheduled(c.k)));
    }
  }

  void on_customer_frame(Customer& c, std::string_view frame, Clock::time_point now) {
    if (c.k < 0 || c.replied) {
      return;  // the greeting, or later messages of the live part
    }
    boost::system::error_code error;
    const auto value = json::parse(frame, error);
    const auto* m = error ? nullptr : value.if_object();
    const auto* activities = m ? m->if_contains("activities") : nullptr;
    if (activities == nullptr || !activities->is_array()) {
      return;
    }
    for (const auto& a : activities->get_array()) {
      const auto* obj = a.if_object();
      const auto* reply_to = obj ? obj->if_contains("replyToId") : nullptr;
      if (reply_to == nullptr || !reply_to->is_string()) {
        continue;
      }
      const std::string id(reply_to->get_string());
      if (!c.posted_id.empty() && id == c.posted_id) {
        on_reply(c, now);
        return;
      }
      if (c.posted_id.empty()) {
        c.early.emplace_back(id, now);
      }
    }
  }

  void on_ack(Customer& c, std::string id) {
    ++acked_;
    for (const auto& [early_id, when] : c.early) {
      if (early_id == id) {
        c.posted_id = std::move(id);
        on_reply(c, when);
        return;
      }
    }
    c.posted_id = std::move(id);
  }

  awaitable<void> poster() {
    beast::tcp_stream stream(io_);
    bool connected = co_await connect(stream, o_.target);
    for (;;) {
      if (post_queue_.empty()) {
        if (sending_done_) {
          co_return;
        }
        co_await sleep_ms(1);
        continue;
      }
      auto& c = customers_[static_cast<std::size_t>(post_queue_.front())];
      post_queue_.pop_front();
      const auto body = json::serialize(json::object{
          {"type", "message"},
          {"text", o_.text},
          {"from",
           json::object{{"id", fmt::format("hb-{}", &c - customers_.data())}, {"role", "user"}}}});
      Reply result;
      if (connected) {
        result = co_await call(stream, o_.target, http::verb::post,
                               fmt::format("/v3/directline/conversations/{}/activities", c.dl.id),
                               c.dl.token, body);
      }
      if (auto id = string_field(result.body, "id"); result.status == 200 && !id.empty()) {
        on_ack(c, std::move(id));
        continue;
      }
      ++post_errors_;
      if (result.status == 0) {
        stream.close();
        connected = co_await connect(stream, o_.target);
      }
    }
  }

  // Open loop: handoff k goes to the post queue at start + k / rate, whatever the server does.
  awaitable<void> schedule() {
    asio::steady_timer timer(io_);
    const auto total = static_cast<std::int64_t>(customers_.size());
    for (std::int64_t k = 0; k < total;) {
      const auto now = Clock::now();
      for (; k < total && scheduled(k) <= now; ++k) {
        auto& c = customers_[static_cast<std::size_t>(k)];
        if (!c.open) {
          continue;
        }
        c.k = k;
        c.measured = scheduled(k) >= at(o_.warmup);
        ++sent_;
        measured_ += c.measured ? 1 : 0;
        post_queue_.push_back(static_cast<int>(k));
      }
      if (k < total) {
        timer.expires_at(scheduled(k));
        co_await timer.async_wait(kTuple);
      }
    }
    sending_done_ = true;
  }

  bool all_answered() const {
    return std::all_of(customers_.begin(), customers_.end(),
                       [](const Customer& c) { return c.k < 0 || (c.offered && c.replied); }) &&
           agent_jobs_.empty();
  }

  awaitable<int> main_task() {
    co_await run_parallel(std::min(4, o_.agents), [this] { return setup_agents(); });
    co_await sleep_ms(200);  // the hello frames
    int ready = 0;
    for (const auto& a : agents_) {
      ready += (a.hello && a.available) ? 1 : 0;
    }
    fmt::print(stderr, "handoff_bench: {} of {} agents available\n", ready, o_.agents);
    if (ready == 0) {
      co_return 1;
    }
    const auto setup_start = Clock::now();
    co_await run_parallel(o_.setup_concurrency, [this] { return setup_customers(); });
    fmt::print(stderr, "handoff_bench: {} conversations open after {:.1f} s ({} errors)\n",
               by_conversation_.size(),
               std::chrono::duration<double>(Clock::now() - setup_start).count(),
               customer_setup_errors_);
    co_await sleep_ms(1000);  // let the greetings settle
    start_ = Clock::now() + std::chrono::milliseconds(20);
    for (int i = 0; i < o_.http_connections; ++i) {
      asio::co_spawn(io_, poster(), asio::detached);
    }
    for (int i = 0; o_.handling != "none" && i < o_.agent_connections; ++i) {
      asio::co_spawn(io_, agent_worker(), asio::detached);
    }
    co_await schedule();
    const auto drain_end = Clock::now() + std::chrono::milliseconds(int(o_.drain * 1000));
    // Done when every post is answered, every offer and reply arrived, and the agents' accepts
    // (and ends) have been answered too.
    while (Clock::now() < drain_end && !(post_queue_.empty() && all_answered() &&
                                         agent_jobs_.empty() && jobs_in_flight_ == 0)) {
      co_await sleep_ms(20);
    }
    stopping_ = true;
    print_results(ready);
    io_.stop();
    co_return 0;
  }

  void print_results(int ready) {
    std::sort(offer_us_.begin(), offer_us_.end());
    std::sort(reply_us_.begin(), reply_us_.end());
    std::sort(gap_us_.begin(), gap_us_.end());
    const auto gap = [this](double p) {
      return gap_us_.empty()
                 ? -1.0
                 : double(gap_us_[std::size_t(p * double(gap_us_.size() - 1))]) / 1000.0;
    };
    const double window = o_.duration - o_.warmup;
    std::uint64_t max_per_agent = 0;
    for (const auto& a : agents_) {
      max_per_agent = std::max(max_per_agent, a.offers);
    }
    const auto pct = [](const std::vector<std::uint32_t>& v, double p) {
      return p >= 1 ? (v.empty() ? -1.0 : v.back() / 1000.0) : percentile_ms(v, p);
    };
    fmt::print(
        "agents={} agents_ready={} handling={} rate={} duration={} warmup={} sent={} measured={} "
        "acked={} post_errors={} offers={} offered={} missing_offers={} offers_per_s={:.1f} "
        "offer_p50_ms={:.3f} offer_p99_ms={:.3f} offer_p999_ms={:.3f} offer_max_ms={:.3f} "
        "reply_p50_ms={:.3f} reply_p99_ms={:.3f} reply_p999_ms={:.3f} reply_max_ms={:.3f} "
        "gap_p50_ms={:.3f} gap_p99_ms={:.3f} missing_replies={} reoffers={} withdrawn={} "
        "unknown_offers={} stream_errors={} "
        "accepted={} accept_errors={} end_errors={} setup_errors={} closed_agent_streams={} "
        "max_offers_per_agent={}\n",
        o_.agents, ready, o_.handling, o_.rate, o_.duration, o_.warmup, sent_, measured_, acked_,
        post_errors_, offers_, offered_total_, measured_ - offer_us_.size(),
        window > 0 ? double(window_offers_) / window : 0.0, pct(offer_us_, 0.5),
        pct(offer_us_, 0.99), pct(offer_us_, 0.999), pct(offer_us_, 1), pct(reply_us_, 0.5),
        pct(reply_us_, 0.99), pct(reply_us_, 0.999), pct(reply_us_, 1), gap(0.5), gap(0.99),
        measured_ - reply_us_.size(), reoffers_, withdrawn_, unknown_offers_, stream_errors_,
        accepted_, accept_errors_, end_errors_, agent_setup_errors_ + customer_setup_errors_,
        closed_agent_streams_, max_per_agent);
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Handoff → offer latency of baton serve (Direct Line customers, agent API)"};
  Options o;
  app.add_option("--host", o.target.host, "server address");
  app.add_option("--port", o.target.port, "server port")->required();
  app.add_option("--secret", o.secret, "Direct Line secret")->required();
  app.add_option("--agents", o.agents, "agents to log in: PREFIX1..PREFIXK")
      ->check(CLI::Range(1, 10000));
  app.add_option("--agent-prefix", o.agent_prefix, "agent id prefix");
  app.add_option("--password", o.password, "the agents' password")->required();
  app.add_option("--rate", o.rate, "handoffs per second")->check(CLI::Range(0.1, 1e6));
  app.add_option("--duration", o.duration, "seconds of sending, warm-up included")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup, "seconds at the start excluded from the figures");
  app.add_option("--drain", o.drain, "seconds to wait for late offers and replies");
  app.add_option("--text", o.text, "the customer's escalation message");
  app.add_option("--handling", o.handling, "what agents do with an offer")
      ->check(CLI::IsMember({"none", "accept", "accept-close"}));
  app.add_option("--http-connections", o.http_connections, "customers' POST connections")
      ->check(CLI::Range(1, 1000));
  app.add_option("--agent-connections", o.agent_connections, "agents' HTTP connections")
      ->check(CLI::Range(1, 1000));
  app.add_option("--setup-concurrency", o.setup_concurrency, "parallel conversation set-ups")
      ->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  if (o.warmup >= o.duration) {
    fmt::print(stderr, "handoff_bench: --warmup must be shorter than --duration\n");
    return 2;
  }
  raise_open_file_limit();
  return Bench(o).run();
}
