// Handoff names and the Bot Framework handoff.initiate / handoff.status events
// (docs/PROTOCOLS.md §2.1, §2.2, §3).
#include "dialog/handoff.hpp"

#include <array>
#include <utility>

namespace baton::dialog {
namespace {

namespace bj = boost::json;

constexpr std::array<std::pair<HandoffReason, const char*>, 4> kReasons{{
    {HandoffReason::kExplicit, "explicit"},
    {HandoffReason::kRequested, "requested"},
    {HandoffReason::kNoMatch, "no_match"},
    {HandoffReason::kInvalidAnswer, "invalid_answer"},
}};

constexpr std::array<std::pair<HandoffOutcome, const char*>, 5> kOutcomes{{
    {HandoffOutcome::kCompleted, "completed"},
    {HandoffOutcome::kCancelled, "cancelled"},
    {HandoffOutcome::kUnavailable, "unavailable"},
    {HandoffOutcome::kUnsupported, "unsupported"},
    {HandoffOutcome::kTimedOut, "timed_out"},
}};

constexpr const char* kInitiateName = "handoff.initiate";
constexpr const char* kStatusName = "handoff.status";
constexpr const char* kTranscriptName = "Transcript";

bj::object account_json(const activity::ChannelAccount& account) {
  bj::object out;
  out["id"] = account.id;
  if (!account.name.empty()) {
    out["name"] = account.name;
  }
  if (!account.role.empty()) {
    out["role"] = account.role;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string string_field(const bj::object& object, std::string_view key) {
  if (const auto* v = object.if_contains(key); v != nullptr && v->is_string()) {
    return std::string(v->get_string());
  }
  return {};
}

// Reads the transcript attachment's activities; error names the offending index.
Status read_transcript(const activity::Attachment& attachment,
                       std::vector<activity::Activity>& out) {
  if (!attachment.content.is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "attachments: Transcript content is not an object");
  }
  const auto* list = attachment.content.get_object().if_contains("activities");
  if (list == nullptr || !list->is_array()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "attachments: Transcript content has no activities array");
  }
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    auto parsed = activity::from_json(list->get_array()[i]);
    if (!parsed.ok()) {
      return make_error(ErrorCode::kInvalidArgument, "attachments: Transcript activities[" +
                                                         std::to_string(i) +
                                                         "]: " + parsed.error().message);
    }
    out.push_back(std::move(parsed).value());
  }
  return {};
}

}  // namespace

const char* to_string(HandoffReason reason) {
  for (const auto& [value, name] : kReasons) {
    if (value == reason) {
      return name;
    }
  }
  return "explicit";
}

const char* to_string(HandoffOutcome outcome) {
  for (const auto& [value, name] : kOutcomes) {
    if (value == outcome) {
      return name;
    }
  }
  return "completed";
}

std::optional<HandoffReason> parse_handoff_reason(std::string_view name) {
  for (const auto& [value, wire] : kReasons) {
    if (name == wire) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<HandoffOutcome> parse_handoff_outcome(std::string_view name) {
  for (const auto& [value, wire] : kOutcomes) {
    if (name == wire) {
      return value;
    }
  }
  return std::nullopt;
}

activity::Activity make_handoff_initiate(const HandoffRequest& request,
                                         const activity::ChannelAccount& bot,
                                         const activity::ChannelAccount& user,
                                         const std::string& conversation_id,
                                         const std::string& channel_id,
                                         const std::string& reply_to_id) {
  activity::Activity event = activity::make_event(kInitiateName, request.context);
  event.from = bot;
  event.recipient = user;
  event.conversation.id = conversation_id;
  event.channel_id = channel_id;
  event.reply_to_id = reply_to_id;

  bj::array activities;
  activities.reserve(request.transcript.size());
  for (const auto& item : request.transcript) {
    activities.push_back(activity::to_json(item));
  }
  activity::Attachment transcript;
  transcript.content_type = "application/json";
  transcript.name = kTranscriptName;
  transcript.content = bj::object{{"activities", std::move(activities)}};
  event.attachments.push_back(std::move(transcript));

  bj::object relates_to;
  if (!reply_to_id.empty()) {
    relates_to["activityId"] = reply_to_id;
  }
  relates_to["user"] = account_json(user);
  relates_to["bot"] = account_json(bot);
  relates_to["conversation"] = bj::object{{"id", conversation_id}};
  relates_to["channelId"] = channel_id;
  event.relates_to = std::move(relates_to);
  event.entities = bj::array{};
  return event;
}

activity::Activity make_handoff_status(std::string_view state, std::string_view message) {
  bj::object value;
  value["state"] = state;
  if (!message.empty()) {
    value["message"] = message;
  }
  return activity::make_event(kStatusName, std::move(value));
}

Result<HandoffRequest> parse_handoff_initiate(const activity::Activity& event) {
  if (event.type != "event" || event.name != kInitiateName) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "not a handoff.initiate event (type '" + event.type + "', name '" + event.name + "')");
  }
  HandoffRequest request;
  if (event.value.is_object()) {
    request.context = event.value.get_object();
  } else if (!event.value.is_null()) {
    return make_error(ErrorCode::kInvalidArgument, "value: expected object");
  }
  const bj::object& context = request.context;
  if (const auto* reason = context.if_contains("reason"); reason != nullptr) {
    const auto parsed =
        reason->is_string() ? parse_handoff_reason(reason->get_string()) : std::nullopt;
    if (!parsed) {
      return make_error(ErrorCode::kInvalidArgument,
                        "value.reason: expected explicit, requested, no_match or invalid_answer");
    }
    request.reason = *parsed;
  }
  request.agent_message = string_field(context, "va_AgentMessage");
  request.topic = string_field(context, "va_LastTopic");
  // The PVA sample spells it va_LastPhrase; the docs va_LastPhrases. Keep one canonical key.
  if (!context.contains("va_LastPhrases") && context.contains("va_LastPhrase")) {
    bj::value phrase = context.at("va_LastPhrase");  // copied: the insert may reallocate
    request.context["va_LastPhrases"] = std::move(phrase);
  }
  if (const activity::Attachment* transcript = find_transcript_attachment(event)) {
    if (auto status = read_transcript(*transcript, request.transcript); !status.ok()) {
      return status.error();
    }
  }
  return request;
}

const activity::Attachment* find_transcript_attachment(const activity::Activity& event) {
  for (const auto& attachment : event.attachments) {
    if (iequals(attachment.name, kTranscriptName)) {
      return &attachment;
    }
  }
  return nullptr;
}

}  // namespace baton::dialog
