#include "core/json.hpp"

#include <fmt/format.h>

namespace baton::json {

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
  return parser.release();
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

}  // namespace baton::json
