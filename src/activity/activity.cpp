#include "activity/activity.hpp"

#include <fmt/format.h>

#include <span>
#include <utility>

#include "core/json.hpp"
#include "core/utf8.hpp"

namespace baton::activity {
namespace {

// Where a value sits in the activity, e.g. attachments[2].contentType. Built as a chain of stack
// frames so the success path allocates nothing; rendered to text only when reporting an error.
class FieldPath {
 public:
  explicit FieldPath(std::string_view key, const FieldPath* parent = nullptr)
      : parent_(parent), key_(key) {}
  FieldPath(std::size_t index, const FieldPath* parent)
      : parent_(parent), index_(index), is_index_(true) {}

  std::string str() const {
    std::string out = parent_ != nullptr ? parent_->str() : std::string();
    if (is_index_) {
      out += fmt::format("[{}]", index_);
    } else {
      if (parent_ != nullptr) {
        out += '.';
      }
      out += key_;
    }
    return out;
  }

 private:
  const FieldPath* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = 0;
  bool is_index_ = false;
};

Error type_error(const FieldPath& path, const char* expected, const bj::value& got) {
  return make_error(
      ErrorCode::kInvalidArgument,
      fmt::format("{}: expected {}, got {}", path.str(), expected, json::kind_name(got.kind())));
}

// One wire schema per struct, shared by reading and writing so the two cannot drift apart.
template <class T>
struct StringField {
  std::string_view wire;
  std::string T::*member;
};

// Arbitrary JSON kept verbatim; null means absent.
template <class T>
struct JsonField {
  std::string_view wire;
  bj::value T::*member;
};

template <class T>
struct Schema {
  std::span<const StringField<T>> strings;
  std::span<const JsonField<T>> json;
};

constexpr StringField<ChannelAccount> kAccountStrings[] = {
    {"id", &ChannelAccount::id},
    {"name", &ChannelAccount::name},
    {"role", &ChannelAccount::role},
};
constexpr Schema<ChannelAccount> kAccountSchema{kAccountStrings, {}};

constexpr StringField<ConversationAccount> kConversationStrings[] = {
    {"id", &ConversationAccount::id},
    {"name", &ConversationAccount::name},
};
constexpr Schema<ConversationAccount> kConversationSchema{kConversationStrings, {}};

constexpr StringField<CardAction> kCardActionStrings[] = {
    {"type", &CardAction::type},   {"title", &CardAction::title},
    {"text", &CardAction::text},   {"displayText", &CardAction::display_text},
    {"image", &CardAction::image},
};
constexpr JsonField<CardAction> kCardActionJson[] = {{"value", &CardAction::value}};
constexpr Schema<CardAction> kCardActionSchema{kCardActionStrings, kCardActionJson};

constexpr StringField<Attachment> kAttachmentStrings[] = {
    {"contentType", &Attachment::content_type},
    {"contentUrl", &Attachment::content_url},
    {"name", &Attachment::name},
    {"thumbnailUrl", &Attachment::thumbnail_url},
};
constexpr JsonField<Attachment> kAttachmentJson[] = {{"content", &Attachment::content}};
constexpr Schema<Attachment> kAttachmentSchema{kAttachmentStrings, kAttachmentJson};

// `type` first so it leads the serialised object, which makes logs easier to read.
constexpr StringField<Activity> kActivityStrings[] = {
    {"type", &Activity::type},
    {"id", &Activity::id},
    {"timestamp", &Activity::timestamp},
    {"localTimestamp", &Activity::local_timestamp},
    {"localTimezone", &Activity::local_timezone},
    {"serviceUrl", &Activity::service_url},
    {"channelId", &Activity::channel_id},
    {"replyToId", &Activity::reply_to_id},
    {"name", &Activity::name},
    {"text", &Activity::text},
    {"textFormat", &Activity::text_format},
    {"locale", &Activity::locale},
    {"attachmentLayout", &Activity::attachment_layout},
    {"code", &Activity::code},
    {"inputHint", &Activity::input_hint},
    {"speak", &Activity::speak},
};
constexpr JsonField<Activity> kActivityJson[] = {
    {"channelData", &Activity::channel_data},
    {"value", &Activity::value},
    {"relatesTo", &Activity::relates_to},
};
constexpr Schema<Activity> kActivitySchema{kActivityStrings, kActivityJson};

// ---- reading ----------------------------------------------------------------------------------

Status read_string(const bj::value& v, const FieldPath& path, std::string& out) {
  if (v.is_null()) {
    out.clear();  // Web Chat sends nulls for unset fields
    return {};
  }
  if (!v.is_string()) {
    return type_error(path, "string", v);
  }
  const bj::string& s = v.get_string();
  out.assign(s.data(), s.size());
  return {};
}

// Reads `key` into `out` when the schema models it; sets `handled` accordingly.
template <class T>
Status read_schema_field(const Schema<T>& schema, std::string_view key, bj::value& v,
                         const FieldPath* parent, T& out, bool& handled) {
  handled = true;
  for (const auto& f : schema.strings) {
    if (f.wire == key) {
      return read_string(v, FieldPath(key, parent), out.*f.member);
    }
  }
  for (const auto& f : schema.json) {
    if (f.wire == key) {
      out.*f.member = std::move(v);  // same (default) storage: a move, not a deep copy
      return {};
    }
  }
  handled = false;
  return {};
}

// A nested object with only modelled members; unknown members are ignored.
template <class T>
Status read_struct(bj::value& v, const FieldPath& path, const Schema<T>& schema, T& out) {
  if (v.is_null()) {
    return {};
  }
  if (!v.is_object()) {
    return type_error(path, "object", v);
  }
  for (auto& kv : v.get_object()) {
    bool handled = false;
    if (auto st = read_schema_field(schema, kv.key(), kv.value(), &path, out, handled); !st) {
      return st;
    }
  }
  return {};
}

// Calls read_one(element, element_path) for every element of an array (null = empty).
template <class ReadOne>
Status for_each_element(bj::value& v, const FieldPath& path, ReadOne read_one) {
  if (v.is_null()) {
    return {};
  }
  if (!v.is_array()) {
    return type_error(path, "array", v);
  }
  bj::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto st = read_one(arr[i], FieldPath(i, &path)); !st) {
      return st;
    }
  }
  return {};
}

