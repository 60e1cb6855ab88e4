#include "channels/agent/requests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/password.hpp"
#include "core/utf8.hpp"
#include "hub/agent_fields.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

Error bad(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// The string at `key`; nullopt when absent or null. kInvalidArgument when another type.
Result<std::optional<std::string>> optional_string(const bj::object& body, std::string_view key) {
  const bj::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>{};
  }
  if (!v->is_string()) {
    return bad(fmt::format("{} must be a string, not {}", key, json::kind_name(v->kind())));
  }
  return std::optional<std::string>{std::string(v->as_string())};
}

Result<std::string> required_string(const bj::object& body, std::string_view key) {
  auto s = optional_string(body, key);
  if (!s.ok()) {
    return s.error();
  }
  if (!s->has_value() || (*s)->empty()) {
    return bad(fmt::format("{} is required (a non-empty string)", key));
  }
  return std::move(**s);
}

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

Result<std::uint64_t> parse_digits(std::string_view text, std::string_view what) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return bad(fmt::format("{} must be a non-negative integer", what));
  }
  return value;
}

}  // namespace

Result<bj::object> parse_object(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return bj::object{};
  }
  auto parsed = json::parse(body);
  if (!parsed.ok()) {
    return make_error(ErrorCode::kParse, "malformed JSON: " + parsed.error().message);
  }
  if (!parsed->is_object()) {
    return bad("the body must be a JSON object");
  }
  return std::move(parsed->as_object());
}

bool valid_agent_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '@' || ch == '-';
  });
}

Result<LoginRequest> parse_login(const bj::object& body) {
  auto id = required_string(body, "agentId");
  if (!id.ok()) {
    return id.error();
  }
  auto password = required_string(body, "password");
  if (!password.ok()) {
    return password.error();
  }
  if (id->size() > 256) {
    return bad("agentId is too long");
  }
  if (password->size() > kMaxLoginPasswordBytes) {
    return bad("password is too long (at most 4096 bytes)");
  }
  return LoginRequest{std::move(*id), std::move(*password)};
}

Result<hub::Presence> parse_presence_body(const bj::object& body) {
  auto name = required_string(body, "presence");
  if (!name.ok()) {
    return name.error();
  }
  auto presence = hub::parse_presence(*name);
  if (!presence) {
    return bad("presence must be one of available, busy, away, offline");
  }
  return *presence;
}

Result<std::uint64_t> parse_offer_id(const bj::object& body) {
  const bj::value* v = body.if_contains("offerId");
  if (v == nullptr || v->is_null()) {
    return bad("offerId is required");
  }
  if (v->is_uint64()) {
    return v->as_uint64();
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    return static_cast<std::uint64_t>(v->as_int64());
  }
  if (v->is_string()) {
    return parse_digits(v->as_string(), "offerId");
  }
  return bad("offerId must be a non-negative integer");
}

Result<std::string> parse_text(const bj::object& body) {
  auto text = optional_string(body, "text");
  if (!text.ok()) {
    return text.error();
  }
  if (!text->has_value() || (*text)->find_first_not_of(" \t\r\n") == std::string::npos) {
    return bad("text is required (a non-blank string)");
  }
  if (!utf8::is_valid(**text)) {
    return bad("text is not valid UTF-8");
  }
  if (code_points(**text) > kMaxMessageChars) {
    return bad(fmt::format("text is longer than {} characters", kMaxMessageChars));
  }
  return std::move(**text);
}

