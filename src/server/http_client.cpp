#include "server/http_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <memory>
#include <optional>
#include <type_traits>

namespace baton::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr std::uint32_t kMaxResponseHeaderBytes = 16 * 1024;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The trust store of every https request: the system's (OpenSSL's default paths, which honour
// SSL_CERT_FILE and SSL_CERT_DIR), peers verified, TLS 1.2 or later.
asio::ssl::context& tls_context() {
  static asio::ssl::context context = [] {
    asio::ssl::context c(asio::ssl::context::tls_client);
    c.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
    beast::error_code ignored;  // without a store every peer fails verification: named per request
    c.set_default_verify_paths(ignored);
    c.set_verify_mode(asio::ssl::verify_peer);
    return c;
  }();
  return context;
}

// One request on one connection: Stream is beast::tcp_stream (http) or TlsStream (https).
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Exchange(const asio::any_io_executor& executor, HttpUrl url, HttpClientRequest request,
           HttpClientOptions options, std::function<void(Result<HttpClientResponse>)> done)
      : strand_(asio::make_strand(executor)),
        resolver_(strand_),
        stream_(make_stream(strand_)),
        url_(std::move(url)),
        request_(std::move(request)),
        options_(std::move(options)),
        done_(std::move(done)) {}

  void start() {
    asio::dispatch(strand_, [self = this->shared_from_this()] { self->resolve(); });
  }

 private:
  static Stream make_stream(const asio::strand<asio::any_io_executor>& strand) {
    if constexpr (kTls) {
      return Stream(strand, tls_context());
    } else {
      return Stream(strand);
    }
  }

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  void resolve() {
    // One deadline for the whole exchange: the resolver is cancelled by the same timer.
    tcp().expires_after(options_.timeout);
    deadline_.emplace(strand_);
    deadline_->expires_after(options_.timeout);
    deadline_->async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (auto self = weak.lock(); self && !ec) {
        self->resolver_.cancel();
        self->timed_out_ = true;
      }
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = this->shared_from_this()](
                                beast::error_code ec, const tcp::resolver::results_type& r) {
                              self->on_resolve(ec, r);
                            });
  }

  void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec || timed_out_) {
      finish(unavailable("resolving", ec));
      return;
    }
    tcp().async_connect(results, [self = this->shared_from_this()](beast::error_code connect_ec,
                                                                   const tcp::endpoint&) {
      self->on_connect(connect_ec);
    });
  }

  void on_connect(beast::error_code ec) {
    if (ec) {
      finish(unavailable("connecting", ec));
      return;
    }
    if constexpr (kTls) {
      // SNI for names (not for address literals), and the certificate must name the host.
      beast::error_code not_address;
      asio::ip::make_address(url_.host, not_address);
      if (not_address && SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                  TLSEXT_NAMETYPE_host_name, url_.host.data()) != 1) {
        finish(make_error(ErrorCode::kInvalidArgument,
                          fmt::format("'{}' cannot be sent as a TLS server name", url_.host)));
        return;
      }
      stream_.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      stream_.async_handshake(asio::ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code handshake_ec) {
                                if (handshake_ec) {
                                  self->finish(self->unavailable("TLS with", handshake_ec));
                                } else {
                                  self->send();
                                }
                              });
    } else {
      send();
    }
  }

  void send() {
    bhttp::verb verb = bhttp::string_to_verb(request_.method);
    if (verb == bhttp::verb::unknown) {
      finish(make_error(ErrorCode::kInvalidArgument,
                        fmt::format("unknown HTTP method '{}'", request_.method)));
      return;
    }
    req_.method(verb);
    req_.target(url_.target);
    req_.version(11);
    const std::uint16_t default_port = kTls ? 443 : 80;
    req_.set(bhttp::field::host,
             url_.port == default_port ? url_.host : fmt::format("{}:{}", url_.host, url_.port));
    req_.set(bhttp::field::user_agent, "Baton");
    req_.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : request_.headers) {
      req_.set(name, value);
    }
    if (!request_.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put) {
      req_.set(bhttp::field::content_type, request_.content_type);
      req_.body() = std::move(request_.body);
    }
    req_.prepare_payload();
    bhttp::async_write(stream_, req_,
                       [self = this->shared_from_this()](beast::error_code write_ec, std::size_t) {
                         self->on_write(write_ec);
                       });
  }

  void on_write(beast::error_code ec) {
    if (ec) {
      finish(unavailable("sending the request", ec));
      return;
    }
    parser_.header_limit(kMaxResponseHeaderBytes);
    parser_.body_limit(options_.max_response_bytes);
    bhttp::async_read(stream_, buffer_, parser_,
                      [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
                        self->on_read(read_ec);
                      });
  }

  void on_read(beast::error_code ec) {
    if (kTls && ec == asio::ssl::error::stream_truncated && parser_.is_done()) {
      ec = {};  // the peer closed without close_notify after a complete message
    }
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      finish(make_error(ErrorCode::kTooLarge,
                        fmt::format("the response from {} is over the limit of {} bytes", url_.host,
                                    options_.max_response_bytes)));
      return;
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      finish(make_error(ErrorCode::kIo,
                        fmt::format("malformed response from {}: {}", url_.host, ec.message())));
      return;
    }
    if (ec) {
      finish(unavailable("reading the response", ec));
      return;
    }
    auto& message = parser_.get();
    HttpClientResponse response;
    response.status = static_cast<int>(message.result_int());
    if (auto it = message.find(bhttp::field::content_type); it != message.end()) {
      response.content_type = std::string(it->value());
    }
    response.body = std::move(message.body());
    finish(std::move(response));
  }

  Error unavailable(std::string_view doing, beast::error_code ec) const {
    if (timed_out_ || ec == beast::error::timeout) {
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("{}:{} did not answer within {} ms", url_.host, url_.port,
                                    options_.timeout.count()));
    }
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("{} {}:{}: {}", doing, url_.host, url_.port, ec.message()));
  }

  void finish(Result<HttpClientResponse> result) {
    if (deadline_) {
      deadline_->cancel();
    }
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
    if (auto done = std::exchange(done_, nullptr)) {
      done(std::move(result));
    }
  }

  asio::strand<asio::any_io_executor> strand_;
  tcp::resolver resolver_;
  Stream stream_;
  std::optional<asio::steady_timer> deadline_;
  bool timed_out_ = false;
  HttpUrl url_;
  HttpClientRequest request_;
  HttpClientOptions options_;
  std::function<void(Result<HttpClientResponse>)> done_;
  bhttp::request<bhttp::string_body> req_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
};

}  // namespace

