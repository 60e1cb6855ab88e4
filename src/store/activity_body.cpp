#include "store/activity_body.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace baton::store {
namespace {

constexpr std::string_view kPacked = "{,";

// {"type":T,"id":I,"timestamp":S, as activity::serialize writes it.
std::string prefix(std::string_view type, std::string_view activity_id, TimePoint timestamp) {
  std::string p = R"({"type":)";
  p += boost::json::serialize(boost::json::string(type));
  p += R"(,"id":)";
  p += boost::json::serialize(boost::json::string(activity_id));
  p += R"(,"timestamp":)";
  p += boost::json::serialize(boost::json::string(format_iso8601(timestamp)));
  p += ',';
  return p;
}

}  // namespace

std::string pack_activity_body(std::string_view json, std::string_view type,
                               std::string_view activity_id, TimePoint timestamp) {
  const std::string p = prefix(type, activity_id, timestamp);
  if (json.size() <= p.size() || json.substr(0, p.size()) != p) {
    return std::string(json);
  }
  std::string packed(kPacked);
  packed.append(json.substr(p.size()));
  return packed;
}

std::string unpack_activity_body(std::string stored, std::string_view type,
                                 std::string_view activity_id, TimePoint timestamp) {
  if (stored.compare(0, kPacked.size(), kPacked) != 0) {
    return stored;
  }
  std::string json = prefix(type, activity_id, timestamp);
  json.append(stored, kPacked.size());
  return json;
}

}  // namespace baton::store
