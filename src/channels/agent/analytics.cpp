// Analytics for supervisors and admins (docs/ANALYTICS.md): GET /api/analytics/summary,
// /api/analytics/timeseries and /api/analytics/sessions.csv. The store's reads run on the I/O
// pool, never on the connection's thread; the CSV is written page by page to an unlinked
// temporary file and sent from it, so its size never sits in memory.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cstdio>
#include <filesystem>

#include "analytics/cells.hpp"
#include "analytics/summary.hpp"
#include "analytics/summary_json.hpp"
#include "channels/agent/channel_impl.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

// A CSV field: always quoted, quotes doubled. Author-written text (topic and queue names) with a
// leading = + - @ (or tab, CR) is defused with an apostrophe, so a spreadsheet never runs it as a
// formula; ids in Baton's own alphabets ([A-Za-z0-9._@-], nothing a formula could call) are left
// as they are, so they still join with the conversations they name.
std::string csv_field(std::string_view value, bool author_text) {
  std::string out = "\"";
  if (author_text && !value.empty() &&
      std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
    out += '\'';
  }
  for (const char c : value) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
  return out;
}

std::string csv_row(const store::AnalyticsSession& s) {
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\r\n", csv_field(s.conversation_id, false),
                     s.number, format_iso8601(s.started), format_iso8601(s.ended), s.outcome,
                     csv_field(s.topic, true), s.reason, csv_field(s.queue, true),
                     csv_field(s.agent, false),
                     s.wait_ms ? std::to_string(*s.wait_ms) : std::string(),
                     s.rating ? std::to_string(*s.rating) : std::string(),
                     s.resolved ? (*s.resolved ? "yes" : "no") : "");
}

constexpr std::string_view kCsvHeader =
    "conversation,session,start,end,outcome,topic,escalation_reason,queue,agent,wait_ms,"
    "csat_rating,csat_resolved\r\n";

Error not_analyst() {
  return make_error(ErrorCode::kForbidden, "analytics are for supervisors and admins");
}

// The ended sessions of the query as CSV, written page by page to an unlinked temporary file and
// answered from it (its size never sits in memory).
server::Response sessions_csv(store::Store& store, const analytics::Query& query) {
  auto fail = [](std::string_view why) {
    return error_response(make_error(ErrorCode::kUnavailable, std::string(why)));
  };
  std::error_code tmp_error;
  const std::filesystem::path tmp = std::filesystem::temp_directory_path(tmp_error);
  std::string path =
      ((tmp_error ? std::filesystem::path("/tmp") : tmp) / "baton-sessions-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return fail("cannot create the CSV's temporary file");
  }
  ::unlink(path.c_str());  // gone with the descriptor: nothing to clean up
  boost::beast::file file;
  file.native_handle(fd);
  boost::beast::error_code ec;
  auto write = [&](std::string_view text) {
    file.write(text.data(), text.size(), ec);
    return !ec;
  };
  write(kCsvHeader);
  std::optional<store::SessionKey> after;
  const TimePoint from = analytics::start_of_hour(query.from_hour);
  const TimePoint to = analytics::start_of_hour(query.to_hour);
  while (!ec) {
    auto page = store.read_analytics_sessions(from, to, after, store::kMaxPageSize);
    if (!page.ok()) {
      return error_response(page.error());
    }
    for (const auto& s : *page) {
      if (analytics::matches(query, s) && !write(csv_row(s))) {
        break;
      }
    }
    if (page->size() < store::kMaxPageSize) {
      break;
    }
    after =
        store::SessionKey{page->back().ended, page->back().conversation_id, page->back().number};
  }
  if (ec) {
    return fail("cannot write the CSV's temporary file");
  }
  file.seek(0, ec);
  server::Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.headers.set(server::http::field::content_disposition,
                       "attachment; filename=\"baton-sessions.csv\"");
  response.file.reset(std::move(file), ec);
  if (ec) {
    return fail("cannot send the CSV");
  }
  return response;
}

}  // namespace

Result<analytics::Query> AgentChannel::Impl::admit_analyst(const server::Request& request) const {
  auto session = authenticate(request);
  if (!session.ok()) {
    return session.error();
  }
  if (!session->supervisor()) {
    return not_analyst();
  }
  return analytics::parse_query(
      {request.query_value("from"), request.query_value("to"), request.query_value("topic"),
       request.query_value("queue"), request.query_value("agent")},
      clock.now());
}

void AgentChannel::Impl::answer_analytics(
    const server::Request& request, server::Responder responder,
    std::function<server::Response(const analytics::Query&)> read) {
  auto query = admit_analyst(request);
  if (!query.ok()) {
    responder.send(error_response(query.error()));
    return;
  }
  boost::asio::post(io, [query = std::move(*query), read = std::move(read),
                         responder = std::move(responder)] { responder.send(read(query)); });
}

void AgentChannel::Impl::analytics_summary(const server::Request& request,
                                           server::Responder responder) {
  answer_analytics(request, std::move(responder), [this](const analytics::Query& query) {
    auto summary = analytics::summarize(store, query);
    return summary.ok() ? ok_json(analytics::to_json(*summary, query))
                        : error_response(summary.error());
  });
}

void AgentChannel::Impl::analytics_series(const server::Request& request,
                                          server::Responder responder) {
  const std::string metric(request.query_value("metric").value_or(""));
  const std::string_view interval = request.query_value("interval").value_or("hour");
  answer_analytics(
      request, std::move(responder),
      [this, metric, interval = std::string(interval)](const analytics::Query& query) {
        if (!analytics::is_series_metric(metric)) {
          return error_response(make_error(
              ErrorCode::kInvalidArgument,
              "metric: expected one of sessions, engaged, resolved, escalated, abandoned, "
              "unengaged, csat, handoffs, accepted, first_wait, service_level_20s, "
              "abandoned_in_queue"));
        }
        if (interval != "hour" && interval != "day") {
          return error_response(
              make_error(ErrorCode::kInvalidArgument, "interval: expected hour or day"));
        }
        const int hours = interval == "day" ? 24 : 1;
        auto points = analytics::series(store, query, metric, hours);
        return points.ok() ? ok_json(analytics::to_json(*points, metric, hours))
                           : error_response(points.error());
      });
}

void AgentChannel::Impl::analytics_sessions_csv(const server::Request& request,
                                                server::Responder responder) {
  answer_analytics(request, std::move(responder),
                   [this](const analytics::Query& query) { return sessions_csv(store, query); });
}

}  // namespace baton::agent
