#pragma once
// Where something came from in a bot's YAML, and the diagnostics `baton check` prints.

#include <string>
#include <vector>

namespace baton::bot {

// 1-based line and column in a file; line 0 means "the file as a whole".
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;

  // "file:line:col: error: message" (the format of compilers, so editors can jump to it).
  std::string format() const;
};

using Diagnostics = std::vector<Diagnostic>;

bool has_errors(const Diagnostics& diagnostics);

}  // namespace baton::bot
