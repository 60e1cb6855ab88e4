// libFuzzer entry: loading a hub.yaml must never crash on arbitrary bytes; a loaded config must
// drive a Hub through a few inputs; a hub input's JSON must parse or fail cleanly, and what parses
// must survive input_to_json → input_from_json unchanged; a JSON object must restore as a hub
// snapshot or fail cleanly, and a restored hub must snapshot to what restores identically and take
// input, with measures that are whole occurrences (count 0 or 1) of non-negative values.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "hub/event_json.hpp"
#include "hub/hub.hpp"

namespace {

void check(const baton::hub::Measures& measures) {
  for (const auto& m : measures) {
    if ((m.count != 0 && m.count != 1) || !std::isfinite(m.value) || m.value < 0) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace hub = baton::hub;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = hub::load_hub_config_from_string(text, "fuzz.yaml");
  if (loaded.config) {
    baton::ManualClock clock;
    hub::Hub h(std::make_shared<hub::HubConfig>(std::move(*loaded.config)), clock);
    (void)h.handle(hub::AgentRegistered{hub::Agent{"a", "a", hub::Role::kAgent, {}, 1}});
    (void)h.handle(hub::PresenceSet{"a", hub::Presence::kAvailable});
    hub::HandoffSubmitted submitted;
    submitted.conversation = "c";
    (void)h.handle(submitted);
    clock.advance(std::chrono::hours(1));
    hub::Measures measures;
    (void)h.apply(h.stamp(hub::Tick{}), &measures);
    check(measures);
  }
  auto json = baton::json::parse(text);
  if (json.ok() && json->is_object()) {
    static const auto config = [] {
      auto base = hub::load_hub_config_from_string(
          "hub:\n  default_queue: general\n  max_wrap_up: 1m\n  queues:\n"
          "    - name: billing\n      when: va_LastTopic == \"Billing\"\n"
          "      skills: [billing]\n      max_wait: 1m\n      overflow: general\n"
          "    - name: general\n",
          "fuzz.yaml");
      if (!base.config) {
        std::abort();
      }
      return std::make_shared<const hub::HubConfig>(std::move(*base.config));
    }();
    baton::ManualClock clock;
    auto restored = hub::Hub::restore(config, clock, json->as_object());
    if (restored.ok()) {
      const std::string text_once = baton::json::dump((*restored)->snapshot());
      auto again = hub::Hub::restore(config, clock, (*restored)->snapshot());
      if (!again.ok() || baton::json::dump((*again)->snapshot()) != text_once) {
        std::abort();
      }
      clock.set((*restored)->now() + std::chrono::hours(1));
      hub::Measures measures;
      (void)(*restored)->apply((*restored)->stamp(hub::Recover{}), &measures);
      (void)(*restored)->apply((*restored)->stamp(hub::PresenceSet{"a", hub::Presence::kAvailable}),
                               &measures);
      (void)(*restored)->apply((*restored)->stamp(hub::AgentRemoved{"a"}), &measures);
      check(measures);
    }
  }
  if (json.ok()) {
    auto input = hub::input_from_json(*json);
    if (input.ok()) {
      auto again = hub::input_from_json(hub::input_to_json(*input));
      if (!again.ok() || hub::input_to_json(*again) != hub::input_to_json(*input)) {
        std::abort();
      }
    }
  }
  return 0;
}
