#include "bot/check.hpp"

#include <fmt/format.h>

#include "bot/loader.hpp"

namespace baton::bot {
namespace {

std::string count(std::size_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace

int run_check(const std::vector<std::string>& paths, std::ostream& out) {
  int status = 0;
  for (const auto& path : paths) {
    const LoadResult result = load_bot(path);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    for (const auto& d : result.diagnostics) {
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
