#include "dialog/variables.hpp"

#include <algorithm>

namespace baton::dialog {
namespace {

namespace bj = boost::json;

Error bad_snapshot(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "snapshot: variables: " + what);
}

}  // namespace

VariableStore::VariableStore(const bot::Bot& bot) { reset(bot); }

void VariableStore::reset(const bot::Bot& bot) {
  slots_.clear();
  for (const auto& variable : bot.variables) {
    slots_.push_back(Slot{kGlobal, variable.name, variable.initial, 0});
  }
  global_count_ = slots_.size();
  next_seq_ = 1;
}

VariableStore::Slot* VariableStore::find(int topic, std::string_view name) {
  return const_cast<Slot*>(std::as_const(*this).find(topic, name));
}

const VariableStore::Slot* VariableStore::find(int topic, std::string_view name) const {
  for (std::size_t i = 0; i < global_count_; ++i) {
    if (slots_[i].name == name) {
      return &slots_[i];
    }
  }
  for (std::size_t i = global_count_; i < slots_.size(); ++i) {
    if (slots_[i].topic == topic && slots_[i].name == name) {
      return &slots_[i];
    }
  }
  return nullptr;
}

const bj::value* VariableStore::get(int topic, std::string_view name) const {
  const Slot* slot = find(topic, name);
  return slot != nullptr && !slot->value.is_null() ? &slot->value : nullptr;
}

void VariableStore::set(int topic, std::string_view name, bj::value value) {
  Slot* slot = find(topic, name);
  if (slot == nullptr) {
    slots_.push_back(Slot{topic, std::string(name), nullptr, 0});
    slot = &slots_.back();
  }
  slot->value = std::move(value);
  slot->seq = next_seq_++;
}

bj::object VariableStore::merged() const {
  // Slots are few (tens); the quadratic winner search keeps the order stable without a map.
  bj::object out;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& slot = slots_[i];
    if (out.contains(slot.name)) {
      continue;
    }
    const Slot* winner = &slot;
    for (std::size_t j = i + 1; j < slots_.size(); ++j) {
      if (slots_[j].name == slot.name && slots_[j].seq > winner->seq) {
        winner = &slots_[j];
      }
    }
    out[slot.name] = winner->value;
  }
  return out;
}

bj::value VariableStore::to_json(const bot::Bot& bot) const {
  bj::array slots;
  for (const auto& slot : slots_) {
    bj::value topic = nullptr;
    if (slot.topic != kGlobal) {
      topic = bj::string(bot.topics[static_cast<std::size_t>(slot.topic)].name);
    }
    slots.push_back(bj::object{{"topic", std::move(topic)},
                               {"name", slot.name},
                               {"value", slot.value},
                               {"seq", slot.seq}});
  }
  return bj::object{{"next", next_seq_}, {"slots", std::move(slots)}};
}

std::optional<std::uint64_t> read_count(const bj::value* value) {
  if (value != nullptr && value->is_uint64()) {
    return value->get_uint64();
  }
  if (value != nullptr && value->is_int64() && value->get_int64() >= 0) {
    return static_cast<std::uint64_t>(value->get_int64());
  }
  return std::nullopt;
}

Result<VariableStore> VariableStore::from_json(const CompiledBot& compiled, const bj::value& json) {
  const bot::Bot& bot = compiled.bot();
  VariableStore store(bot);
  const auto* object = json.if_object();
  const auto next = read_count(object != nullptr ? object->if_contains("next") : nullptr);
  const bj::value* slots = object != nullptr ? object->if_contains("slots") : nullptr;
  if (!next || slots == nullptr || !slots->is_array()) {
    return bad_snapshot("expected {next, slots}");
  }
  store.next_seq_ = *next;
  for (const auto& item : slots->get_array()) {
    const auto* slot = item.if_object();
    const bj::value* topic = slot != nullptr ? slot->if_contains("topic") : nullptr;
    const bj::value* name = slot != nullptr ? slot->if_contains("name") : nullptr;
    const bj::value* value = slot != nullptr ? slot->if_contains("value") : nullptr;
    const auto seq = read_count(slot != nullptr ? slot->if_contains("seq") : nullptr);
    if (topic == nullptr || !(topic->is_null() || topic->is_string()) || name == nullptr ||
        !name->is_string() || value == nullptr || !seq) {
      return bad_snapshot("malformed slot");
    }
    int index = kGlobal;
    if (topic->is_string()) {
      const auto found = compiled.topic_index(topic->get_string());
      if (!found) {
        return bad_snapshot("unknown topic '" + std::string(topic->get_string()) + "'");
      }
      index = static_cast<int>(*found);
    }
    const std::string_view var = name->get_string();
    if ((bot.find_variable(var) != nullptr) != (index == kGlobal)) {
      return bad_snapshot("variable '" + std::string(var) + "' changed scope");
    }
    Slot* target = store.find(index, var);
    if (target == nullptr) {
      store.slots_.push_back(Slot{index, std::string(var), nullptr, 0});
      target = &store.slots_.back();
    }
    target->value = *value;
    target->seq = *seq;
  }
  return store;
}

}  // namespace baton::dialog
