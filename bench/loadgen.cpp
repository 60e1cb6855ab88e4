// Open-loop load generator for `baton serve` (Direct Line 3.0) and, with the same client code, for
// the bare Beast echo server (bench/echo_server.cpp), so serve's figures are also a ratio to the
// transport's limit.
//
// --mode serve: creates N conversations (tokens/generate with the secret, POST /conversations),
// holds N Direct Line WebSockets (one per conversation, the streamUrl), and sends messages at a
// fixed total rate via POST .../activities over keep-alive HTTP connections, by default as many as
// conversations (each Web Chat customer has its own; a POST holds its connection until the turn is
// durable, so a small shared pool would queue turns in the generator, not the server). A turn's
// latency runs from its SCHEDULED send time (not the time it actually left: no coordinated
// omission) to the first bot activity on the WebSocket whose replyToId is the id the POST returned.
// --mode echo: N WebSockets to the echo server; each scheduled message is written on its
// connection's socket and its latency runs to the echoed frame.
// With --server-pid, the server's VmRSS is read before and after the N idle connections are made.
//
// Output: one `key=value ...` line (parsed by bench/run_serve_bench.sh), progress on stderr.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bench_client.hpp"

namespace {

using namespace baton::bench;  // NOLINT: the bench's own vocabulary (asio, beast, json, Clock, ...)

struct Options {
  std::string mode = "serve";
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string secret;
  int conversations = 100;
  double rate = 1000;        // total messages per second; 0 = connect and hold only
  double duration = 10;      // seconds of sending, warm-up included
  double warmup = 2;         // seconds excluded from the figures
  double hold = 0;           // seconds to hold idle connections (rate 0)
  int threads = 1;           // workers, each with its own io_context and share of conversations
  int http_connections = 0;  // keep-alive POST connections per worker; 0 = one per conversation
  int setup_concurrency = 64;
  int server_pid = 0;
  int payload = 256;     // echo mode: bytes per message
  int max_inflight = 0;  // > 0: skip a scheduled send while this many turns are unanswered
  std::string text = "hello";
};

struct Conversation {
  std::string id;
  std::string user;
  std::string token;
  std::string ws_target;  // path + query of the stream URL
  std::unique_ptr<Ws> ws;
  std::deque<std::string> outbox;  // echo mode: frames waiting for the writer
  bool writing = false;
};

struct SendItem {
  std::uint64_t k;  // sequence of the send: scheduled at start + k / rate
  int conversation;
};

// Everything one worker thread owns; workers share nothing but the go/stop signals.
class Worker {
 public:
  Worker(const Options& o, int first_user, int count, double rate)
      : o_(o),
        rate_(rate),
        first_user_(first_user),
        convs_(static_cast<std::size_t>(count)),
        notify_(io_) {
    notify_.expires_at(Clock::time_point::max());
  }

  asio::io_context io_{1};
  std::atomic<bool> setup_done{false};
  std::atomic<int> open_sockets{0};
  std::atomic<bool> go{false};
  Clock::time_point start;
  std::vector<std::uint32_t> latencies_us;
  std::uint64_t sent = 0, measured_sent = 0, replies = 0, window_replies = 0, http_errors = 0,
                setup_errors = 0, skipped = 0;

  void run() {
    asio::co_spawn(io_, main_task(), asio::detached);
    io_.run();
  }

 private:
  const Options& o_;
  double rate_;
  int first_user_;
  std::vector<Conversation> convs_;
  std::deque<SendItem> queue_;
  asio::steady_timer notify_;
  bool sending_done_ = false;
  std::size_t next_setup_ = 0;
  std::unordered_map<std::string, std::uint64_t> pending_;    // activity id → k
  std::unordered_map<std::string, Clock::time_point> early_;  // reply before the POST returned
  std::unordered_set<std::string> done_;                      // turns already measured

