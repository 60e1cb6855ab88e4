#include "server/router.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace baton::server {

namespace {

Result<std::vector<Route::Segment>> parse_pattern(std::string_view pattern) {
  auto fail = [&](std::string_view why) -> Result<std::vector<Route::Segment>> {
    return make_error(ErrorCode::kInvalidArgument,
                      "route pattern '" + std::string(pattern) + "': " + std::string(why));
  };
  if (pattern.empty() || pattern.front() != '/') {
    return fail("must start with '/'");
  }
  std::vector<Route::Segment> segments;
  for (const std::string& text : split_path(pattern)) {
    Route::Segment segment;
    if (!text.empty() && text.front() == '{') {
      if (text.size() < 3 || text.back() != '}') {
        return fail("a '{' segment must be '{name}' or '{*name}'");
      }
      std::string name = text.substr(1, text.size() - 2);
      segment.kind = Route::Segment::Kind::kParam;
      if (name.front() == '*') {
        segment.kind = Route::Segment::Kind::kRest;
        name.erase(0, 1);
      }
      if (name.empty() || name.find_first_of("{}*/") != std::string::npos) {
        return fail("bad parameter name");
      }
      for (const auto& other : segments) {
        if (other.kind != Route::Segment::Kind::kLiteral && other.text == name) {
          return fail("duplicate parameter '" + name + "'");
        }
      }
      segment.text = std::move(name);
    } else {
      if (text.find_first_of("{}") != std::string::npos) {
        return fail("braces are only allowed around a whole segment");
      }
      segment.text = text;
    }
    if (!segments.empty() && segments.back().kind == Route::Segment::Kind::kRest) {
      return fail("'{*name}' must be the last segment");
    }
    segments.push_back(std::move(segment));
  }
  return segments;
}

// Matches `segments` against a route's pattern; fills `params` on success.
bool match_segments(const Route& route, const std::vector<std::string>& segments, Params& params) {
  params.clear();
  std::size_t i = 0;
  for (const auto& pattern : route.segments) {
    if (pattern.kind == Route::Segment::Kind::kRest) {
      std::string rest;
      for (std::size_t j = i; j < segments.size(); ++j) {
        if (j > i) {
          rest += '/';
        }
        rest += segments[j];
      }
      params.emplace_back(pattern.text, std::move(rest));
      return true;
    }
    if (i >= segments.size()) {
      return false;
    }
    if (pattern.kind == Route::Segment::Kind::kParam) {
      if (segments[i].empty()) {
        return false;
      }
      params.emplace_back(pattern.text, segments[i]);
    } else if (pattern.text != segments[i]) {
      return false;
    }
    ++i;
  }
  return i == segments.size();
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  if (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  if (path.empty()) {
    return segments;
  }
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.emplace_back(path.substr(start));
      break;
    }
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

Status Router::add_route(Route route) {
  auto segments = parse_pattern(route.pattern);
  if (!segments.ok()) {
    return segments.error();
  }
  route.segments = std::move(*segments);
  routes_.push_back(std::move(route));
  return {};
}

Status Router::add(http::verb method, std::string_view pattern, Handler handler,
                   RouteOptions options) {
  Route route;
  route.method = method;
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  route.options = std::move(options);
  return add_route(std::move(route));
}

Status Router::add_async(http::verb method, std::string_view pattern, AsyncHandler handler,
                         RouteOptions options) {
  Route route;
  route.method = method;
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  route.options = std::move(options);
  return add_route(std::move(route));
}

Status Router::add_websocket(std::string_view pattern, WebSocketHandler handler, bool cors) {
  Route route;
  route.method = http::verb::get;
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  route.options.cors = cors;
  return add_route(std::move(route));
}

Router::Match Router::match(http::verb method, const std::vector<std::string>& segments,
                            bool websocket) const {
  Match result;
  std::vector<http::verb> allowed;
  Params params;
  for (const Route& route : routes_) {
    if (route.is_websocket() != websocket || !match_segments(route, segments, params)) {
      continue;
    }
    result.cors = result.cors && route.options.cors;
    if (websocket || route.method == method) {
      result.outcome = Outcome::kFound;
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  if (!allowed.empty()) {
    result.outcome = Outcome::kMethodNotAllowed;
    for (http::verb verb : allowed) {
      result.allow += std::string(http::to_string(verb));
      result.allow += ", ";
    }
    result.allow += "OPTIONS";
  }
  return result;
}

Result<Target> parse_target(std::string_view text) {
  auto url = boost::urls::parse_origin_form(text);
  if (!url) {
    return make_error(ErrorCode::kInvalidArgument, "malformed request target");
  }
  Target target;
  target.path = url->path();
  for (auto segment : url->segments()) {
    target.segments.emplace_back(segment);
  }
  for (auto param : url->params(boost::urls::encoding_opts(true, false, false))) {
    target.query.emplace_back(param.key, param.value);
  }
  return target;
}

}  // namespace baton::server
