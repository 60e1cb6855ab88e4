#include "store/encoding.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>

#include "store/store.hpp"

namespace baton::store {

std::int64_t to_millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_millis(std::int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

std::string encode_skills(const std::vector<std::string>& skills) {
  boost::json::array array;
  for (const std::string& skill : skills) {
    array.emplace_back(skill);
  }
  return boost::json::serialize(array);
}

std::vector<std::string> decode_skills(const std::string& text) {
  std::vector<std::string> skills;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) {
    return skills;
  }
  for (const boost::json::value& item : value.get_array()) {
    if (item.is_string()) {
      skills.emplace_back(item.get_string());
    }
  }
  return skills;
}

Error too_many_analytics_rows() {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("the analytics query has more than {} rows; narrow the range or "
                                "group by less",
                                kMaxAnalyticsRows));
}

bool is_batch_local(ErrorCode code) {
  return code == ErrorCode::kConflict || code == ErrorCode::kNotFound ||
         code == ErrorCode::kInvalidArgument || code == ErrorCode::kTooLarge;
}

}  // namespace baton::store