template <class T>
Status read_struct_array(bj::value& v, const FieldPath& path, const Schema<T>& schema,
                         std::vector<T>& out) {
  out.clear();
  if (v.is_array()) {
    out.reserve(v.get_array().size());
  }
  return for_each_element(v, path, [&](bj::value& e, const FieldPath& p) -> Status {
    if (!e.is_object()) {
      return type_error(p, "object", e);
    }
    return read_struct(e, p, schema, out.emplace_back());
  });
}

Status read_suggested_actions(bj::value& v, const FieldPath& path, SuggestedActions& out) {
  if (v.is_null()) {
    return {};
  }
  if (!v.is_object()) {
    return type_error(path, "object", v);
  }
  for (auto& kv : v.get_object()) {
    if (kv.key() == "actions") {
      FieldPath p("actions", &path);
      if (auto st = read_struct_array(kv.value(), p, kCardActionSchema, out.actions); !st) {
        return st;
      }
    } else if (kv.key() == "to") {
      FieldPath p("to", &path);
      out.to.clear();
      auto st = for_each_element(kv.value(), p, [&](bj::value& e, const FieldPath& ep) {
        return read_string(e, ep, out.to.emplace_back());
      });
      if (!st) {
        return st;
      }
    }
  }
  return {};
}

Status read_entities(bj::value& v, const FieldPath& path, bj::array& out) {
  auto st = for_each_element(v, path, [](bj::value& e, const FieldPath& p) -> Status {
    if (!e.is_object()) {
      return type_error(p, "object", e);
    }
    return {};
  });
  if (st && v.is_array()) {
    out = std::move(v.get_array());
  }
  return st;
}

// Top-level members that are neither plain strings nor verbatim JSON.
Status read_activity_special(std::string_view key, bj::value& v, Activity& a, bool& handled) {
  handled = true;
  const FieldPath path(key);
  if (key == "from") {
    return read_struct(v, path, kAccountSchema, a.from);
  }
  if (key == "recipient") {
    return read_struct(v, path, kAccountSchema, a.recipient);
  }
  if (key == "conversation") {
    return read_struct(v, path, kConversationSchema, a.conversation);
  }
  if (key == "attachments") {
    return read_struct_array(v, path, kAttachmentSchema, a.attachments);
  }
  if (key == "suggestedActions") {
    return read_suggested_actions(v, path, a.suggested_actions);
  }
  if (key == "entities") {
    return read_entities(v, path, a.entities);
  }
  handled = false;
  return {};
}

// ---- writing ----------------------------------------------------------------------------------

template <class T>
void write_schema(const Schema<T>& schema, const T& in, bj::object& out) {
  for (const auto& f : schema.strings) {
    const std::string& s = in.*f.member;
    if (!s.empty()) {
      out.emplace(f.wire, bj::string_view(s.data(), s.size()));
    }
  }
  for (const auto& f : schema.json) {
    const bj::value& v = in.*f.member;
    if (!v.is_null()) {
      out.emplace(f.wire, v);
    }
  }
}

template <class T>
bj::object struct_to_json(const Schema<T>& schema, const T& in) {
  bj::object out;
  write_schema(schema, in, out);
  return out;
}

template <class T>
bj::array structs_to_json(const Schema<T>& schema, const std::vector<T>& in) {
  bj::array out;
  out.reserve(in.size());
  for (const auto& item : in) {
    out.emplace_back(struct_to_json(schema, item));
  }
  return out;
}

