#include "core/json.hpp"

#include <fmt/format.h>

#include <cmath>

namespace baton::json {

namespace {

// A number past a double's range parses as infinity, which has no JSON spelling: serialised it
// would come out as `Infinity` and make every reader of the stored text fail. Depth is bounded
// by max_depth, so the recursion is too.
bool all_numbers_finite(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::double_:
      return std::isfinite(v.get_double());
    case bj::kind::array:
      for (const bj::value& item : v.get_array()) {
        if (!all_numbers_finite(item)) {
          return false;
        }
      }
      return true;
    case bj::kind::object:
      for (const auto& [key, item] : v.get_object()) {
        if (!all_numbers_finite(item)) {
          return false;
        }
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

Result<bj::value> parse(std::string_view text) {
  bj::parse_options opts;
  opts.max_depth = 64;
  bj::stream_parser parser({}, opts);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(text.data(), text.size(), ec);
  if (!ec) {
    parser.finish(ec);
  }
  if (ec) {
    return make_error(ErrorCode::kParse,
                      fmt::format("malformed JSON at byte {}: {}", used, ec.message()));
  }
  if (used != text.size()) {
    return make_error(ErrorCode::kParse,
                      fmt::format("malformed JSON: trailing data at byte {}", used));
  }
  bj::value value = parser.release();
  if (!all_numbers_finite(value)) {
    return make_error(ErrorCode::kParse, "malformed JSON: a number is out of range for a double");
  }
  return value;
}

const char* kind_name(bj::kind k) {
  switch (k) {
    case bj::kind::null:
      return "null";
    case bj::kind::bool_:
      return "boolean";
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_:
      return "number";
    case bj::kind::string:
      return "string";
    case bj::kind::array:
      return "array";
    case bj::kind::object:
      return "object";
  }
  return "unknown";
}

bj::object parse_object(std::string_view text) {
  auto parsed = parse(text);
  if (parsed.ok() && parsed->is_object()) {
    return std::move(parsed->as_object());
  }
  return {};
}

std::string_view string_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

}  // namespace baton::json
