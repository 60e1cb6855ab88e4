// The engine's handoff bookkeeping inside a batch: the handoff record and handoff.initiate event
// of an escalation, status changes, the end of a handoff (outcome, agent, handoff.status events),
// closing a conversation, and the survey's answers stored with the last handoff's outcome.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "analytics/cells.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "engine/engine_impl.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

std::string handoff_status_for(dialog::HandoffOutcome outcome) {
  return dialog::to_string(outcome);  // the store's status names match the outcome wire names
}

bj::object routing_json(const bot::RoutingHints& routing) {
  bj::object r;
  r["queue"] = routing.queue;
  bj::array skills;
  for (const auto& s : routing.skills) {
    skills.emplace_back(s);
  }
  r["skills"] = std::move(skills);
  if (routing.priority) {
    r["priority"] = *routing.priority;
  } else {
    r["priority"] = nullptr;
  }
  return r;
}

// A locale worth keeping: a plausible BCP 47 tag, bounded (it comes from the client).
bool plausible_locale(std::string_view locale) {
  return !locale.empty() && locale.size() <= 32 &&
         std::all_of(locale.begin(), locale.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
         });
}

}  // namespace

std::string Engine::Impl::customer_language(
    const Conv& conv, const std::vector<activity::Activity>& transcript) const {
  const bj::object meta = json::parse_object(conv.row.metadata_json);
  if (const std::string_view start = json::string_at(meta, "locale"); plausible_locale(start)) {
    return std::string(start);
  }
  for (auto a = transcript.rbegin(); a != transcript.rend(); ++a) {
    if (a->from.role == "user" && plausible_locale(a->locale)) {
      return a->locale;
    }
  }
  return bot->bot().language;
}

std::vector<activity::Activity> Engine::Impl::handoff_transcript(
    const Conv& conv, std::vector<activity::Activity> recent, bool& truncated, bool stored) {
  constexpr std::size_t kMax = dialog::Runtime::kMaxTranscript;
  truncated = false;
  std::size_t used = 0;
  // The unstored part of this turn, newest first.
  std::size_t first = recent.size();
  while (first > 0) {
    const std::size_t size = activity::serialize(recent[first - 1]).size();
    if (used + size > kTranscriptBudget || recent.size() - first >= kMax) {
      truncated = true;
      break;
    }
    used += size;
    --first;
  }
  recent.erase(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(first));
  if (truncated || !stored) {
    return recent;
  }
  // The stored part, newest first, a page at a time. The store leaves out typing and the handoff
  // protocol's events (as the runtime records them) without reading their bodies.
  constexpr std::size_t kPage = 128;
  std::vector<activity::Activity> older;
  for (std::uint64_t before = conv.transcript_after + 1; before > 1 && !truncated;) {
    auto page = store.read_history_before(conv.row.id, before, kPage);
    if (!page.ok()) {
      spdlog::warn("engine: conversation {}: handoff transcript without the stored part ({})",
                   conv.row.id, page.error().message);
      return recent;
    }
    if (page->empty()) {
      break;
    }
    for (const store::ActivityRecord& row : *page) {
      before = row.seq;
      if (used + row.json.size() > kTranscriptBudget || older.size() + recent.size() >= kMax) {
        truncated = true;
        break;
      }
      auto a = activity::parse(row.json);
      if (!a.ok()) {
        continue;
      }
      used += row.json.size();
      older.push_back(std::move(*a));
    }
    if (page->size() < kPage) {
      break;  // a short page is the start of the history: no need to ask again
    }
  }
  std::reverse(older.begin(), older.end());
  older.insert(older.end(), std::make_move_iterator(recent.begin()),
               std::make_move_iterator(recent.end()));
  return older;
}