  Clock::time_point scheduled(std::uint64_t k) const {
    return start + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * double(k) / rate_));
  }
  Clock::time_point measure_from() const {
    return start + std::chrono::nanoseconds(static_cast<std::int64_t>(o_.warmup * 1e9));
  }
  Clock::time_point send_end() const {
    return start + std::chrono::nanoseconds(static_cast<std::int64_t>(o_.duration * 1e9));
  }

  void record(std::uint64_t k, Clock::time_point arrival) {
    ++replies;
    // Throughput counts replies by arrival in the measured window (whenever they were sent);
    // latency counts turns by scheduled time (whenever they were answered).
    if (arrival >= measure_from() && arrival <= send_end()) {
      ++window_replies;
    }
    const auto sched = scheduled(k);
    if (sched < measure_from()) {
      return;
    }
    latencies_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(arrival - sched).count()));
  }

  void on_ack(const std::string& id, std::uint64_t k) {
    if (auto it = early_.find(id); it != early_.end()) {
      record(k, it->second);
      early_.erase(it);
      done_.insert(id);
    } else {
      pending_.emplace(id, k);
    }
  }

  void on_reply(const std::string& reply_to, Clock::time_point now) {
    if (auto it = pending_.find(reply_to); it != pending_.end()) {
      record(it->second, now);
      pending_.erase(it);
      done_.insert(reply_to);
    } else if (!done_.contains(reply_to)) {
      early_.emplace(reply_to, now);
    }
  }

  void on_frame(std::string_view frame, Clock::time_point now) {
    if (frame.empty()) {
      return;  // keep-alive
    }
    if (o_.mode == "echo") {
      record(std::stoull(std::string(frame.substr(0, 16))), now);
      return;
    }
    boost::system::error_code error;
    auto value = json::parse(frame, error);
    if (error || !value.is_object()) {
      return;
    }
    const auto* activities = value.as_object().if_contains("activities");
    if (activities == nullptr || !activities->is_array()) {
      return;
    }
    for (const auto& a : activities->as_array()) {
      const auto* obj = a.if_object();
      const auto* reply_to = obj ? obj->if_contains("replyToId") : nullptr;
      if (reply_to != nullptr && reply_to->is_string()) {
        on_reply(std::string(reply_to->as_string()), now);
      }
    }
  }

  Target target() const { return Target{o_.host, o_.port}; }

  awaitable<bool> connect(beast::tcp_stream& stream) {
    return baton::bench::connect(stream, target());
  }

  awaitable<bool> open_ws(Conversation& c) {
    c.ws = std::make_unique<Ws>(io_);
    return baton::bench::open_ws(*c.ws, target(), c.ws_target);
  }

  awaitable<bool> create_conversation(beast::tcp_stream& stream, Conversation& c) {
    DlConversation started;
    if (!co_await baton::bench::create_conversation(stream, target(), o_.secret, c.user, started)) {
      co_return false;
    }
    c.id = std::move(started.id);
    c.token = std::move(started.token);
    c.ws_target = std::move(started.ws_target);
    co_return true;
  }

  awaitable<void> setup_task() {
    beast::tcp_stream stream(io_);
    bool connected = true;
    if (o_.mode == "serve") {
      connected = co_await connect(stream);
    }
    while (next_setup_ < convs_.size()) {
      auto& c = convs_[next_setup_++];
      c.user = fmt::format("lg-{}", first_user_ + static_cast<int>(&c - convs_.data()));
      c.ws_target = "/";
      if (o_.mode == "serve") {
        bool created = false;
        for (int attempt = 0; attempt < 3 && !created; ++attempt) {
          if (connected) {
            created = co_await create_conversation(stream, c);
          }
          if (!created) {
            stream.close();
            connected = co_await connect(stream);
          }
        }
        if (!created) {
          ++setup_errors;
          continue;
        }
      }
      if (!co_await open_ws(c)) {
        ++setup_errors;
        continue;
      }
      ++open_sockets;
      asio::co_spawn(io_, read_loop(c), asio::detached);
    }
  }

  awaitable<void> read_loop(Conversation& c) {
    beast::flat_buffer buffer;
    for (;;) {
      auto [error, n] = co_await c.ws->async_read(buffer, kTuple);
      if (error) {
        --open_sockets;
        co_return;
      }
      const auto data = buffer.cdata();
      on_frame(std::string_view(static_cast<const char*>(data.data()), n), Clock::now());
      buffer.consume(buffer.size());
    }
  }

  awaitable<void> echo_writer(Conversation& c) {
    c.writing = true;
    while (!c.outbox.empty()) {
      auto [error, n] = co_await c.ws->async_write(asio::buffer(c.outbox.front()), kTuple);
      (void)n;
      c.outbox.pop_front();
      if (error) {
        break;
      }
    }
    c.writing = false;
  }

  awaitable<void> poster() {
    beast::tcp_stream stream(io_);
    bool connected = co_await connect(stream);
    for (;;) {
      while (queue_.empty() && !sending_done_) {
        co_await notify_.async_wait(kTuple);
      }
      if (queue_.empty()) {
        co_return;
      }
      const SendItem item = queue_.front();
      queue_.pop_front();
      auto& c = convs_[static_cast<std::size_t>(item.conversation)];
      const auto body = fmt::format(
          R"({{"type":"message","text":{},"from":{{"id":"{}","role":"user"}},"channelData":{{"clientActivityID":"lg-{}"}}}})",
          json::serialize(json::value(o_.text)), c.user, item.k);
      // (GCC 12 miscompiles co_await inside ?: and &&, so these stay plain statements.)
      Reply result;
      if (connected) {
        result = co_await call(stream, target(), http::verb::post,
                               fmt::format("/v3/directline/conversations/{}/activities", c.id),
                               c.token, body);
      }
      const auto& [status, response] = result;
      if (const auto id = string_field(response, "id"); status == 200 && !id.empty()) {
        on_ack(id, item.k);
        continue;
      }
      ++http_errors;
      if (status == 0) {
        stream.close();
        connected = co_await connect(stream);
      }
    }
  }

  void dispatch(std::uint64_t k) {
    if (o_.max_inflight > 0 && sent - replies >= static_cast<std::uint64_t>(o_.max_inflight)) {
      ++skipped;  // saturation mode: measure the ceiling, don't grow an unbounded backlog
      return;
    }
    ++sent;
    if (scheduled(k) >= measure_from()) {
      ++measured_sent;
    }
    const int n = static_cast<int>(convs_.size());
    const int conv = static_cast<int>(k % static_cast<std::uint64_t>(n));
    auto& c = convs_[static_cast<std::size_t>(conv)];
    if (o_.mode == "echo") {
      std::string frame = fmt::format("{:016d}", k);
      frame.resize(static_cast<std::size_t>(std::max(o_.payload, 16)), 'x');
      c.outbox.push_back(std::move(frame));
      if (!c.writing) {
        asio::co_spawn(io_, echo_writer(c), asio::detached);
      }
      return;
    }
    queue_.push_back({k, conv});
    notify_.cancel_one();
  }

  awaitable<void> schedule_task() {
    asio::steady_timer timer(io_);
    std::uint64_t k = 0;
    for (;;) {
      const auto now = Clock::now();
      while (scheduled(k) <= now && scheduled(k) < send_end()) {
        dispatch(k++);
      }
      if (scheduled(k) >= send_end()) {
        break;
      }
      timer.expires_at(scheduled(k));
      co_await timer.async_wait(kTuple);
    }
    sending_done_ = true;
    notify_.cancel();
  }

  awaitable<void> main_task() {
    const int setups = std::max(1, std::min<int>(o_.setup_concurrency, int(convs_.size())));
    auto remaining = std::make_shared<int>(setups);
    for (int i = 0; i < setups; ++i) {
      asio::co_spawn(io_, setup_task(), [this, remaining](const std::exception_ptr&) {
        if (--*remaining == 0) {
          setup_done = true;
        }
      });
    }
    asio::steady_timer timer(io_);
    while (!go) {
      timer.expires_after(std::chrono::milliseconds(2));
      co_await timer.async_wait(kTuple);
    }
    if (rate_ > 0 && !convs_.empty()) {
      if (o_.mode == "serve") {
        const int connections =
            o_.http_connections > 0 ? o_.http_connections : static_cast<int>(convs_.size());
        for (int i = 0; i < connections; ++i) {
          asio::co_spawn(io_, poster(), asio::detached);
        }
      }
      co_await schedule_task();
    }
    const auto drain = std::chrono::seconds(rate_ > 0 ? 3 : 0) +
                       std::chrono::milliseconds(static_cast<int>(o_.hold * 1000));
    timer.expires_after(drain);
    co_await timer.async_wait(kTuple);
    io_.stop();
  }
};

