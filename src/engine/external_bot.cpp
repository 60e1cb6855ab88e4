// An external Bot Framework bot's side of a conversation (EngineOptions::external_bot,
// docs/EXTERNAL_BOTS.md): its answers (Engine::post_bot_reply), its handoff.initiate, and what it
// is sent once durable (Pending::to_bot → the BotSink).
#include <fmt/format.h>

#include "dialog/handoff.hpp"
#include "engine/engine_impl.hpp"

namespace baton::engine {

void Engine::Impl::to_bot(Conv& conv, Pending& pending, const activity::Activity& a) {
  activity::Activity copy = a;
  copy.from = {conv.row.user_id, "", "user"};
  copy.recipient = bot_account;
  pending.to_bot.push_back(std::move(copy));
}

void Engine::Impl::bot_greeting(Conv& conv, Pending& pending) {
  activity::Activity update;
  update.type = "conversationUpdate";
  update.id = conv.row.id + "|start";  // not stored: no seq (watermarks stay gapless)
  update.timestamp = format_iso8601(clock.now());
  update.channel_id = options.channel_id;
  update.conversation.id = conv.row.id;
  update.extra["membersAdded"] = boost::json::array{
      boost::json::object{{"id", conv.row.user_id}, {"role", "user"}},
      boost::json::object{{"id", bot_account.id}, {"name", bot_account.name}, {"role", "bot"}}};
  to_bot(conv, pending, update);
}

void Engine::Impl::bot_reply(Conv& conv, activity::Activity&& a, const Callback<PostResult>& done) {
  if (!options.external_bot) {
    done(make_error(ErrorCode::kConflict, "this engine runs a YAML bot, not an external one"));
    return;
  }
  if (conv.ownership.owner == Owner::kClosed) {
    done(make_error(ErrorCode::kConflict, "the conversation is closed"));
    return;
  }
  if (conv.ownership.owner == Owner::kAgent) {
    done(make_error(ErrorCode::kConflict, "an agent owns the conversation: the bot is silent"));
    return;
  }
  if (a.type.empty()) {
    done(make_error(ErrorCode::kInvalidArgument, "type: missing"));
    return;
  }
  if (a.type == "event" && a.name == "handoff.initiate") {
    bot_handoff(conv, a, done);
    return;
  }
  if (a.type == "event" && a.name.rfind("handoff.", 0) == 0) {
    done(make_error(ErrorCode::kInvalidArgument,
                    fmt::format("name: a bot does not send '{}' events", a.name)));
    return;
  }
  a.from = {};  // always the bot: a bot cannot speak as an agent or the customer
  write_bot_side(conv, a, conv.ownership.epoch, done);
}

void Engine::Impl::bot_handoff(Conv& conv, const activity::Activity& initiate,
                               const Callback<PostResult>& done) {
  if (conv.ownership.owner != Owner::kBot) {
    done(make_error(ErrorCode::kConflict, "a handoff is already open in this conversation"));
    return;
  }
  auto request = dialog::parse_handoff_initiate(initiate);
  if (!request.ok()) {
    done(request.error());
    return;
  }
  dialog::TurnResult turn;
  turn.handoff = std::move(*request);
  if (!options.live_chat_supported) {
    turn.resolved = dialog::HandoffOutcome::kUnsupported;
  } else if (!agents_online) {
    turn.resolved = dialog::HandoffOutcome::kUnavailable;
  }
  const std::uint64_t epoch = conv.ownership.epoch;
  const std::uint64_t first = conv.next_seq;
  Pending pending;
  session_touch(conv, pending, first);
  const bool own = !turn.handoff->transcript.empty();
  request_handoff(conv, pending, *turn.handoff, turn.resolved, initiate.reply_to_id, own);
  session_turn(conv, pending, turn);
  finish_batch(conv, pending, epoch, false);
  // The answer names the stored handoff.initiate event (the first activity of this batch).
  pending.ack = ack_with(done, PostResult{make_activity_id(conv.row.id, first), first});
  submit(conv, std::move(pending));
}

}  // namespace baton::engine