void Engine::Impl::request_handoff(Conv& conv, Pending& pending,
                                   const dialog::HandoffRequest& runtime_request,
                                   std::optional<dialog::HandoffOutcome> resolved,
                                   const std::string& reply_to, bool own_transcript) {
  dialog::HandoffRequest request = runtime_request;
  bool truncated = false;
  request.transcript =
      handoff_transcript(conv, std::move(request.transcript), truncated, !own_transcript);
  const activity::ChannelAccount user{conv.row.user_id, "", "user"};
  activity::Activity event = dialog::make_handoff_initiate(request, bot_account, user, conv.row.id,
                                                           options.channel_id, reply_to);
  event.id = next_id(conv);
  event.timestamp = format_iso8601(clock.now());
  append(conv, pending, event);

  const std::string language = customer_language(conv, request.transcript);
  bj::object req;
  req["topic"] = request.topic;
  req["context"] = request.context;
  req["agentMessage"] = request.agent_message;
  req["routing"] = routing_json(request.routing);
  req["cancelQuickReply"] = request.cancel_quick_reply;
  req["initiateActivityId"] = event.id;
  req["replyToId"] = reply_to;
  // The same activities as the event's Transcript attachment, already JSON there.
  const activity::Attachment* attached = dialog::find_transcript_attachment(event);
  req["transcript"] = attached != nullptr ? attached->content.at("activities") : bj::array{};
  req["transcriptTruncated"] = truncated;  // older activities are in the conversation's log
  req["language"] = language;

  store::HandoffRecord record;
  record.id = fmt::format("{}|h{}", conv.row.id, *parse_activity_seq(event.id, conv.row.id));
  record.conversation_id = conv.row.id;
  record.reason = dialog::to_string(request.reason);
  record.status = resolved ? handoff_status_for(*resolved) : "pending";
  record.queue = request.routing.queue;
  record.created = record.updated = clock.now();
  record.request_json = json::dump(req);
  if (resolved) {
    record.outcome_json = json::dump(bj::object{{"outcome", dialog::to_string(*resolved)}});
  }
  pending.batch.insert_handoff(record);
  add_event(conv, pending, "handoff.requested",
            json::dump(bj::object{{"handoffId", record.id},
                                  {"reason", record.reason},
                                  {"queue", record.queue},
                                  {"activityId", event.id}}));
  if (resolved) {
    add_event(conv, pending, "handoff.ended",
              json::dump(
                  bj::object{{"handoffId", record.id}, {"outcome", dialog::to_string(*resolved)}}));
    add_status(conv, pending, "failed", dialog::to_string(*resolved));
    return;
  }
  conv.open_handoff = record;
  move_ownership(conv, pending, OwnershipEvent::kHandoffRequested);
  HandoffRequested requested;
  requested.conversation = conv.row.id;
  requested.epoch = conv.ownership.epoch;
  requested.handoff_id = record.id;
  requested.reason = record.reason;
  requested.topic = request.topic;
  requested.context = request.context;
  requested.agent_message = request.agent_message;
  requested.queue = request.routing.queue;
  requested.skills = request.routing.skills;
  requested.priority = request.routing.priority;
  requested.initiate_seq = *parse_activity_seq(event.id, conv.row.id);
  requested.user = conv.row.user_id;
  requested.language = language;
  if (handoff_hook) {
    HandoffCommit with = handoff_hook(requested);
    for (auto& record_entry : with.hub_log) {
      pending.batch.append_hub_log(std::move(record_entry));
    }
    if (!with.cells.empty()) {
      pending.batch.add_analytics(std::move(with.cells));
    }
    if (with.committed) {
      pending.committed.push_back(std::move(with.committed));
    }
  }
  pending.events.emplace_back(std::move(requested));
}

void Engine::Impl::set_handoff_status(Conv& conv, Pending& pending, const char* status) {
  if (!conv.open_handoff) {
    return;
  }
  conv.open_handoff->status = status;
  conv.open_handoff->updated = clock.now();
  pending.batch.update_handoff(*conv.open_handoff);
}

void Engine::Impl::end_handoff(Conv& conv, Pending& pending, dialog::HandoffOutcome outcome,
                               const HandoffEnd& end, bool move) {
  if (conv.open_handoff) {
    store::HandoffRecord record = std::move(*conv.open_handoff);
    conv.open_handoff.reset();
    record.status = end.abandoned.empty() ? handoff_status_for(outcome) : "abandoned";
    record.updated = clock.now();
    bj::object result{{"outcome", dialog::to_string(outcome)}};
    if (!end.agent.empty()) {
      result["agent"] = end.agent;
    }
    if (!end.abandoned.empty()) {
      result["abandoned"] = end.abandoned;
    }
    if (!end.message.empty()) {
      result["message"] = end.message;
    }
    result["endedAt"] = format_iso8601(record.updated);
    record.outcome_json = json::dump(result);
    pending.batch.update_handoff(record);
    bj::object ended{{"handoffId", record.id}, {"outcome", dialog::to_string(outcome)}};
    if (!end.abandoned.empty()) {
      ended["abandoned"] = end.abandoned;
    }
    if (!end.message.empty()) {
      ended["message"] = end.message;
    }
    add_event(conv, pending, "handoff.ended", json::dump(ended));
    // The hub's own words when it gave some (an external hub's status message), else the outcome.
    if (outcome == dialog::HandoffOutcome::kCompleted) {
      add_status(conv, pending, "completed", end.message);
    } else {
      add_status(conv, pending, "failed",
                 end.message.empty() ? dialog::to_string(outcome) : end.message);
    }
    pending.handoff_update = std::move(record);
  }
  if (move && (conv.ownership.owner == Owner::kQueued || conv.ownership.owner == Owner::kOffered ||
               conv.ownership.owner == Owner::kAgent)) {
    move_ownership(conv, pending, OwnershipEvent::kHandoffEnded);
  }
}

