#pragma once
// Internal to dialog: the variable store of one conversation.
//
// Globals (bot `variables:`) are one slot each; any other name is a topic variable, one slot per
// (topic, name), so two topics may use the same name without seeing each other's value. Every
// set() stamps a sequence number; merged() resolves name clashes by the most recent set (the PVA
// rule for the handoff context). Not thread-safe (one runtime owns it).

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/model.hpp"
#include "core/result.hpp"
#include "dialog/runtime.hpp"

namespace baton::dialog {

// Snapshot helper: a non-negative integer field (nullopt when absent or of another kind).
std::optional<std::uint64_t> read_count(const boost::json::value* value);

class VariableStore {
 public:
  static constexpr int kGlobal = -1;  // scope of global variables; topics use their index

  // Globals start with their initial value (sequence 0, older than any set()).
  explicit VariableStore(const bot::Bot& bot);

  // Back to the initial state (start over, a new conversation after end_conversation).
  void reset(const bot::Bot& bot);

  // The value `name` has when read in topic `topic`: the global if `name` is global, else the
  // topic's own variable. nullptr when unset (never set, or set to null).
  const boost::json::value* get(int topic, std::string_view name) const;

  // Stores into the global slot when `name` is global, else into the topic's slot.
  void set(int topic, std::string_view name, boost::json::value value);

  // Every variable, name clashes resolved by the most recent set; globals are listed first in
  // declaration order, then topic variables in the order they were first set. Unset globals are
  // present as null.
  boost::json::object merged() const;

  // Snapshot form: {"next": n, "slots": [{"topic": name|null, "name", "value", "seq"}]}; topics
  // by name so that a bot edit that reorders topics keeps the values.
  boost::json::value to_json(const bot::Bot& bot) const;
  // Error (kInvalidArgument) on a malformed snapshot, an unknown topic or a variable whose scope
  // changed (global ↔ topic) since the snapshot.
  static Result<VariableStore> from_json(const CompiledBot& bot, const boost::json::value& json);

 private:
  struct Slot {
    int topic = kGlobal;
    std::string name;
    boost::json::value value;
    std::uint64_t seq = 0;
  };
  Slot* find(int topic, std::string_view name);
  const Slot* find(int topic, std::string_view name) const;

  std::vector<Slot> slots_;
  std::size_t global_count_ = 0;
  std::uint64_t next_seq_ = 1;
};

}  // namespace baton::dialog
