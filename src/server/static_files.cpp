#include "server/static_files.hpp"

#include <fmt/format.h>
#include <sodium.h>

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

Response serve_file(const fs::path& path, const Request& request,
                    const StaticFilesOptions& options) {
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
  if (!options.cache_control.empty()) {
    response.headers.set(http::field::cache_control, options.cache_control);
  }
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "no-referrer");
  if (response.content_type.starts_with("text/html") && !options.content_security_policy.empty()) {
    response.headers.set("Content-Security-Policy", options.content_security_policy);
    if (options.content_security_policy.find("frame-ancestors 'none'") != std::string::npos) {
      response.headers.set("X-Frame-Options", "DENY");
    }
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
    return serve_file(*path, request, options);
  };
}

Handler static_file(fs::path file, StaticFilesOptions options) {
  return [file = std::move(file), options = std::move(options)](const Request& request) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      return not_found();
    }
    return serve_file(file, request, options);
  };
}

std::string page_policy(const std::vector<std::string>& frame_ancestors,
                        const std::vector<std::string>& script_sources,
                        const std::vector<std::string>& style_sources,
                        const std::vector<std::string>& image_sources,
                        const std::vector<std::string>& connect_sources,
                        const std::vector<std::string>& worker_sources) {
  auto list = [](std::string_view first, const std::vector<std::string>& more) {
    std::string out(first);
    for (const auto& source : more) {
      out += ' ';
      out += source;
    }
    return out;
  };
  return fmt::format(
      "default-src 'self'; script-src {}; style-src {}; img-src {}; connect-src {}; {}"
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {}",
      list("'self'", script_sources), list("'self'", style_sources),
      list("'self' data:", image_sources), list("'self'", connect_sources),
      worker_sources.empty() ? std::string()
                             : "worker-src " + list("'self'", worker_sources) + "; ",
      frame_ancestors.empty() ? std::string("'none'") : list("", frame_ancestors).substr(1));
}

std::vector<std::string> inline_script_hashes(std::string_view html) {
  std::vector<std::string> hashes;
  std::size_t at = 0;
  while ((at = html.find("<script", at)) != std::string_view::npos) {
    const std::size_t tag_end = html.find('>', at);
    if (tag_end == std::string_view::npos) {
      break;
    }
    const std::string_view tag = html.substr(at, tag_end - at);
    const std::size_t close = html.find("</script>", tag_end);
    if (close == std::string_view::npos) {
      break;
    }
    if (tag.find(" src=") == std::string_view::npos) {
      const std::string_view body = html.substr(tag_end + 1, close - tag_end - 1);
      unsigned char digest[crypto_hash_sha256_BYTES];
      crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
      char encoded[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                             sodium_base64_VARIANT_ORIGINAL)];
      sodium_bin2base64(encoded, sizeof encoded, digest, sizeof digest,
                        sodium_base64_VARIANT_ORIGINAL);
      hashes.push_back(fmt::format("'sha256-{}'", encoded));
    }
    at = close + 9;
  }
  return hashes;
}

}  // namespace baton::server