Result<AgentFields> parse_agent_fields(const bj::object& body, bool creating) {
  AgentFields out;
  for (const auto& field : body) {
    const std::string_view key(field.key().data(), field.key().size());
    const bj::value& v = field.value();
    const bool known = key == "displayName" || key == "role" || key == "skills" ||
                       key == "capacity" || (creating && (key == "id" || key == "password"));
    if (!known) {
      return bad(fmt::format("{}: not a field of an agent{}",
                             utf8::sanitize(std::string(key.substr(0, 64))),
                             creating ? "" : " that can be changed here"));
    }
    if (key == "capacity") {
      if (!v.is_int64() || !hub::check_agent_capacity(v.as_int64()).ok()) {
        return bad(fmt::format("capacity: a whole number from 1 to {}", hub::kMaxAgentCapacity));
      }
      out.capacity = static_cast<int>(v.as_int64());
      continue;
    }
    if (key == "skills") {
      if (!v.is_array()) {
        return bad("skills: an array of strings");
      }
      std::vector<std::string> skills;
      for (const auto& item : v.as_array()) {
        if (!item.is_string()) {
          return bad("skills: an array of strings");
        }
        skills.emplace_back(item.as_string());
      }
      auto checked = hub::check_agent_skills(skills);
      if (!checked.ok()) {
        return checked.error();
      }
      out.skills = std::move(*checked);
      continue;
    }
    if (!v.is_string()) {
      return bad(fmt::format("{}: a string", key));
    }
    std::string text(v.as_string());
    Status checked;
    if (key == "id") {
      checked = hub::check_agent_id(text);
      out.id = std::move(text);
    } else if (key == "password") {
      checked = check_new_password(text);
      out.password = std::move(text);
    } else if (key == "displayName") {
      checked = hub::check_agent_name(text);
      out.display_name = std::move(text);
    } else {
      if (auto role = hub::check_agent_role(text); !role.ok()) {
        checked = role.error();
      }
      out.role = std::move(text);
    }
    if (!checked.ok()) {
      return checked.error();
    }
  }
  if (creating && out.id.empty()) {
    return bad("id is required");
  }
  if (creating && out.password.empty()) {
    return bad("password is required");
  }
  if (!creating && !out.display_name && !out.role && !out.skills && !out.capacity) {
    return bad("nothing to change: give displayName, role, skills or capacity");
  }
  return out;
}

Result<std::string> parse_new_password(const bj::object& body) {
  auto password = optional_string(body, "password");
  if (!password.ok()) {
    return password.error();
  }
  if (!password->has_value()) {
    return bad("password is required");
  }
  if (Status s = check_new_password(**password); !s.ok()) {
    return s.error();
  }
  return std::move(**password);
}

Result<CannedRequest> parse_canned(const bj::object& body) {
  for (const auto& field : body) {
    const std::string_view key = field.key();
    if (key != "queue" && key != "code" && key != "title" && key != "text") {
      return bad(fmt::format("unknown field \"{}\" (queue, code, title, text)", key));
    }
  }
  CannedRequest r;
  auto queue = optional_string(body, "queue");
  if (!queue.ok()) {
    return queue.error();
  }
  r.queue = queue->value_or("");
  auto code = required_string(body, "code");
  if (!code.ok()) {
    return code.error();
  }
  const bool code_ok =
      code->size() <= kMaxCannedCodeChars && std::all_of(code->begin(), code->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      });
  if (!code_ok) {
    return bad(
        fmt::format("code must be 1..{} characters of a-z, 0-9 and . _ -", kMaxCannedCodeChars));
  }
  r.code = std::move(*code);
  auto title = required_string(body, "title");
  if (!title.ok()) {
    return title.error();
  }
  if (!utf8::is_valid(*title) || std::any_of(title->begin(), title->end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return bad("title must be valid UTF-8 without control characters");
  }
  if (code_points(*title) > kMaxCannedTitleChars) {
    return bad(fmt::format("title is longer than {} characters", kMaxCannedTitleChars));
  }
  r.title = std::move(*title);
  auto text = parse_text(body);
  if (!text.ok()) {
    return text.error();
  }
  r.text = std::move(*text);
  return r;
}

Result<engagement::WrapUp> parse_wrap_up(const bj::object& body) {
  for (const auto& field : body) {
    if (field.key() != "disposition" && field.key() != "note") {
      return bad(fmt::format("unknown field \"{}\" (disposition, note)", field.key()));
    }
  }
  engagement::WrapUp w;
  auto disposition = optional_string(body, "disposition");
  if (!disposition.ok()) {
    return disposition.error();
  }
  w.disposition = disposition->value_or("");
  if (w.disposition.size() > 32) {
    return bad("disposition is longer than 32 characters");
  }
  auto note = optional_string(body, "note");
  if (!note.ok()) {
    return note.error();
  }
  w.note = note->value_or("");
  if (!utf8::is_valid(w.note)) {
    return bad("note is not valid UTF-8");
  }
  if (code_points(w.note) > kMaxWrapUpNoteChars) {
    return bad(fmt::format("note is longer than {} characters", kMaxWrapUpNoteChars));
  }
  if (w.note.find_first_not_of(" \t\r\n") == std::string::npos) {
    w.note.clear();
  }
  return w;
}

