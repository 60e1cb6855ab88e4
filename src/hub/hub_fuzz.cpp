// libFuzzer entry: loading a hub.yaml must never crash on arbitrary bytes; a loaded config must
// drive a Hub through a few inputs; a hub input's JSON must parse or fail cleanly, and what parses
// must survive input_to_json → input_from_json unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "core/json.hpp"
#include "hub/event_json.hpp"
#include "hub/hub.hpp"

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
    (void)h.handle(hub::Tick{});
  }
  auto json = baton::json::parse(text);
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
