#pragma once
// The analytics API's JSON forms (docs/ANALYTICS.md has every field): the summary, as
// GET /api/analytics/summary and `baton report --json` answer it, and a time series. Rates and
// averages with nothing to divide by are null. Pure; thread-safe.

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "analytics/summary.hpp"

namespace baton::analytics {

boost::json::object to_json(const Summary& summary, const Query& query);
boost::json::object to_json(const std::vector<SeriesPoint>& points, std::string_view metric,
                            int interval_hours);

}  // namespace baton::analytics
