#pragma once
// The Bot Framework activity: Baton's one message type. Direct Line, the handoff protocol, the
// agent console and transcripts all speak it (docs/PROTOCOLS.md §1.6).
//
// Field names follow the wire schema in snake_case; `to_json` writes the camelCase wire names.
// Fields Baton does not model are kept verbatim in `extra`, so a parse → serialise round trip
// loses nothing. Empty strings mean "absent" and are not written. Values are plain data:
// copyable, no shared state.

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace baton::activity {

namespace bj = boost::json;

// The serialised size limit of one activity (the Bot Framework's 256K).
inline constexpr std::size_t kMaxSerializedBytes = std::size_t{256} * 1024;

struct ChannelAccount {
  std::string id;
  std::string name;
  std::string role;  // "user" | "bot" | "channel" | "" (absent)

  bool empty() const { return id.empty() && name.empty() && role.empty(); }
  friend bool operator==(const ChannelAccount&, const ChannelAccount&) = default;
};

struct ConversationAccount {
  std::string id;
  std::string name;
  friend bool operator==(const ConversationAccount&, const ConversationAccount&) = default;
};

// A button: imBack, messageBack, postBack, openUrl, ...
struct CardAction {
  std::string type;
  std::string title;
  bj::value value;  // usually the text sent back when the button is pressed
  std::string text;
  std::string display_text;
  std::string image;
  friend bool operator==(const CardAction&, const CardAction&) = default;
};

struct SuggestedActions {
  std::vector<CardAction> actions;
  std::vector<std::string> to;  // recipient ids; empty = everyone
  bool empty() const { return actions.empty() && to.empty(); }
  friend bool operator==(const SuggestedActions&, const SuggestedActions&) = default;
};

struct Attachment {
  std::string content_type;
  std::string content_url;
  std::string name;
  std::string thumbnail_url;
  bj::value content;  // null when absent
  friend bool operator==(const Attachment&, const Attachment&) = default;
};

struct Activity {
  std::string type;  // required: message, typing, event, endOfConversation, conversationUpdate, ...
  std::string id;
  std::string timestamp;  // ISO-8601 UTC ("...Z"), as on the wire
  std::string local_timestamp;
  std::string local_timezone;
  std::string service_url;
  std::string channel_id;
  ChannelAccount from;
  ConversationAccount conversation;
  ChannelAccount recipient;
  std::string reply_to_id;
  std::string text;
  std::string text_format;  // plain | markdown | xml
  std::string locale;
  std::string attachment_layout;  // list | carousel
  std::vector<Attachment> attachments;
  SuggestedActions suggested_actions;
  bj::value channel_data;  // opaque, preserved without modification (null = absent)
  bj::value value;         // null = absent
  std::string name;        // event name, e.g. "handoff.initiate"
  bj::array entities;
  bj::value relates_to;  // ConversationReference (null = absent)
  std::string code;      // endOfConversation code
  std::string input_hint;
  std::string speak;
  bj::object extra;  // every other top-level field, verbatim

  friend bool operator==(const Activity&, const Activity&) = default;
};

// Builds an Activity from parsed JSON, checking every modelled field's type. Errors are
// kInvalidArgument with a message naming the wire field path, e.g. "from.id: expected string, got
// number", "attachments[2].contentType: expected string, got object", "type: missing".
// Numbers are never coerced to strings; a JSON null for an optional field means absent.
// `value`, `channelData`, `relatesTo` and attachment `content` are kept verbatim; `entities` must
// be an array of objects. Unknown members inside from/recipient/conversation/attachments/card
// actions are dropped (only unknown top-level fields are kept, in `extra`).
Result<Activity> from_json(const bj::value& json);
// Same, but moves the verbatim JSON parts out of `json` instead of copying them (the hot path:
// parse uses it). `json` is left valid but unspecified.
Result<Activity> from_json(bj::value&& json);

// Parses wire text: size limit (kTooLarge over kMaxSerializedBytes), UTF-8 validity
// (kInvalidArgument, message names the byte offset), JSON syntax (kParse, depth limited to 64),
// then from_json. Stateless; safe to call concurrently.
Result<Activity> parse(std::string_view text);

// Wire JSON (camelCase names, absent fields omitted, `extra` merged back in).
bj::object to_json(const Activity& activity);
std::string serialize(const Activity& activity);

// Checks that a built activity may be sent: type present, event activities named, text valid
// UTF-8 (kInvalidArgument), serialised size within kMaxSerializedBytes (kTooLarge), and every other
// string valid UTF-8 (checked on the serialised form). Costs one serialisation.
Status validate(const Activity& activity);

// Convenience constructors for the bot side.
Activity make_message(std::string text);
Activity make_event(std::string name, bj::value value = nullptr);
Activity make_typing();
Activity make_end_of_conversation(std::string code = "completedSuccessfully");

// Quick replies as Bot Framework suggested actions (imBack buttons whose value is the title).
SuggestedActions make_quick_replies(const std::vector<std::string>& titles);

}  // namespace baton::activity
