// TEMPORARY: minimal stand-ins for src/activity functions so that dialog links while that module is
// written in another worktree. Deleted once it lands on main.
#include "activity/activity.hpp"

namespace baton::activity {

namespace {
void put_account(bj::object& o, const char* key, const ChannelAccount& a) {
  if (a.empty()) {
    return;
  }
  bj::object acc;
  if (!a.id.empty()) {
    acc["id"] = a.id;
  }
  if (!a.name.empty()) {
    acc["name"] = a.name;
  }
  if (!a.role.empty()) {
    acc["role"] = a.role;
  }
  o[key] = std::move(acc);
}
void put(bj::object& o, const char* key, const std::string& s) {
  if (!s.empty()) {
    o[key] = s;
  }
}
std::string get(const bj::object& o, const char* key) {
  if (const auto* v = o.if_contains(key); v != nullptr && v->is_string()) {
    return std::string(v->get_string());
  }
  return "";
}
ChannelAccount get_account(const bj::object& o, const char* key) {
  ChannelAccount a;
  if (const auto* v = o.if_contains(key); v != nullptr && v->is_object()) {
    a.id = get(v->get_object(), "id");
    a.name = get(v->get_object(), "name");
    a.role = get(v->get_object(), "role");
  }
  return a;
}
}  // namespace

bj::object to_json(const Activity& a) {
  bj::object o;
  put(o, "type", a.type);
  put(o, "id", a.id);
  put(o, "timestamp", a.timestamp);
  put(o, "channelId", a.channel_id);
  put_account(o, "from", a.from);
  if (!a.conversation.id.empty()) {
    o["conversation"] = bj::object{{"id", a.conversation.id}};
  }
  put_account(o, "recipient", a.recipient);
  put(o, "replyToId", a.reply_to_id);
  put(o, "text", a.text);
  put(o, "locale", a.locale);
  put(o, "name", a.name);
  if (!a.attachments.empty()) {
    bj::array arr;
    for (const auto& at : a.attachments) {
      bj::object ao;
      put(ao, "contentType", at.content_type);
      put(ao, "name", at.name);
      if (!at.content.is_null()) {
        ao["content"] = at.content;
      }
      arr.push_back(std::move(ao));
    }
    o["attachments"] = std::move(arr);
  }
  if (!a.value.is_null()) {
    o["value"] = a.value;
  }
  if (!a.relates_to.is_null()) {
    o["relatesTo"] = a.relates_to;
  }
  if (!a.entities.empty()) {
    o["entities"] = a.entities;
  }
  return o;
}

Result<Activity> from_json(const bj::value& json) {
  if (!json.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "expected object");
  }
  const auto& o = json.get_object();
  Activity a;
  a.type = get(o, "type");
  a.id = get(o, "id");
  a.text = get(o, "text");
  a.name = get(o, "name");
  a.reply_to_id = get(o, "replyToId");
  a.channel_id = get(o, "channelId");
  a.from = get_account(o, "from");
  a.recipient = get_account(o, "recipient");
  if (const auto* v = o.if_contains("value")) {
    a.value = *v;
  }
  if (const auto* v = o.if_contains("attachments"); v != nullptr && v->is_array()) {
    for (const auto& at : v->get_array()) {
      if (!at.is_object()) {
        continue;
      }
      Attachment x;
      x.content_type = get(at.get_object(), "contentType");
      x.name = get(at.get_object(), "name");
      if (const auto* c = at.get_object().if_contains("content")) {
        x.content = *c;
      }
      a.attachments.push_back(std::move(x));
    }
  }
  return a;
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

Activity make_end_of_conversation(std::string code) {
  Activity a;
  a.type = "endOfConversation";
  a.code = std::move(code);
  return a;
}

SuggestedActions make_quick_replies(const std::vector<std::string>& titles) {
  SuggestedActions s;
  for (const auto& t : titles) {
    CardAction c;
    c.type = "imBack";
    c.title = t;
    c.value = bj::string(t);
    s.actions.push_back(std::move(c));
  }
  return s;
}

}  // namespace baton::activity

namespace baton::activity {
Activity make_typing() {
  Activity a;
  a.type = "typing";
  return a;
}
}  // namespace baton::activity
