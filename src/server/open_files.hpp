#pragma once
// The process's open-file limit, which caps how many connections a server holds: every socket is
// a descriptor. Debian's default soft limit is 1,024 while the hard limit is usually far higher
// (524,288 for systemd services, 1,048,576 elsewhere), so a server that kept the soft limit would
// refuse customers at about a thousand connections. Like nginx's worker_rlimit_nofile and Go's
// runtime, `baton serve` raises the soft limit to the hard one at startup.
//
// Usage:
//   OpenFileLimit limit = raise_open_file_limit();
//   if (limit.soft < kFewOpenFiles) { warn }

#include <cstdint>

namespace baton::server {

struct OpenFileLimit {
  std::uint64_t before = 0;  // the soft limit found
  std::uint64_t soft = 0;    // the soft limit now (what the process may open)
  std::uint64_t hard = 0;    // the hard limit (only a privileged process can raise it)
};

// Below this many descriptors, the server logs a warning at startup.
inline constexpr std::uint64_t kFewOpenFiles = 4096;

// Raises the soft RLIMIT_NOFILE to the hard limit (an unlimited hard limit is taken as the
// kernel's fs.nr_open, the most a process can have). Never lowers it; when the raise is refused the
// limit stays as found and `soft` says so.
OpenFileLimit raise_open_file_limit();

}  // namespace baton::server
