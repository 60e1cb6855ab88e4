#pragma once
// Names the calling thread (as `top -H`, `perf` and gdb show it), so an operator can tell the
// store writer from the engine and the I/O threads. Linux keeps 15 characters; longer is cut.

#include <string_view>

namespace baton {

void set_thread_name(std::string_view name);

}  // namespace baton
