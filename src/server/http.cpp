#include "server/http.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

namespace baton::server {

namespace {

bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(a, b); }

}  // namespace

std::string_view Request::param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

std::optional<std::string_view> Request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  auto it = message.find(name);
  if (it == message.end()) {
    return std::nullopt;
  }
  return std::string_view(it->value());
}

std::optional<std::string_view> Request::bearer_token() const {
  auto value = header("Authorization");
  if (!value || value->size() < 7 || !iequals(value->substr(0, 7), "Bearer ")) {
    return std::nullopt;
  }
  std::string_view token = value->substr(7);
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  while (!token.empty() && token.back() == ' ') {
    token.remove_suffix(1);
  }
  return token;
}

Response json_response(http::status status, const boost::json::value& value) {
  return Response(status, "application/json", boost::json::serialize(value));
}

Response json_error(http::status status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object root;
  root["error"] = std::move(error);
  return json_response(status, root);
}

Response too_many_requests(std::chrono::milliseconds retry_after) {
  auto seconds = (retry_after.count() + 999) / 1000;
  if (seconds < 1) {
    seconds = 1;
  }
  Response response =
      json_error(http::status::too_many_requests, "TooManyRequests",
                 "Too many requests; retry after " + std::to_string(seconds) + " s");
  response.headers.set(http::field::retry_after, std::to_string(seconds));
  return response;
}

Response unavailable(std::string_view message, std::chrono::seconds retry_after) {
  Response response = json_error(http::status::service_unavailable, "Unavailable", message);
  response.headers.set(http::field::retry_after,
                       std::to_string(std::max<std::int64_t>(retry_after.count(), 1)));
  return response;
}

Response error_response(const Error& error, const ErrorNames& names) {
  auto answer = [&](http::status s, std::string_view fallback) {
    return json_error(s, error.protocol_code.empty() ? fallback : error.protocol_code,
                      error.message);
  };
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return answer(http::status::bad_request, "BadArgument");
    case ErrorCode::kParse:
      return answer(http::status::bad_request, names.parse);
    case ErrorCode::kTooLarge:
      return answer(http::status::payload_too_large, "TooLarge");
    case ErrorCode::kUnauthorized:
      return answer(http::status::unauthorized, names.unauthorized);
    case ErrorCode::kForbidden:
      return answer(http::status::forbidden, "Forbidden");
    case ErrorCode::kNotFound:
      return answer(http::status::not_found, "NotFound");
    case ErrorCode::kConflict:
      return answer(http::status::conflict, "Conflict");
    case ErrorCode::kNoSpace:
      if (names.no_space_is_507) {
        return answer(http::status::insufficient_storage, "InsufficientStorage");
      }
      return unavailable(error.message);
    case ErrorCode::kUnavailable:
    case ErrorCode::kIo:
      // The service (its storage), not the caller, failed: 503 tells clients to come back.
      return unavailable(error.message);
    case ErrorCode::kInternal:
      break;
  }
  return answer(http::status::internal_server_error, "ServiceError");
}

std::string_view content_type_for(std::string_view filename) {
  struct Entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".map", "application/json"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto dot = filename.rfind('.');
  if (dot != std::string_view::npos) {
    std::string_view extension = filename.substr(dot);
    for (const auto& entry : kTypes) {
      if (iequals(extension, entry.extension)) {
        return entry.type;
      }
    }
  }
  return "application/octet-stream";
}

}  // namespace baton::server
