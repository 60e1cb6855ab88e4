#pragma once
// Static file serving from a directory (the test page, the Web Chat bundle, the agent console).
// Paths are resolved safely: no `..`/`.` segments, no hidden (dot) files, no backslashes or NULs,
// and the resolved file (after following symlinks) must lie inside the root. Anything else is a
// 404, never a file outside the root. Files are streamed from disk, not loaded into memory.

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "server/handler.hpp"

namespace baton::server {

struct StaticFilesOptions {
  // The route parameter holding the relative path, e.g. "path" for "/assets/{*path}".
  std::string param = "path";
  // Served for an empty path or one ending in '/'.
  std::string index_file = "index.html";
  // Cache-Control sent with every file; "no-cache" makes browsers revalidate with the ETag.
  std::string cache_control = "no-cache";
};

// Resolves `relative` (a decoded, '/'-separated path) under `root`. Errors: kNotFound for unsafe
// paths, missing files and non-regular files (a directory without index counts as missing).
Result<std::filesystem::path> resolve_static_path(const std::filesystem::path& root,
                                                  std::string_view relative,
                                                  std::string_view index_file);

// A GET handler serving files under `root` for a route with a `{*param}` segment. Answers 200 with
// the file, Content-Type by extension (content_type_for), ETag and Last-Modified; 304 when
// If-None-Match matches the ETag; 404 JSON otherwise. Safe to call from any thread.
Handler static_files(std::filesystem::path root, StaticFilesOptions options = {});

// A GET handler serving one fixed file (e.g. the Web Chat bundle at "/webchat/webchat.js").
Handler static_file(std::filesystem::path file, std::string cache_control = "no-cache");

}  // namespace baton::server
