#pragma once
// Parsing of agent API request bodies and query strings (docs/AGENT_API.md). Pure functions over
// text; every error is kInvalidArgument or kParse with a message naming the field, which
// error_response() (render.hpp) turns into 400 BadArgument.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "engagement/engagement.hpp"
#include "hub/events.hpp"
#include "store/store.hpp"

namespace baton::agent {

inline constexpr std::size_t kMaxBodyBytes = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxMessageChars = 4000;  // Unicode code points
inline constexpr std::size_t kMaxLoginPasswordBytes = 4096;

// A JSON object body. Empty (or whitespace) → an empty object. Errors: kParse (not JSON),
// kInvalidArgument (not an object).
Result<boost::json::object> parse_object(std::string_view body);

// Whether `id` is a valid agent id: 1..64 chars of [A-Za-z0-9._@-].
bool valid_agent_id(std::string_view id);

struct LoginRequest {
  std::string agent_id;
  std::string password;
};
// {"agentId","password"}: both strings; agentId not empty, password at most 1 KiB.
Result<LoginRequest> parse_login(const boost::json::object& body);

// {"presence": "available"|"busy"|"away"|"offline"}.
Result<hub::Presence> parse_presence_body(const boost::json::object& body);

// {"offerId"}: a non-negative integer, as a JSON number or a string of digits.
Result<std::uint64_t> parse_offer_id(const boost::json::object& body);

// {"text"}: a string of 1..4000 code points of valid UTF-8, not only whitespace.
Result<std::string> parse_text(const boost::json::object& body);

struct TransferRequest {
  std::string queue;
  std::string agent_id;
  std::string note;  // at most 4000 code points
};
// Exactly one of {"queue"} / {"agentId"} (non-empty strings), optional "note".
Result<TransferRequest> parse_transfer(const boost::json::object& body);

// An agent's fields in POST /agents (`creating`: "id" and "password" required, the rest default:
// displayName = id, role agent, skills [], capacity 1) and PATCH /agents/{id} (at least one of
// displayName, role, skills, capacity; id and password not accepted). Each field is checked by
// the hub's rules (hub/agent_fields.hpp, shared with `baton agent`) and core's password rule;
// unknown fields, wrong types and an empty PATCH are kInvalidArgument naming the field.
struct AgentFields {
  std::string id;
  std::string password;
  std::optional<std::string> display_name;
  std::optional<std::string> role;
  std::optional<std::vector<std::string>> skills;  // normalised
  std::optional<int> capacity;
};
Result<AgentFields> parse_agent_fields(const boost::json::object& body, bool creating);

// {"password"}: core's rule for a new password (check_new_password).
Result<std::string> parse_new_password(const boost::json::object& body);

// {"mode": "bot"|"close"}.
Result<engagement::EndMode> parse_end_mode(const boost::json::object& body);

// A wrap-up's {"disposition"?, "note"?} (empty body: neither): disposition a string of at most
// 32 bytes (checked against the queue by the Engagement), note at most 1000 code points of valid
// UTF-8; no other key.
inline constexpr std::size_t kMaxWrapUpNoteChars = 1000;
Result<engagement::WrapUp> parse_wrap_up(const boost::json::object& body);

// Canned responses (docs/AGENT_API.md).
inline constexpr std::size_t kMaxCannedTitleChars = 100;  // Unicode code points
inline constexpr std::size_t kMaxCannedCodeChars = 32;
inline constexpr std::size_t kMaxCannedResponses = 500;  // global and per-queue together
struct CannedRequest {
  std::string queue;  // "" = global
  std::string code;
  std::string title;
  std::string text;
};
// {"queue"?, "code", "title", "text"} and no other key: code 1..32 chars of [a-z0-9._-]; title
// 1..100 code points of UTF-8 without control characters; text as parse_text (1..4000 code
// points, not blank); queue a string (absent, null or "" = global; the caller checks it exists).
Result<CannedRequest> parse_canned(const boost::json::object& body);
// Whether `id` has the form the server issues: "cr_" and 16 lower-case hex digits.
bool valid_canned_id(std::string_view id);

struct AuditQuery {
  std::string conversation_id;  // "" = all
  std::uint64_t after = 0;      // position
  std::size_t limit = 100;      // 1..1000
};
// ?conversationId=&after=&limit= (each optional; after/limit digits only).
Result<AuditQuery> parse_audit_query(std::optional<std::string_view> conversation_id,
                                     std::optional<std::string_view> after,
                                     std::optional<std::string_view> limit);

// A client message on the stream: {"type":"monitor"|"unmonitor","conversationId"} or
// {"type":"ping"}. Errors: kParse, kInvalidArgument (unknown type, missing id).
// A customer's user id from a path: 1..256 bytes of UTF-8 without control characters (Direct Line
// takes user ids of at most 256 characters). kInvalidArgument otherwise.
Result<std::string> parse_user_id(std::string_view id);

// GET /api/agent/search (docs/AGENT_API.md "History and search"). Each parameter optional:
// customer (a user id, parse_user_id's rule), from / to (ISO 8601, or a date YYYY-MM-DD: from its
// midnight UTC; `to` a date includes that day), queue (1..256 bytes of UTF-8 without control
// characters), agent (an agent id), outcome (an ended handoff's status), q (1..200 bytes of UTF-8
// without control characters, not blank), limit (1..100, default 20), cursor (as issued in
// "next"). Unknown parameters are refused. kInvalidArgument naming the parameter.
inline constexpr std::size_t kDefaultSearchPage = 20;
inline constexpr std::size_t kMaxSearchPage = 100;
struct SearchQuery {
  store::HandoffSearch search;
  std::optional<store::HandoffSearchKey> after;
  std::size_t limit = kDefaultSearchPage;
};
Result<SearchQuery> parse_search_query(
    const std::vector<std::pair<std::string, std::string>>& query);
// A page's "next": the key as "<created ms>.<hex of the handoff id>".
std::string search_cursor(const store::HandoffSearchKey& key);

struct StreamCommand {
  enum class Kind { kMonitor, kUnmonitor, kPing };
  Kind kind = Kind::kPing;
  std::string conversation_id;
};
Result<StreamCommand> parse_stream_command(std::string_view text);

}  // namespace baton::agent
