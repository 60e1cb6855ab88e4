#include "bot/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "bot/loader.hpp"
#include "bot/understanding.hpp"

namespace baton::bot {
namespace {

std::string count(std::size_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace

int run_check(const std::vector<std::string>& paths, std::ostream& out,
              const CheckOptions& options) {
  int status = 0;
  for (const auto& path : paths) {
    LoadResult result = load_bot(path);
    if (result.bot && !result.bot->external) {  // an external bot has no phrases
      auto more = understanding_warnings(*result.bot);
      result.diagnostics.insert(result.diagnostics.end(), more.begin(), more.end());
      std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                       [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.loc.file, a.loc.line, a.loc.column) <
                                std::tie(b.loc.file, b.loc.line, b.loc.column);
                       });
    }
    std::size_t errors = 0;
    std::size_t warnings = 0;
    for (auto& d : result.diagnostics) {
      if (options.strict) {
        d.severity = Severity::kError;
      }
      out << d.format() << '\n';
      (d.severity == Severity::kError ? errors : warnings) += 1;
    }
    const std::string name = result.bot && !result.bot->id.empty() ? result.bot->id : path;
    out << name << ": " << count(errors, "error") << ", " << count(warnings, "warning") << '\n';
    if (errors > 0) {
      status = 1;
    }
  }
  return status;
}

}  // namespace baton::bot