int run(const Options& o) {
  raise_open_file_limit();
  const long rss_before = o.server_pid ? rss_kib(o.server_pid) : -1;
  std::vector<std::unique_ptr<Worker>> workers;
  int first = 0;
  for (int w = 0; w < o.threads; ++w) {
    const int count = o.conversations / o.threads + (w < o.conversations % o.threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(o, first, count, o.rate / o.threads));
    first += count;
  }
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  const auto setup_start = Clock::now();
  for (auto& w : workers) {
    threads.emplace_back([&w] { w->run(); });
  }
  for (auto& w : workers) {
    while (!w->setup_done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let the server settle before RSS
  const long rss_connected = o.server_pid ? rss_kib(o.server_pid) : -1;
  int open = 0;
  for (auto& w : workers) {
    open += w->open_sockets;
  }
  fmt::print(stderr, "loadgen: {} sockets open after {:.1f} s\n", open, setup_s);
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  for (auto& w : workers) {
    w->start = start;
    w->go = true;
  }
  for (auto& t : threads) {
    t.join();
  }

  std::vector<std::uint32_t> all;
  std::uint64_t sent = 0, measured = 0, replies = 0, window = 0, http_errors = 0, setup_errors = 0,
                skipped = 0;
  int still_open = 0;
  for (auto& w : workers) {
    all.insert(all.end(), w->latencies_us.begin(), w->latencies_us.end());
    sent += w->sent;
    measured += w->measured_sent;
    replies += w->replies;
    window += w->window_replies;
    http_errors += w->http_errors;
    setup_errors += w->setup_errors;
    skipped += w->skipped;
    still_open += w->open_sockets;
  }
  std::sort(all.begin(), all.end());
  const double window_s = o.duration - o.warmup;
  const double per_conv =
      (o.server_pid && open > 0) ? double(rss_connected - rss_before) / open : -1;
  fmt::print(
      "mode={} conversations={} open={} still_open={} setup_s={:.2f} setup_errors={} rate={} "
      "duration={} sent={} skipped={} measured={} replies={} unanswered={} http_errors={} "
      "turns_per_s={:.1f} "
      "p50_ms={:.3f} p99_ms={:.3f} p999_ms={:.3f} max_ms={:.3f} rss_before_kib={} "
      "rss_connected_kib={} kib_per_conv={:.2f}\n",
      o.mode, o.conversations, open, still_open, setup_s, setup_errors, o.rate, o.duration, sent,
      skipped, measured, replies, measured - std::min<std::uint64_t>(measured, all.size()),
      http_errors, window_s > 0 ? double(window) / window_s : 0.0, percentile_ms(all, 0.5),
      percentile_ms(all, 0.99), percentile_ms(all, 0.999), all.empty() ? -1 : all.back() / 1000.0,
      rss_before, rss_connected, per_conv);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Open-loop Direct Line load generator for baton serve (and the echo baseline)"};
  Options o;
  app.add_option("--mode", o.mode, "serve | echo")->check(CLI::IsMember({"serve", "echo"}));
  app.add_option("--host", o.host, "server address");
  app.add_option("--port", o.port, "server port")->required();
  app.add_option("--secret", o.secret, "Direct Line secret (serve mode)");
  app.add_option("--conversations", o.conversations, "conversations / sockets held")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--rate", o.rate, "total messages per second (0 = idle)")
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--duration", o.duration, "seconds of sending, warm-up included");
  app.add_option("--warmup", o.warmup, "seconds at the start excluded from the figures");
  app.add_option("--hold", o.hold, "seconds to hold the connections after sending");
  app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 16));
  app.add_option("--http-connections", o.http_connections,
                 "keep-alive POST connections per worker (0 = one per conversation)");
  app.add_option("--setup-concurrency", o.setup_concurrency, "parallel conversation set-ups");
  app.add_option("--server-pid", o.server_pid, "read this process's VmRSS before/after connecting");
  app.add_option("--payload", o.payload, "echo mode: bytes per frame");
  app.add_option("--max-inflight", o.max_inflight,
                 "skip scheduled sends while this many turns are unanswered (0 = pure open loop)");
  app.add_option("--text", o.text, "serve mode: the message text (default: hello, the greeting)");
  CLI11_PARSE(app, argc, argv);
  if (o.mode == "serve" && o.secret.empty()) {
    fmt::print(stderr, "loadgen: --secret is required in serve mode\n");
    return 2;
  }
  if (o.warmup >= o.duration && o.rate > 0) {
    fmt::print(stderr, "loadgen: --warmup must be shorter than --duration\n");
    return 2;
  }
  return run(o);
}