bool valid_canned_id(std::string_view id) {
  constexpr std::string_view kPrefix = "cr_";
  return id.size() == kPrefix.size() + 16 && id.starts_with(kPrefix) &&
         std::all_of(id.begin() + kPrefix.size(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<TransferRequest> parse_transfer(const bj::object& body) {
  auto queue = optional_string(body, "queue");
  auto agent = optional_string(body, "agentId");
  auto note = optional_string(body, "note");
  for (const auto* r : {&queue, &agent, &note}) {
    if (!r->ok()) {
      return r->error();
    }
  }
  TransferRequest t;
  t.queue = queue->value_or("");
  t.agent_id = agent->value_or("");
  t.note = note->value_or("");
  if (t.queue.empty() == t.agent_id.empty()) {
    return bad("give exactly one of queue or agentId");
  }
  if (code_points(t.note) > kMaxMessageChars) {
    return bad(fmt::format("note is longer than {} characters", kMaxMessageChars));
  }
  return t;
}

Result<engagement::EndMode> parse_end_mode(const bj::object& body) {
  auto mode = required_string(body, "mode");
  if (!mode.ok()) {
    return mode.error();
  }
  if (*mode == "bot") {
    return engagement::EndMode::kReturnToBot;
  }
  if (*mode == "close") {
    return engagement::EndMode::kClose;
  }
  return bad("mode must be bot or close");
}

Result<AuditQuery> parse_audit_query(std::optional<std::string_view> conversation_id,
                                     std::optional<std::string_view> after,
                                     std::optional<std::string_view> limit) {
  AuditQuery q;
  q.conversation_id = std::string(conversation_id.value_or(""));
  if (after && !after->empty()) {
    auto v = parse_digits(*after, "after");
    if (!v.ok()) {
      return v.error();
    }
    q.after = *v;
  }
  if (limit && !limit->empty()) {
    auto v = parse_digits(*limit, "limit");
    if (!v.ok()) {
      return v.error();
    }
    if (*v < 1 || *v > 1000) {
      return bad("limit must be 1..1000");
    }
    q.limit = static_cast<std::size_t>(*v);
  }
  return q;
}

Result<StreamCommand> parse_stream_command(std::string_view text) {
  auto body = parse_object(text);
  if (!body.ok()) {
    return body.error();
  }
  auto type = required_string(*body, "type");
  if (!type.ok()) {
    return type.error();
  }
  StreamCommand command;
  if (*type == "ping") {
    command.kind = StreamCommand::Kind::kPing;
    return command;
  }
  if (*type == "monitor" || *type == "unmonitor") {
    command.kind =
        *type == "monitor" ? StreamCommand::Kind::kMonitor : StreamCommand::Kind::kUnmonitor;
    auto id = required_string(*body, "conversationId");
    if (!id.ok()) {
      return id.error();
    }
    command.conversation_id = std::move(*id);
    return command;
  }
  return bad(fmt::format("unknown message type '{}'", type->substr(0, 64)));
}

Result<std::string> parse_user_id(std::string_view id) {
  if (id.empty() || id.size() > 256) {
    return bad("the user id must be 1 to 256 bytes");
  }
  if (!utf8::is_valid(id) || std::any_of(id.begin(), id.end(), [](char ch) {
        return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
      })) {
    return bad("the user id must be UTF-8 text without control characters");
  }
  return std::string(id);
}

namespace {

bool plain_text(std::string_view text) {
  return utf8::is_valid(text) && std::none_of(text.begin(), text.end(), [](char ch) {
           return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
         });
}

// ISO 8601, or YYYY-MM-DD (its midnight UTC; `end`: the next midnight).
std::optional<TimePoint> parse_search_time(std::string_view text, bool end) {
  if (text.size() == 10) {
    auto midnight = parse_iso8601(fmt::format("{}T00:00:00Z", text));
    if (midnight && end) {
      return *midnight + std::chrono::hours(24);
    }
    return midnight;
  }
  return parse_iso8601(text);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

Result<store::HandoffSearchKey> parse_cursor(std::string_view text) {
  const Error invalid = bad("cursor: not a cursor this server issued (use \"next\" as it is)");
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 15) {
    return invalid;
  }
  auto ms = parse_digits(text.substr(0, dot), "cursor");
  const std::string_view hex = text.substr(dot + 1);
  if (!ms.ok() || hex.empty() || hex.size() % 2 != 0 || hex.size() > 1024) {
    return invalid;
  }
  std::string id;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return invalid;
    }
    id += static_cast<char>(hi * 16 + lo);
  }
  return store::HandoffSearchKey{
      TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(*ms))), std::move(id)};
}

}  // namespace