void Engine::Impl::close(Conv& conv, Pending& pending, dialog::HandoffOutcome outcome,
                         const HandoffEnd& ending) {
  end_handoff(conv, pending, outcome, ending, false);
  activity::Activity end = activity::make_end_of_conversation();
  stamp(conv, end, Side::kBot);
  append(conv, pending, end);
  move_ownership(conv, pending, OwnershipEvent::kClosed);
}

void Engine::Impl::add_status(Conv& conv, Pending& pending, std::string_view state,
                              std::string_view message) {
  activity::Activity status = dialog::make_handoff_status(state, message);
  stamp(conv, status, Side::kBot);
  append(conv, pending, status);
  if (options.external_bot) {
    to_bot(conv, pending, status);  // the hub tells the bot (docs/EXTERNAL_BOTS.md)
  }
}

SurveyAnswers survey_answers(const bj::object& variables) {
  SurveyAnswers answers;
  if (const auto* resolved = variables.if_contains("SurveyResolved");
      resolved != nullptr && resolved->is_bool()) {
    answers.resolved = resolved->as_bool();
  }
  // SurveyRating comes from a choice question ("1".."5") or a number entity.
  const bj::value* v = variables.if_contains("SurveyRating");
  std::int64_t n = 0;
  if (v == nullptr) {
    return answers;
  }
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64()) {
    n = v->as_uint64() <= 5 ? static_cast<std::int64_t>(v->as_uint64()) : 0;
  } else if (v->is_double()) {
    n = static_cast<std::int64_t>(v->as_double());
  } else if (v->is_string()) {
    const std::string_view text = v->as_string();
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) {
      n = 0;
    }
  }
  if (n >= 1 && n <= 5) {
    answers.rating = static_cast<std::int32_t>(n);
  }
  return answers;
}

void Engine::Impl::store_survey(Conv& conv, Pending& pending) {
  const SurveyAnswers answers = survey_answers(conv.runtime->variables());
  bj::object survey;
  if (answers.resolved) {
    survey["resolved"] = *answers.resolved;
  }
  if (answers.rating) {
    survey["rating"] = *answers.rating;
  }
  if (survey.empty()) {
    return;
  }
  std::optional<store::HandoffRecord> record = pending.handoff_update;
  if (!record) {
    auto all = store.handoffs_for_conversation(conv.row.id);
    if (!all.ok() || all->empty()) {
      return;
    }
    record = *std::max_element(all->begin(), all->end(),
                               [](const auto& a, const auto& b) { return a.created < b.created; });
  }
  if (record->open()) {
    return;  // still open: the survey belongs to an earlier, ended handoff
  }
  bj::object outcome = json::parse_object(record->outcome_json);
  outcome["survey"] = std::move(survey);
  record->outcome_json = json::dump(outcome);
  record->updated = clock.now();
  pending.batch.update_handoff(*record);
  pending.handoff_update = std::move(record);
}

void Engine::Impl::wrap_up(Conv& conv, const RecordWrapUp& command, const Callback<bool>& done) {
  auto all = store.handoffs_for_conversation(conv.row.id);
  if (!all.ok()) {
    done(all.error());
    return;
  }
  if (all->empty()) {
    done(make_error(ErrorCode::kConflict, "the conversation has no handoff to wrap up"));
    return;
  }
  store::HandoffRecord record = *std::max_element(
      all->begin(), all->end(), [](const auto& a, const auto& b) { return a.created < b.created; });
  if (record.open()) {
    done(make_error(ErrorCode::kConflict, "the conversation's handoff has not ended"));
    return;
  }
  const TimePoint now = clock.now();
  bj::object wrap{{"agent", command.agent}, {"at", format_iso8601(now)}};
  if (!command.disposition.empty()) {
    wrap["disposition"] = command.disposition;
  }
  if (!command.note.empty()) {
    wrap["note"] = command.note;
  }
  bj::object outcome = json::parse_object(record.outcome_json);
  outcome["wrapUp"] = std::move(wrap);
  record.outcome_json = json::dump(outcome);
  record.updated = now;
  Pending pending;
  pending.batch.update_handoff(record);
  if (!command.disposition.empty()) {
    analytics::Sample sample;
    sample.at = now;
    sample.metric = std::string(analytics::kDispositionPrefix) + command.disposition;
    sample.queue = record.queue;
    sample.agent = command.agent;
    pending.batch.add_analytics(analytics::sample_cells({sample}));
  }
  pending.ack = [done](const Status& s) {
    if (s.ok()) {
      done(true);
    } else {
      done(s.error());
    }
  };
  submit(conv, std::move(pending));
}

}  // namespace baton::engine
