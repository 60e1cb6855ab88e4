#include "server/static_files.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "server/router.hpp"

namespace baton::server {

namespace {

namespace fs = std::filesystem;

bool safe_segment(std::string_view segment) {
  return !segment.empty() && segment.front() != '.' &&
         segment.find_first_of(std::string_view("\\\0:", 3)) == std::string_view::npos;
}

bool is_within(const fs::path& root, const fs::path& candidate) {
  auto root_it = root.begin();
  auto it = candidate.begin();
  for (; root_it != root.end(); ++root_it, ++it) {
    if (root_it->empty()) {
      continue;  // a trailing separator in root
    }
    if (it == candidate.end() || *it != *root_it) {
      return false;
    }
  }
  return true;
}

std::string http_date(fs::file_time_type time) {
  auto system = std::chrono::file_clock::to_sys(time);
  std::time_t t = std::chrono::system_clock::to_time_t(system);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

Response not_found() { return json_error(http::status::not_found, "NotFound", "No such file"); }

Response serve_file(const fs::path& path, const Request& request, const std::string& cache) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const auto mtime = fs::last_write_time(path, ec);
  if (ec) {
    return not_found();
  }
  const auto ticks = mtime.time_since_epoch().count();
  std::string etag = fmt::format("\"{:x}-{:x}\"", size, static_cast<unsigned long long>(ticks));
  Response response(http::status::ok, std::string(content_type_for(path.filename().string())), "");
  response.headers.set(http::field::etag, etag);
  response.headers.set(http::field::last_modified, http_date(mtime));
  if (!cache.empty()) {
    response.headers.set(http::field::cache_control, cache);
  }
  if (auto match = request.header("If-None-Match"); match && *match == etag) {
    response.status = http::status::not_modified;
    return response;
  }
  boost::beast::error_code open_error;
  response.file.open(path.c_str(), boost::beast::file_mode::scan, open_error);
  if (open_error) {
    return not_found();
  }
  return response;
}

}  // namespace

Result<fs::path> resolve_static_path(const fs::path& root, std::string_view relative,
                                     std::string_view index_file) {
  auto missing = [] { return make_error(ErrorCode::kNotFound, "no such file"); };
  std::vector<std::string> segments = split_path(relative);
  if (segments.empty() || segments.back().empty()) {
    if (!segments.empty()) {
      segments.pop_back();
    }
    segments.emplace_back(index_file);
  }
  fs::path candidate = root;
  for (const std::string& segment : segments) {
    if (!safe_segment(segment)) {
      return missing();
    }
    candidate /= segment;
  }
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) {
    return missing();
  }
  const fs::path resolved = fs::canonical(candidate, ec);
  if (ec || !is_within(canonical_root, resolved) || !fs::is_regular_file(resolved, ec)) {
    return missing();
  }
  return resolved;
}

Handler static_files(fs::path root, StaticFilesOptions options) {
  return [root = std::move(root), options = std::move(options)](const Request& request) {
    auto path = resolve_static_path(root, request.param(options.param), options.index_file);
    if (!path.ok()) {
      return not_found();
    }
    return serve_file(*path, request, options.cache_control);
  };
}

Handler static_file(fs::path file, std::string cache_control) {
  return [file = std::move(file), cache = std::move(cache_control)](const Request& request) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      return not_found();
    }
    return serve_file(file, request, cache);
  };
}

}  // namespace baton::server