std::string search_cursor(const store::HandoffSearchKey& key) {
  std::string out = fmt::format(
      "{}.", std::chrono::duration_cast<std::chrono::milliseconds>(key.created.time_since_epoch())
                 .count());
  for (unsigned char c : key.id) {
    out += fmt::format("{:02x}", c);
  }
  return out;
}

Result<SearchQuery> parse_search_query(
    const std::vector<std::pair<std::string, std::string>>& query) {
  SearchQuery q;
  std::vector<std::string_view> seen;
  for (const auto& [key, value] : query) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return bad(fmt::format("{}: given twice", key));
    }
    seen.push_back(key);
    if (key == "customer") {
      auto user = parse_user_id(value);
      if (!user.ok()) {
        return bad("customer: " + user.error().message);
      }
      q.search.user_id = std::move(*user);
    } else if (key == "from" || key == "to") {
      auto t = parse_search_time(value, key == "to");
      if (!t) {
        return bad(fmt::format("{}: an ISO 8601 time or a date YYYY-MM-DD", key));
      }
      (key == "from" ? q.search.from : q.search.to) = *t;
    } else if (key == "queue") {
      if (value.empty() || value.size() > 256 || !plain_text(value)) {
        return bad("queue: 1 to 256 bytes of UTF-8 without control characters");
      }
      q.search.queue = value;
    } else if (key == "agent") {
      if (!valid_agent_id(value)) {
        return bad("agent: an agent id (1 to 64 of A-Z a-z 0-9 . _ @ -)");
      }
      q.search.agent = value;
    } else if (key == "outcome") {
      if (std::find(store::kEndedHandoffStatuses.begin(), store::kEndedHandoffStatuses.end(),
                    value) == store::kEndedHandoffStatuses.end()) {
        return bad(
            "outcome: one of cancelled, completed, unavailable, unsupported, timed_out, abandoned");
      }
      q.search.status = value;
    } else if (key == "q") {
      const bool blank = std::all_of(value.begin(), value.end(), [](char c) { return c == ' '; });
      if (blank || value.size() > store::kMaxSearchTextLength || !plain_text(value)) {
        return bad(fmt::format("q: 1 to {} bytes of UTF-8 without control characters, not blank",
                               store::kMaxSearchTextLength));
      }
      q.search.text = value;
    } else if (key == "limit") {
      auto v = parse_digits(value, "limit");
      if (!v.ok() || *v < 1 || *v > kMaxSearchPage) {
        return bad(fmt::format("limit: 1 to {}", kMaxSearchPage));
      }
      q.limit = static_cast<std::size_t>(*v);
    } else if (key == "cursor") {
      auto after = parse_cursor(value);
      if (!after.ok()) {
        return after.error();
      }
      q.after = std::move(*after);
    } else {
      return bad(fmt::format(
          "{}: not a search parameter (customer, from, to, queue, agent, outcome, q, limit, "
          "cursor)",
          key.size() > 64 ? key.substr(0, 64) : key));
    }
  }
  if (q.search.from && q.search.to && *q.search.to <= *q.search.from) {
    return bad("to: must be after from");
  }
  return q;
}

}  // namespace baton::agent
