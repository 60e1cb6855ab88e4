#pragma once
// Small helpers over Boost.JSON used across modules.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace baton::json {

namespace bj = boost::json;

// Parses text as one JSON document. The error message names the byte offset of the problem.
// Depth is limited to 64 to keep hostile input from exhausting the stack.
Result<bj::value> parse(std::string_view text);

// Compact serialisation.
inline std::string dump(const bj::value& v) { return bj::serialize(v); }

// Name of a JSON kind as it appears in error messages: "string", "object", ...
const char* kind_name(bj::kind k);

// The object `text` holds, or an empty object when it is not JSON or not an object: for JSON
// this program wrote itself (stored requests, outcomes), where a bad value means "nothing known".
bj::object parse_object(std::string_view text);

// The string member `key` of `o`; "" when it is missing or not a string. The view points into `o`.
std::string_view string_at(const bj::object& o, std::string_view key);

}  // namespace baton::json
