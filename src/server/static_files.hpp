#pragma once
// Static file serving from a directory (the test page, the Web Chat bundle, the agent console).
// Paths are resolved safely: no `..`/`.` segments, no hidden (dot) files, no backslashes or NULs,
// and the resolved file (after following symlinks) must lie inside the root. Anything else is a
// 404, never a file outside the root. Files are streamed from disk, not loaded into memory.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "server/handler.hpp"

namespace baton::server {

// Every file is served with `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`;
// HTML pages also with `content_security_policy` (and `X-Frame-Options: DENY` when it forbids all
// framing, for browsers that predate frame-ancestors).
struct StaticFilesOptions {
  // The route parameter holding the relative path, e.g. "path" for "/assets/{*path}".
  std::string param = "path";
  // Served for an empty path or one ending in '/'.
  std::string index_file = "index.html";
  // Cache-Control sent with every file; "no-cache" makes browsers revalidate with the ETag.
  std::string cache_control = "no-cache";
  // The Content-Security-Policy of HTML pages; "" sends none.
  std::string content_security_policy;
};

// The policy of a page that runs only its own files: everything from this origin, no inline
// script or style, no plugins, no <base>, forms to this origin only, and framed only by
// `frame_ancestors` (CSP sources; empty = by nobody). `script_sources` and `style_sources` are
// added to 'self' (e.g. an inline script's 'sha256-…' hash, 'unsafe-inline' for a widget that
// injects its styles), `image_sources` to 'self' data:, `connect_sources` to 'self' (fetch, XHR,
// WebSocket), `worker_sources` to 'self' (given any, a worker-src directive is written; without,
// workers fall back to the script sources).
std::string page_policy(const std::vector<std::string>& frame_ancestors,
                        const std::vector<std::string>& script_sources = {},
                        const std::vector<std::string>& style_sources = {},
                        const std::vector<std::string>& image_sources = {},
                        const std::vector<std::string>& connect_sources = {},
                        const std::vector<std::string>& worker_sources = {});

// The CSP sources ('sha256-<base64>') that allow exactly the inline <script> elements (those
// without a src attribute) of `html`, as browsers hash them: the bytes between the tags.
std::vector<std::string> inline_script_hashes(std::string_view html);

// Resolves `relative` (a decoded, '/'-separated path) under `root`. Errors: kNotFound for unsafe
// paths, missing files and non-regular files (a directory without index counts as missing).
Result<std::filesystem::path> resolve_static_path(const std::filesystem::path& root,
                                                  std::string_view relative,
                                                  std::string_view index_file);

// A GET handler serving files under `root` for a route with a `{*param}` segment. Answers 200 with
// the file, Content-Type by extension (content_type_for), ETag and Last-Modified; 304 when
// If-None-Match matches the ETag; 404 JSON otherwise. Safe to call from any thread.
Handler static_files(std::filesystem::path root, StaticFilesOptions options = {});

// A GET handler serving one fixed file (e.g. the Web Chat bundle at "/webchat/webchat.js");
// `options.param` and `options.index_file` are not used.
Handler static_file(std::filesystem::path file, StaticFilesOptions options = {});

}  // namespace baton::server
