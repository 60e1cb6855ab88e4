#include "hub/config_texts.hpp"

#include <algorithm>

namespace baton::hub::detail {
namespace {

class TextReader {
 public:
  TextReader(std::span<const std::string_view> placeholders, const std::string& file,
             bot::Diagnostics& diagnostics)
      : placeholders_(placeholders), file_(file), diagnostics_(diagnostics) {}

  void read(const YAML::Node& node, LocalizedText& out) {
    if (node.IsScalar()) {
      if (placeholders_ok(node)) {
        out = node.Scalar();
      }
      return;
    }
    if (!node.IsMap()) {
      error(node,
            "a text must be a string or a mapping of languages to strings (en: ..., de: ...)");
      return;
    }
    LocalizedText text;
    bool ok = true;
    for (const auto& item : node) {
      if (!item.first.IsScalar()) {
        error(item.first, "a language must be a code such as en, de or de-ch");
        ok = false;
        continue;
      }
      const std::string tag = normalize_language(item.first.Scalar());
      if (!known_language(tag)) {
        error(item.first, "unknown language '" + item.first.Scalar() +
                              "' (an ISO 639-1 code such as en, de, fr, es, optionally with a "
                              "region: de-ch)");
        ok = false;
        continue;
      }
      if (std::any_of(text.by_language.begin(), text.by_language.end(),
                      [&tag](const auto& entry) { return entry.first == tag; })) {
        error(item.first, "language '" + item.first.Scalar() + "' given twice");
        ok = false;
        continue;
      }
      if (!item.second.IsScalar()) {
        error(item.second, "the text for '" + item.first.Scalar() + "' must be a string");
        ok = false;
        continue;
      }
      if (!placeholders_ok(item.second)) {
        ok = false;
        continue;
      }
      text.by_language.emplace_back(tag, item.second.Scalar());
    }
    if (ok) {
      out = std::move(text);
    }
  }

 private:
  bool placeholders_ok(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    for (std::size_t open = s.find('{'); open != std::string::npos; open = s.find('{', open)) {
      const std::size_t close = s.find('}', open);
      const std::string name =
          close == std::string::npos ? "" : s.substr(open + 1, close - open - 1);
      if (std::find(placeholders_.begin(), placeholders_.end(), name) == placeholders_.end()) {
        std::string allowed;
        for (std::string_view p : placeholders_) {
          allowed += (allowed.empty() ? "" : ", ") + std::string("{") + std::string(p) + "}";
        }
        error(node, "unknown placeholder in text (" +
                        (allowed.empty() ? std::string("this text takes none") : "use " + allowed) +
                        ")");
        return false;
      }
      open = close;
    }
    return true;
  }

  void error(const YAML::Node& node, std::string message) {
    const YAML::Mark mark = node.Mark();
    bot::SourceLoc loc{file_, 0, 0};
    if (mark.line >= 0) {
      loc = bot::SourceLoc{file_, mark.line + 1, mark.column + 1};
    }
    diagnostics_.push_back(bot::Diagnostic{bot::Severity::kError, loc, std::move(message)});
  }

  std::span<const std::string_view> placeholders_;
  const std::string& file_;
  bot::Diagnostics& diagnostics_;
};

}  // namespace

void load_localized_text(const YAML::Node& node, std::span<const std::string_view> placeholders,
                         const std::string& file, LocalizedText& out,
                         bot::Diagnostics& diagnostics) {
  TextReader(placeholders, file, diagnostics).read(node, out);
}

}  // namespace baton::hub::detail
