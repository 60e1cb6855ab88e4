// libFuzzer entry: parse must never crash on arbitrary bytes, and whatever it accepts must
// survive serialize → parse unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "activity/activity.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace act = baton::activity;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = act::parse(text);
  if (!first.ok()) {
    return 0;
  }
  (void)act::validate(*first);
  const std::string wire = act::serialize(*first);
  if (wire.size() > act::kMaxSerializedBytes) {
    return 0;  // number spelling can grow ("1.5" → "1.5E0"); not a round-trip failure
  }
  auto second = act::parse(wire);
  if (!second.ok() || !(*second == *first)) {
    std::abort();  // round trip lost or changed something
  }
  if (act::serialize(*second) != wire) {
    std::abort();  // serialisation must be deterministic
  }
  return 0;
}
