// Entry points: read files (or a string), parse YAML, merge a directory's files, add the default
// system topics and validate. Nothing escapes as an exception: yaml-cpp's exceptions become
// diagnostics at this boundary.
#include "bot/loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "bot/loader_internal.hpp"
#include "core/utf8.hpp"

namespace baton::bot {
namespace {

namespace fs = std::filesystem;
using detail::ParseContext;
using detail::ParsedBot;

void file_error(Diagnostics& diagnostics, const std::string& file, std::string message) {
  diagnostics.push_back(Diagnostic{Severity::kError, SourceLoc{file, 0, 0}, std::move(message)});
}

// Line and column (in code points) of a byte offset, for problems found before YAML parsing.
SourceLoc loc_of_offset(const std::string& file, std::string_view text, std::size_t offset) {
  SourceLoc loc{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

// Notes where a second YAML document starts, if it has any content.
class SecondDocument : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> mark;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& m) {
    if (!mark) {
      mark = m;
    }
  }
};

// The file's one document. YAML::LoadAll is avoided on purpose: yaml-cpp 0.7 loops forever,
// allocating, on a stray ',' at the top level (jbeder/yaml-cpp#1040), so documents after the
// first are looked for with a bounded number of parser steps instead.
std::optional<YAML::Node> parse_yaml(ParseContext& ctx, std::string_view text) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    SecondDocument first;
    SecondDocument second;
    if (parser.HandleNextDocument(first) && parser.HandleNextDocument(second) && second.mark) {
      ctx.error(ctx.loc(*second.mark), "only one YAML document per file is allowed");
      return std::nullopt;
    }
    return root;
  } catch (const YAML::Exception& e) {
    ctx.error(ctx.loc(e.mark), "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    ctx.error(SourceLoc{ctx.file(), 0, 0}, fmt::format("cannot parse the YAML: {}", e.what()));
  }
  return std::nullopt;
}

void load_source(const std::string& file, std::string_view text, ParsedBot& parsed,
                 Diagnostics& diagnostics) {
  if (text.size() > detail::kMaxFileBytes) {
    file_error(diagnostics, file,
               fmt::format("the file is larger than {} MiB", detail::kMaxFileBytes >> 20));
    parsed.unreadable_file = true;
    return;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);  // a UTF-8 byte order mark
  }
  if (auto bad = utf8::find_invalid(text)) {
    diagnostics.push_back(Diagnostic{Severity::kError, loc_of_offset(file, text, *bad),
                                     "invalid UTF-8 byte sequence"});
    parsed.unreadable_file = true;
    return;
  }
  ParseContext ctx(file, text, diagnostics);
  const std::optional<YAML::Node> root = parse_yaml(ctx, text);
  if (!root) {
    parsed.unreadable_file = true;
    return;
  }
  if (!root->IsNull() && !root->IsMap()) {
    parsed.unreadable_file = true;  // parse_file explains
  }
  try {
    detail::parse_file(ctx, *root, parsed);
  } catch (const std::exception& e) {
    ctx.error(SourceLoc{file, 0, 0}, fmt::format("cannot read the YAML: {}", e.what()));
  }
}

bool read_file(const fs::path& path, const std::string& name, std::string& out,
               Diagnostics& diagnostics) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    file_error(diagnostics, name, fmt::format("cannot read the file: {}", ec.message()));
    return false;
  }
  if (size > detail::kMaxFileBytes) {
    file_error(diagnostics, name,
               fmt::format("the file is larger than {} MiB", detail::kMaxFileBytes >> 20));
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    file_error(diagnostics, name, "cannot read the file");
    return false;
  }
  out = buffer.str();
  return true;
}

LoadResult finish(ParsedBot parsed, Diagnostics diagnostics, const std::string& anchor,
                  const char* missing_bot) {
  if (!parsed.bot_section && !parsed.unreadable_file) {
    file_error(diagnostics, anchor, missing_bot);
  } else if (parsed.bot_section) {
    if (parsed.bot.external && !parsed.bot.topics.empty()) {
      diagnostics.push_back(
          {Severity::kError, parsed.bot.topics.front().loc,
           "an external bot (bot.endpoint) has no topics: its answers come from the endpoint"});
    }
    detail::add_default_topics(parsed);
    detail::validate(parsed, diagnostics);
  }
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.loc.file, a.loc.line, a.loc.column) <
                            std::tie(b.loc.file, b.loc.line, b.loc.column);
                   });
  LoadResult result;
  if (!has_errors(diagnostics)) {
    result.bot = std::move(parsed.bot);
  }
  result.diagnostics = std::move(diagnostics);
  return result;
}

// The bot's YAML files in a directory. `hub.yaml` / `hub.yml` configure the engagement hub that
// lives beside the bot (docs/HUB.md), so they are not part of the bot.
std::vector<fs::path> yaml_files(const fs::path& dir, std::error_code& ec) {
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension();
    const auto stem = it->path().stem();
    std::error_code type_ec;
    if ((ext == ".yaml" || ext == ".yml") && stem != "hub" && it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return files;
}

}  // namespace

LoadResult load_bot(const fs::path& path) {
  ParsedBot parsed;
  Diagnostics diagnostics;
  const std::string name = path.string();
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    file_error(diagnostics, name, "no such file or directory");
    return LoadResult{std::nullopt, std::move(diagnostics)};
  }
  if (!fs::is_directory(status)) {
    std::string text;
    if (!read_file(path, name, text, diagnostics)) {
      return LoadResult{std::nullopt, std::move(diagnostics)};
    }
    load_source(name, text, parsed, diagnostics);
    return finish(std::move(parsed), std::move(diagnostics), name, "missing 'bot:' section");
  }
  const auto files = yaml_files(path, ec);
  if (ec) {
    file_error(diagnostics, name, fmt::format("cannot list the directory: {}", ec.message()));
    return LoadResult{std::nullopt, std::move(diagnostics)};
  }
  if (files.empty()) {
    file_error(diagnostics, name, "no .yaml or .yml files in the directory");
    return LoadResult{std::nullopt, std::move(diagnostics)};
  }
  for (const auto& file : files) {
    std::string text;
    if (read_file(file, file.string(), text, diagnostics)) {
      load_source(file.string(), text, parsed, diagnostics);
    } else {
      parsed.unreadable_file = true;
    }
  }
  return finish(std::move(parsed), std::move(diagnostics), name,
                "no file in the directory has a 'bot:' section");
}

LoadResult load_bot_from_string(std::string_view yaml, const std::string& file_name) {
  ParsedBot parsed;
  Diagnostics diagnostics;
  load_source(file_name, yaml, parsed, diagnostics);
  return finish(std::move(parsed), std::move(diagnostics), file_name, "missing 'bot:' section");
}

}  // namespace baton::bot
