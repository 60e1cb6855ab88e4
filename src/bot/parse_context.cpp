// Positions, diagnostics and typed field readers shared by the loader's parsers.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "bot/loader_internal.hpp"
#include "core/utf8.hpp"

namespace baton::bot::detail {
namespace {

int code_points(std::string_view text) {
  int n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Splits "column N: message" (the form of expression and template errors).
std::pair<int, std::string> split_column(const std::string& message) {
  int column = 0;
  const auto colon = message.find(": ");
  if (message.rfind("column ", 0) == 0 && colon != std::string::npos) {
    std::from_chars(message.data() + 7, message.data() + colon, column);
    return {column, message.substr(colon + 2)};
  }
  return {0, message};
}

bool is_plain(const YAML::Node& node) { return node.Tag() == "?"; }

bool matches_any(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), s) != words.end();
}

std::optional<boost::json::value> plain_scalar_json(const std::string& s) {
  if (matches_any(s, {"", "~", "null", "Null", "NULL"})) {
    return boost::json::value(nullptr);
  }
  if (matches_any(s, {"true", "True", "TRUE"})) {
    return boost::json::value(true);
  }
  if (matches_any(s, {"false", "False", "FALSE"})) {
    return boost::json::value(false);
  }
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  const char* end = s.data() + s.size();
  std::int64_t i = 0;
  auto [p, ec] = std::from_chars(begin, end, i);
  if (ec == std::errc() && p == end) {
    return boost::json::value(i);
  }
  const bool numeric_chars = std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
  });
  if (numeric_chars &&
      std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    char* stop = nullptr;
    const double d = std::strtod(s.c_str(), &stop);
    if (stop == s.c_str() + s.size() && std::isfinite(d)) {
      return boost::json::value(d);
    }
  }
  return std::nullopt;
}

