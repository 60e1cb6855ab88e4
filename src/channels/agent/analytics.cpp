// Analytics for supervisors and admins (docs/ANALYTICS.md): GET /api/analytics/summary,
// /api/analytics/timeseries and /api/analytics/sessions.csv. The store's reads run on the I/O
// pool, never on the connection's thread; the CSV is written page by page to an unlinked
// temporary file and sent from it, so its size never sits in memory.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cstdio>
#include <cstdlib>

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

void AgentChannel::Impl::analytics_summary(const server::Request& request,
                                           server::Responder responder) {
  auto query = admit_analyst(request);
  if (!query.ok()) {
    responder.send(error_response(query.error()));
    return;
  }
  boost::asio::post(io, [this, query = std::move(*query), responder = std::move(responder)] {
    auto summary = analytics::summarize(store, query);
    if (!summary.ok()) {
      responder.send(error_response(summary.error()));
      return;
    }
    responder.send(ok_json(analytics::to_json(*summary, query)));
  });
}

void AgentChannel::Impl::analytics_series(const server::Request& request,
                                          server::Responder responder) {
  auto query = admit_analyst(request);
  if (!query.ok()) {
    responder.send(error_response(query.error()));
    return;
  }
  const std::string metric(request.query_value("metric").value_or(""));
  if (!analytics::is_series_metric(metric)) {
    responder.send(error_response(make_error(
        ErrorCode::kInvalidArgument,
        "metric: expected one of sessions, engaged, resolved, escalated, abandoned, unengaged, "
        "csat, handoffs, accepted, first_wait, service_level_20s, abandoned_in_queue")));
    return;
  }
  const std::string_view interval = request.query_value("interval").value_or("hour");
  if (interval != "hour" && interval != "day") {
    responder.send(
        error_response(make_error(ErrorCode::kInvalidArgument, "interval: expected hour or day")));
    return;
  }
  const int hours = interval == "day" ? 24 : 1;
  boost::asio::post(
      io, [this, query = std::move(*query), metric, hours, responder = std::move(responder)] {
        auto points = analytics::series(store, query, metric, hours);
        if (!points.ok()) {
          responder.send(error_response(points.error()));
          return;
        }
        responder.send(ok_json(analytics::to_json(*points, metric, hours)));
      });
}

void AgentChannel::Impl::analytics_sessions_csv(const server::Request& request,
                                                server::Responder responder) {
  auto query = admit_analyst(request);
  if (!query.ok()) {
    responder.send(error_response(query.error()));
    return;
  }
  boost::asio::post(io, [this, query = std::move(*query), responder = std::move(responder)] {
    auto fail = [&](std::string_view why) {
      responder.send(error_response(make_error(ErrorCode::kUnavailable, std::string(why))));
    };
    const char* tmp = std::getenv("TMPDIR");
    std::string path = fmt::format("{}/baton-sessions-XXXXXX", tmp != nullptr ? tmp : "/tmp");
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
      fail("cannot create the CSV's temporary file");
      return;
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
        responder.send(error_response(page.error()));
        return;
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
      fail("cannot write the CSV's temporary file");
      return;
    }
    file.seek(0, ec);
    server::Response response;
    response.content_type = "text/csv; charset=utf-8";
    response.headers.set(server::http::field::content_disposition,
                         "attachment; filename=\"baton-sessions.csv\"");
    response.file.reset(std::move(file), ec);
    if (ec) {
      fail("cannot send the CSV");
      return;
    }
    responder.send(std::move(response));
  });
}

}  // namespace baton::agent
