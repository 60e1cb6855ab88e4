#include "bot/source.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace baton::bot {

std::string Diagnostic::format() const {
  const char* kind = severity == Severity::kError ? "error" : "warning";
  if (loc.line <= 0) {
    return fmt::format("{}: {}: {}", loc.file, kind, message);
  }
  return fmt::format("{}:{}:{}: {}: {}", loc.file, loc.line, std::max(loc.column, 1), kind,
                     message);
}

bool has_errors(const Diagnostics& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::kError) {
      return true;
    }
  }
  return false;
}

}  // namespace baton::bot