std::optional<boost::json::value> read_json_at(ParseContext& ctx, const YAML::Node& value,
                                               const YAML::Node& key, int depth) {
  if (!ctx.visit(value)) {
    return std::nullopt;
  }
  if (depth > kMaxNesting) {
    ctx.error(ctx.loc(value, key),
              fmt::format("value is nested too deeply (limit {})", kMaxNesting));
    return std::nullopt;
  }
  switch (value.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return boost::json::value(nullptr);
    case YAML::NodeType::Scalar: {
      if (is_plain(value)) {
        if (auto typed = plain_scalar_json(value.Scalar())) {
          return typed;
        }
      }
      return boost::json::value(value.Scalar());
    }
    case YAML::NodeType::Sequence: {
      boost::json::array out;
      for (const auto& item : value) {
        auto v = read_json_at(ctx, item, key, depth + 1);
        if (!v) {
          return std::nullopt;
        }
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      boost::json::object out;
      for (const auto& kv : value) {
        if (!kv.first.IsScalar()) {
          ctx.error(ctx.loc(kv.first, value), "map keys inside values must be plain text");
          return std::nullopt;
        }
        auto v = read_json_at(ctx, kv.second, kv.first, depth + 1);
        if (!v) {
          return std::nullopt;
        }
        out[kv.first.Scalar()] = std::move(*v);
      }
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace

SourceLoc ParseContext::loc(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) {
    return SourceLoc{file_, 0, 0};
  }
  SourceLoc out{file_, mark.line + 1, mark.column + 1};
  // yaml-cpp counts columns in bytes; editors count characters.
  if (mark.pos >= 0 && mark.column >= 0 && static_cast<std::size_t>(mark.pos) <= text_.size() &&
      mark.column <= mark.pos) {
    const auto pos = static_cast<std::size_t>(mark.pos);
    const auto start = pos - static_cast<std::size_t>(mark.column);
    out.column =
        static_cast<int>(pos - start) -
        static_cast<int>(continuation_bytes_before(pos) - continuation_bytes_before(start)) + 1;
  }
  return out;
}

std::size_t ParseContext::continuation_bytes_before(std::size_t pos) const {
  // Counts per 256-byte block, built once, so positions on very long lines stay cheap.
  constexpr std::size_t kBlock = 256;
  if (blocks_.empty()) {
    blocks_.push_back(0);
    std::size_t count = 0;
    for (std::size_t i = 0; i < text_.size(); ++i) {
      count += (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80 ? 1 : 0;
      if ((i + 1) % kBlock == 0) {
        blocks_.push_back(count);
      }
    }
  }
  const std::size_t block = pos / kBlock;
  std::size_t count = blocks_[std::min(block, blocks_.size() - 1)];
  for (std::size_t i = std::min(block, blocks_.size() - 1) * kBlock; i < pos && i < text_.size();
       ++i) {
    count += (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80 ? 1 : 0;
  }
  return count;
}

SourceLoc ParseContext::loc(const YAML::Node& node) const { return loc(node.Mark()); }

SourceLoc ParseContext::loc(const YAML::Node& node, const YAML::Node& fallback) const {
  if (!node.IsDefined() || node.IsNull()) {
    return loc(fallback.Mark());
  }
  return loc(node.Mark());
}

std::optional<SourceLoc> ParseContext::loc_in_scalar(const YAML::Node& scalar, int column) const {
  const YAML::Mark mark = scalar.Mark();
  if (!scalar.IsScalar() || mark.pos < 0 || column < 1) {
    return std::nullopt;
  }
  const std::string& value = scalar.Scalar();
  const auto pos = static_cast<std::size_t>(mark.pos);
  if (pos >= text_.size() || value.find('\n') != std::string::npos) {
    return std::nullopt;
  }
  int shift = 0;
  if (text_.compare(pos, value.size(), value) != 0) {
    const char quote = text_[pos];
    if ((quote != '"' && quote != '\'') || text_.compare(pos + 1, value.size(), value) != 0 ||
        pos + 1 + value.size() >= text_.size() || text_[pos + 1 + value.size()] != quote) {
      return std::nullopt;
    }
    shift = 1;
  }
  SourceLoc out = loc(mark);
  out.column += shift + std::min(column, code_points(value) + 1) - 1;
  return out;
}

SourceLoc ParseContext::loc_at_offset(const YAML::Node& scalar, std::size_t offset) const {
  const std::string& value = scalar.Scalar();
  const int column =
      code_points(std::string_view(value).substr(0, std::min(offset, value.size()))) + 1;
  return loc_in_scalar(scalar, column).value_or(loc(scalar));
}

void ParseContext::error(SourceLoc at, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::kError, std::move(at), std::move(message)});
}

void ParseContext::warning(SourceLoc at, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::kWarning, std::move(at), std::move(message)});
}

bool ParseContext::visit(const YAML::Node& node) {
  if (budget_ <= 0) {
    return false;
  }
  if (--budget_ == 0) {
    error(loc(node), fmt::format("the file is too large or too deeply aliased (more than {} YAML "
                                 "nodes)",
                                 kMaxYamlNodes));
    return false;
  }
  return true;
}

MapReader::MapReader(ParseContext& ctx, const YAML::Node& map, std::string what,
                     std::initializer_list<std::string_view> allowed, std::optional<SourceLoc> at)
    : ctx_(ctx), what_(std::move(what)), loc_(at ? *at : ctx.loc(map)) {
  if (!map.IsMap() || !ctx.visit(map)) {
    return;
  }
  const std::vector<std::string_view> candidates(allowed);
  for (const auto& kv : map) {
    if (!ctx.visit(kv.first)) {
      return;
    }
    if (!kv.first.IsScalar()) {
      ctx.error(ctx.loc(kv.first), fmt::format("keys in {} must be plain names", what_));
      continue;
    }
    const std::string& name = kv.first.Scalar();
    if (std::find(candidates.begin(), candidates.end(), name) == candidates.end()) {
      std::string hint = did_you_mean(name, candidates);
      if (hint.empty()) {
        std::string all;
        for (const auto& c : candidates) {
          all += all.empty() ? "" : ", ";
          all += c;
        }
        hint = fmt::format(" (expected one of: {})", all);
      }
      ctx.error(ctx.loc(kv.first), fmt::format("unknown key '{}' in {}{}", name, what_, hint));
      continue;
    }
    if (get(name) != nullptr) {
      ctx.error(ctx.loc(kv.first), fmt::format("duplicate key '{}' in {}", name, what_));
      continue;
    }
    fields_.push_back(Field{name, kv.first, kv.second});
  }
}

const Field* MapReader::get(std::string_view key) const {
  for (const auto& f : fields_) {
    if (f.name == key) {
      return &f;
    }
  }
  return nullptr;
}

const Field* MapReader::require(std::string_view key) {
  const Field* f = get(key);
  if (f == nullptr) {
    ctx_.error(loc_, fmt::format("missing required key '{}' in {}", key, what_));
  }
  return f;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.size() > 64 || candidates.size() > 1000) {
    return "";  // keeps hostile files with huge name lists linear
  }
  std::string_view best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  const std::size_t limit = word.size() <= 4 ? 1 : 2;
  if (best.empty() || best_distance > limit) {
    return "";
  }
  return fmt::format(" (did you mean '{}'?)", best);
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (s.size() > 40) {
        return fmt::format("'{}...'", utf8::sanitize(s.substr(0, 40)));
      }
      return fmt::format("'{}'", s);
    }
    default:
      return "an empty value";
  }
}