Result<HttpUrl> parse_http_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a URL", url));
  }
  const auto& u = *parsed;
  HttpUrl out;
  if (u.scheme() == "https") {
    out.tls = true;
    out.port = 443;
  } else if (u.scheme() != "http") {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("'{}': only http:// and https:// URLs are supported", url));
  }
  if (u.has_userinfo()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a URL must not carry credentials (user:password@)");
  }
  if (u.has_fragment()) {
    return make_error(ErrorCode::kInvalidArgument, "a URL must not have a fragment (#...)");
  }
  if (u.host_type() == boost::urls::host_type::ipv6) {
    out.host = std::string(u.host_address());
  } else {
    out.host = std::string(u.encoded_host());
  }
  if (out.host.empty()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("'{}' names no host", url));
  }
  if (u.has_port()) {
    const std::string_view text = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
        value > 65535) {
      return make_error(ErrorCode::kInvalidArgument, fmt::format("'{}': bad port", url));
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  std::string target(u.encoded_path());
  if (target.empty()) {
    target = "/";
  }
  if (u.has_query()) {
    target += "?";
    target += std::string(u.encoded_query());
  }
  out.target = std::move(target);
  return out;
}

void http_request(const boost::asio::any_io_executor& executor, HttpClientRequest request,
                  const HttpClientOptions& options,
                  std::function<void(Result<HttpClientResponse>)> done) {
  auto url = parse_http_url(request.url);
  if (!url) {
    asio::post(executor, [done = std::move(done), error = url.error()] { done(error); });
    return;
  }
  if (!options.allowed_hosts.empty() &&
      std::none_of(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                   [&](const std::string& host) { return beast::iequals(host, url->host); })) {
    asio::post(executor, [done = std::move(done), host = url->host] {
      done(make_error(ErrorCode::kInvalidArgument, fmt::format("host '{}' is not allowed", host)));
    });
    return;
  }
  if (url->tls) {
    std::make_shared<Exchange<TlsStream>>(executor, std::move(*url), std::move(request), options,
                                          std::move(done))
        ->start();
  } else {
    std::make_shared<Exchange<beast::tcp_stream>>(executor, std::move(*url), std::move(request),
                                                  options, std::move(done))
        ->start();
  }
}

}  // namespace baton::server
