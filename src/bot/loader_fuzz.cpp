// libFuzzer target: arbitrary bytes as a bot file must give diagnostics, never a crash, a hang or
// unbounded memory. Build with -DBATON_FUZZ=ON and clang (see src/bot/README.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bot/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const baton::bot::LoadResult result = baton::bot::load_bot_from_string(text, "fuzz.yaml");
  if (!result.bot && !baton::bot::has_errors(result.diagnostics)) {
    __builtin_trap();  // a failed load must say why
  }
  for (const auto& d : result.diagnostics) {
    if (d.message.empty()) {
      __builtin_trap();
    }
  }
  return 0;
}