std::optional<std::string> read_string(ParseContext& ctx, const Field& f) {
  if (!f.value.IsScalar()) {
    ctx.error(ctx.loc(f.value, f.key),
              fmt::format("'{}' must be text, got {}", f.name, describe_node(f.value)));
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<std::string> read_nonempty_string(ParseContext& ctx, const Field& f) {
  auto s = read_string(ctx, f);
  if (s && s->empty()) {
    ctx.error(ctx.loc(f.value, f.key), fmt::format("'{}' must not be empty", f.name));
    return std::nullopt;
  }
  return s;
}

std::optional<long long> read_int(ParseContext& ctx, const Field& f) {
  if (f.value.IsScalar()) {
    const std::string& s = f.value.Scalar();
    long long v = 0;
    const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && v >= -1000000000 && v <= 1000000000) {
      return v;
    }
  }
  ctx.error(ctx.loc(f.value, f.key),
            fmt::format("'{}' must be an integer, got {}", f.name, describe_node(f.value)));
  return std::nullopt;
}

std::optional<double> read_double(ParseContext& ctx, const Field& f) {
  if (f.value.IsScalar() && is_plain(f.value)) {
    auto v = plain_scalar_json(f.value.Scalar());
    if (v && (v->is_int64() || v->is_double())) {
      return v->is_int64() ? static_cast<double>(v->get_int64()) : v->get_double();
    }
  }
  ctx.error(ctx.loc(f.value, f.key),
            fmt::format("'{}' must be a number, got {}", f.name, describe_node(f.value)));
  return std::nullopt;
}

std::optional<bool> read_bool(ParseContext& ctx, const Field& f) {
  if (f.value.IsScalar() && is_plain(f.value)) {
    auto v = plain_scalar_json(f.value.Scalar());
    if (v && v->is_bool()) {
      return v->get_bool();
    }
  }
  ctx.error(ctx.loc(f.value, f.key),
            fmt::format("'{}' must be true or false, got {}", f.name, describe_node(f.value)));
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_list(ParseContext& ctx, const Field& f) {
  std::vector<std::string> out;
  if (f.value.IsNull()) {
    return out;
  }
  if (!f.value.IsSequence()) {
    ctx.error(ctx.loc(f.value, f.key),
              fmt::format("'{}' must be a list of texts, got {}", f.name, describe_node(f.value)));
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& item : f.value) {
    if (!ctx.visit(item)) {
      return std::nullopt;
    }
    if (!item.IsScalar() || item.Scalar().empty()) {
      ctx.error(ctx.loc(item, f.key),
                fmt::format("items of '{}' must be non-empty texts, got {}", f.name,
                            item.IsScalar() ? "an empty text" : describe_node(item)));
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  return ok ? std::optional(std::move(out)) : std::nullopt;
}

std::optional<Template> read_template(ParseContext& ctx, const YAML::Node& value,
                                      const YAML::Node& key, TopicInfo* info) {
  if (!value.IsScalar()) {
    ctx.error(ctx.loc(value, key),
              fmt::format("'{}' must be text, got {}", key.Scalar(), describe_node(value)));
    return std::nullopt;
  }
  if (value.Scalar().size() > kMaxTemplateBytes) {
    ctx.error(ctx.loc(value), fmt::format("the text is longer than {} bytes", kMaxTemplateBytes));
    return std::nullopt;
  }
  auto parsed = parse_template(value.Scalar());
  if (!parsed.ok()) {
    auto [column, message] = split_column(parsed.error().message);
    if (auto at = ctx.loc_in_scalar(value, column)) {
      ctx.error(*at, "invalid template: " + message);
    } else {
      ctx.error(ctx.loc(value), "invalid template: " + parsed.error().message);
    }
    return std::nullopt;
  }
  if (info != nullptr) {
    const std::string& text = value.Scalar();
    std::vector<std::string> names = parsed->variables();
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& name : names) {  // the first use of each name is enough for diagnostics
      std::size_t offset = text.find("{" + name);
      if (offset == std::string::npos) {
        offset = text.find(name);
      }
      info->uses.push_back(VariableUse{name, ctx.loc_at_offset(value, offset)});
    }
  }
  return std::move(parsed.value());
}

std::optional<std::vector<Template>> read_template_list(ParseContext& ctx, const Field& f,
                                                        TopicInfo* info) {
  std::vector<Template> out;
  if (f.value.IsNull()) {
    return out;
  }
  if (!f.value.IsSequence()) {
    ctx.error(ctx.loc(f.value, f.key),
              fmt::format("'{}' must be a list of texts, got {}", f.name, describe_node(f.value)));
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& item : f.value) {
    if (!ctx.visit(item)) {
      return std::nullopt;
    }
    auto t = read_template(ctx, item, f.key, info);
    if (t) {
      out.push_back(std::move(*t));
    }
    ok = ok && t.has_value();
  }
  return ok ? std::optional(std::move(out)) : std::nullopt;
}

std::optional<boost::json::value> read_json(ParseContext& ctx, const YAML::Node& value,
                                            const YAML::Node& key) {
  return read_json_at(ctx, value, key, 0);
}

bool is_variable_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<std::string> read_variable_name(ParseContext& ctx, const Field& f) {
  auto name = read_nonempty_string(ctx, f);
  if (!name) {
    return std::nullopt;
  }
  if (name->rfind("System.", 0) == 0) {
    ctx.error(ctx.loc(f.value), fmt::format("cannot set system variable '{}'", *name));
    return std::nullopt;
  }
  if (!is_variable_name(*name)) {
    ctx.error(ctx.loc(f.value),
              fmt::format("invalid variable name '{}': use letters, digits and '_', not starting "
                          "with a digit",
                          *name));
    return std::nullopt;
  }
  return name;
}

}  // namespace baton::bot::detail
