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

}  // namespace baton::json
