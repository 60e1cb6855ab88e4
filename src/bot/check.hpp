#pragma once
// `baton check`: loads bots and prints their diagnostics the way compilers do, so editors and CI
// can jump to each problem.

#include <ostream>
#include <string>
#include <vector>

namespace baton::bot {

struct CheckOptions {
  bool strict = false;  // warnings are reported and counted as errors
};

// Loads each path (a bot file or a directory of them), adds the understanding warnings
// (understanding.hpp) of a bot that loads, prints every diagnostic as
// "file:line:col: error|warning: message" (sorted by file and position), then one summary line
// per path: "<bot id or path>: N errors, M warnings". Returns 1 when any path has an error,
// else 0 (warnings alone pass, unless options.strict). Not thread-safe with respect to `out`.
int run_check(const std::vector<std::string>& paths, std::ostream& out,
              const CheckOptions& options = {});

}  // namespace baton::bot
