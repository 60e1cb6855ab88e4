#pragma once
// multipart/form-data (RFC 7578) as DirectLineJS sends uploads: one part named "activity" of type
// application/vnd.microsoft.activity, then one part named "file" per attachment. Pure functions
// over the request body; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace baton::directline {

struct Part {
  std::string name;          // Content-Disposition name
  std::string filename;      // Content-Disposition filename ("" when absent)
  std::string content_type;  // "" when the part has no Content-Type
  std::string_view body;     // points into the parsed body
};

// The boundary parameter of a multipart Content-Type; "" when `content_type` is not multipart or
// has none.
std::string multipart_boundary(std::string_view content_type);

// Splits `body` into parts. Errors (kInvalidArgument, message names the problem): missing or bad
// delimiters, headers without a blank line, a part without Content-Disposition name, more than
// `max_parts` parts. Parts' bodies point into `body`, which must outlive them.
Result<std::vector<Part>> parse_multipart(std::string_view boundary, std::string_view body,
                                          std::size_t max_parts = 32);

// The value of parameter `key` in a header value like `form-data; name="file"; filename="a b.png"`;
// "" when absent. Quotes are removed and backslash escapes resolved.
std::string header_parameter(std::string_view header_value, std::string_view key);

}  // namespace baton::directline
