#include "channels/directline/multipart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace baton::directline {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Error bad(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, "multipart: " + std::move(message));
}

// Reads the headers of one part (up to the blank line) into `part`; returns the offset after it.
Result<std::size_t> read_headers(std::string_view body, std::size_t at, Part& part) {
  const std::size_t end = body.find("\r\n\r\n", at);
  if (end == std::string_view::npos) {
    return bad("part headers are not followed by a blank line");
  }
  std::string_view headers = body.substr(at, end - at);
  bool has_disposition = false;
  while (!headers.empty()) {
    const std::size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return bad(fmt::format("malformed part header '{}'", line.substr(0, 80)));
    }
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      has_disposition = true;
      part.name = header_parameter(value, "name");
      part.filename = header_parameter(value, "filename");
    } else if (iequals(name, "Content-Type")) {
      part.content_type = std::string(value);
    }
  }
  if (!has_disposition || part.name.empty()) {
    return bad("a part has no Content-Disposition name");
  }
  return end + 4;
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data") ||
      semi == std::string_view::npos) {
    return {};
  }
  return header_parameter(content_type.substr(semi + 1), "boundary");
}

std::string header_parameter(std::string_view value, std::string_view key) {
  std::size_t at = 0;
  while (at < value.size()) {
    while (at < value.size() && (value[at] == ';' || value[at] == ' ' || value[at] == '\t')) {
      ++at;
    }
    const std::size_t eq = value.find('=', at);
    const std::size_t semi = value.find(';', at);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      at = semi == std::string_view::npos ? value.size() : semi + 1;
      continue;
    }
    const std::string_view name = trim(value.substr(at, eq - at));
    std::string result;
    std::size_t i = eq + 1;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
          ++i;
        }
        result += value[i];
      }
      i = value.find(';', i);
    } else {
      const std::size_t stop = value.find(';', i);
      result = std::string(trim(value.substr(i, stop - i)));
      i = stop;
    }
    if (iequals(name, key)) {
      return result;
    }
    at = i == std::string_view::npos ? value.size() : i + 1;
  }
  return {};
}

Result<std::vector<Part>> parse_multipart(std::string_view boundary, std::string_view body,
                                          std::size_t max_parts) {
  if (boundary.empty() || boundary.size() > 200) {
    return bad("missing or overlong boundary");
  }
  const std::string delimiter = "--" + std::string(boundary);
  const std::string next_delimiter = "\r\n" + delimiter;
  std::size_t at = body.find(delimiter);
  if (at == std::string_view::npos) {
    return bad("the body does not contain the boundary");
  }
  at += delimiter.size();
  std::vector<Part> parts;
  while (true) {
    if (body.substr(at, 2) == "--") {
      return parts;  // closing delimiter
    }
    if (body.substr(at, 2) != "\r\n") {
      return bad("a delimiter is not followed by CRLF");
    }
    if (parts.size() == max_parts) {
      return bad(fmt::format("more than {} parts", max_parts));
    }
    Part part;
    auto content = read_headers(body, at + 2, part);
    if (!content.ok()) {
      return content.error();
    }
    const std::size_t end = body.find(next_delimiter, *content);
    if (end == std::string_view::npos) {
      return bad("a part is not terminated by the boundary");
    }
    part.body = body.substr(*content, end - *content);
    parts.push_back(std::move(part));
    at = end + next_delimiter.size();
  }
}

}  // namespace baton::directline