bj::value suggested_actions_to_json(const SuggestedActions& sa) {
  bj::object out;
  out.emplace("actions", structs_to_json(kCardActionSchema, sa.actions));
  if (!sa.to.empty()) {
    bj::array to;
    to.reserve(sa.to.size());
    for (const auto& id : sa.to) {
      to.emplace_back(bj::string_view(id.data(), id.size()));
    }
    out.emplace("to", std::move(to));
  }
  return out;
}

}  // namespace

Result<Activity> from_json(const bj::value& json) { return from_json(bj::value(json)); }

Result<Activity> from_json(bj::value&& json) {
  if (!json.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("activity: expected object, got {}",
                                                               json::kind_name(json.kind())));
  }
  Activity a;
  for (auto& kv : json.get_object()) {
    const std::string_view key = kv.key();
    bool handled = false;
    if (auto st = read_schema_field(kActivitySchema, key, kv.value(), nullptr, a, handled); !st) {
      return st.error();
    }
    if (handled) {
      continue;
    }
    if (auto st = read_activity_special(key, kv.value(), a, handled); !st) {
      return st.error();
    }
    if (!handled) {
      a.extra.emplace(key, std::move(kv.value()));
    }
  }
  if (a.type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "type: missing");
  }
  return a;
}

Result<Activity> parse(std::string_view text) {
  if (text.size() > kMaxSerializedBytes) {
    return make_error(ErrorCode::kTooLarge,
                      fmt::format("activity: {} bytes exceeds the limit of {} bytes", text.size(),
                                  kMaxSerializedBytes));
  }
  if (auto bad = utf8::find_invalid(text)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("activity: invalid UTF-8 at byte {}", *bad));
  }
  auto json = json::parse(text);
  if (!json.ok()) {
    return json.error();
  }
  return from_json(std::move(json).value());
}

bj::object to_json(const Activity& activity) {
  bj::object out;
  out.reserve(8 + activity.extra.size());
  write_schema(kActivitySchema, activity, out);
  if (!activity.from.empty()) {
    out.emplace("from", struct_to_json(kAccountSchema, activity.from));
  }
  if (!activity.conversation.id.empty() || !activity.conversation.name.empty()) {
    out.emplace("conversation", struct_to_json(kConversationSchema, activity.conversation));
  }
  if (!activity.recipient.empty()) {
    out.emplace("recipient", struct_to_json(kAccountSchema, activity.recipient));
  }
  if (!activity.attachments.empty()) {
    out.emplace("attachments", structs_to_json(kAttachmentSchema, activity.attachments));
  }
  if (!activity.suggested_actions.empty()) {
    out.emplace("suggestedActions", suggested_actions_to_json(activity.suggested_actions));
  }
  if (!activity.entities.empty()) {
    out.emplace("entities", activity.entities);
  }
  for (const auto& kv : activity.extra) {
    out.emplace(kv.key(), kv.value());  // emplace keeps a modelled field on a name clash
  }
  return out;
}

std::string serialize(const Activity& activity) { return bj::serialize(to_json(activity)); }

Status validate(const Activity& activity) {
  if (activity.type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "type: missing");
  }
  if (activity.type == "event" && activity.name.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "name: missing (event activities must be named)");
  }
  if (auto bad = utf8::find_invalid(activity.text)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("text: invalid UTF-8 at byte {}", *bad));
  }
  const std::string wire = serialize(activity);
  if (wire.size() > kMaxSerializedBytes) {
    return make_error(
        ErrorCode::kTooLarge,
        fmt::format("activity: serialized size {} bytes exceeds the limit of {} bytes", wire.size(),
                    kMaxSerializedBytes));
  }
  // Other string fields are not checked one by one; the wire form catches them all.
  if (auto bad = utf8::find_invalid(wire)) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("activity: invalid UTF-8 at byte {} of the serialized form", *bad));
  }
  return {};
}

Activity make_message(std::string text) {
  Activity a;
  a.type = "message";
  a.text = std::move(text);
  return a;
}

Activity make_event(std::string name, bj::value value) {
  Activity a;
  a.type = "event";
  a.name = std::move(name);
  a.value = std::move(value);
  return a;
}

Activity make_typing() {
  Activity a;
  a.type = "typing";
  return a;
}

Activity make_end_of_conversation(std::string code) {
  Activity a;
  a.type = "endOfConversation";
  a.code = std::move(code);
  return a;
}

SuggestedActions make_quick_replies(const std::vector<std::string>& titles) {
  SuggestedActions sa;
  sa.actions.reserve(titles.size());
  for (const auto& title : titles) {
    CardAction& action = sa.actions.emplace_back();
    action.type = "imBack";
    action.title = title;
    action.value = bj::string_view(title.data(), title.size());
  }
  return sa;
}

}  // namespace baton::activity
