#include "server/open_files.hpp"

#include <sys/resource.h>

#include <fstream>

namespace baton::server {
namespace {

// fs.nr_open: the kernel's ceiling on any process's descriptors (1,048,576 by default).
std::uint64_t kernel_ceiling() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::uint64_t value = 0;
  if (in >> value && value > 0) {
    return value;
  }
  return 1'048'576;
}

}  // namespace

OpenFileLimit raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return {};
  }
  OpenFileLimit result{limit.rlim_cur, limit.rlim_cur, limit.rlim_max};
  const rlim_t target = limit.rlim_max == RLIM_INFINITY ? kernel_ceiling() : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    rlimit raised{target, limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      result.soft = target;
    }
  }
  return result;
}

}  // namespace baton::server
