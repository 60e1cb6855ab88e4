#include "cli/report.hpp"

#include <fmt/format.h>

#include <ostream>

#include "analytics/cells.hpp"
#include "analytics/summary.hpp"
#include "analytics/summary_json.hpp"
#include "cli/store_open.hpp"
#include "core/json.hpp"

namespace baton::cli {
namespace {

std::optional<std::string_view> given(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string_view>(text);
}

std::string percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f} %", *v * 100) : std::string("–");
}

std::string seconds(const std::optional<double>& ms) {
  return ms ? fmt::format("{:.1f} s", *ms / 1000) : std::string("–");
}

void print(const analytics::Summary& s, const analytics::Query& q, std::ostream& out) {
  out << fmt::format("Baton analytics, {} to {}\n\n",
                     format_iso8601(analytics::start_of_hour(q.from_hour)),
                     format_iso8601(analytics::start_of_hour(q.to_hour)));
  out << fmt::format("Sessions      {:>8}   engaged {} ({}), unengaged {}\n", s.sessions.total,
                     s.sessions.engaged, percent(s.rates.engagement), s.sessions.unengaged);
  out << fmt::format("  resolved    {:>8}   {}\n", s.sessions.resolved,
                     percent(s.rates.resolution));
  out << fmt::format("  escalated   {:>8}   {}\n", s.sessions.escalated,
                     percent(s.rates.escalation));
  out << fmt::format("  abandoned   {:>8}   {}\n", s.sessions.abandoned, percent(s.rates.abandon));
  out << fmt::format("CSAT          {:>8}   of {} asked ({}), average {}\n", s.csat.responses,
                     s.csat.asked, percent(s.csat.response_rate),
                     s.csat.average ? fmt::format("{:.2f}", *s.csat.average) : "–");
  const auto& h = s.handoffs;
  out << fmt::format(
      "Handoffs      {:>8}   accepted {}, cancelled {}, unavailable {}, timed out {}, "
      "abandoned {}, transfers {}\n",
      h.total, h.accepted, h.cancelled, h.unavailable, h.timed_out, h.abandoned, h.transfers);
  out << fmt::format(
      "  first wait  avg {}, p50 {}, p90 {}; service level 20 s {}, 60 s {}; handle time {}\n",
      seconds(h.first_wait_ms.avg), seconds(h.first_wait_ms.p50), seconds(h.first_wait_ms.p90),
      percent(h.service_level_20s), percent(h.service_level_60s), seconds(h.handle_time_ms_avg));
  if (!s.topics.empty()) {
    out << "\nTopics (by escalation rate)   sessions  resolved  escalated  abandoned\n";
    for (const auto& t : s.topics) {
      out << fmt::format("  {:<28}{:>8}  {:>8}  {:>9}  {:>9}\n", t.topic, t.sessions,
                         percent(t.resolution_rate), percent(t.escalation_rate),
                         percent(t.abandon_rate));
    }
  }
  if (!s.agents.empty()) {
    out << "\nAgents                        handled  handle time  utilisation\n";
    for (const auto& a : s.agents) {
      out << fmt::format("  {:<28}{:>7}  {:>11}  {:>11}\n", a.id, a.handled,
                         seconds(a.handle_time_ms_avg), percent(a.utilisation));
    }
  }
}

}  // namespace

int run_report(const ReportOptions& options, const Clock& clock, std::ostream& out,
               std::ostream& err) {
  auto query = analytics::parse_query({given(options.from), given(options.to), given(options.topic),
                                       given(options.queue), given(options.agent)},
                                      clock.now());
  if (!query.ok()) {
    err << "baton report: " << query.error().message << '\n';
    return 2;
  }
  std::error_code ec;
  if (options.store.empty() &&
      !std::filesystem::exists(options.data_dir / store::kSqliteFileName, ec)) {
    err << "baton report: no store at " << (options.data_dir / store::kSqliteFileName).string()
        << '\n';
    return 1;
  }
  auto store = open_store(options.store, options.data_dir, store::SqliteOptions{}, 1);
  if (!store.ok()) {
    err << "baton report: " << store.error().message << '\n';
    return 1;
  }
  auto summary = analytics::summarize(**store, *query);
  if (!summary.ok()) {
    err << "baton report: " << summary.error().message << '\n';
    return 1;
  }
  if (options.json) {
    out << json::dump(analytics::to_json(*summary, *query)) << '\n';
  } else {
    print(*summary, *query, out);
  }
  return 0;
}

}  // namespace baton::cli
