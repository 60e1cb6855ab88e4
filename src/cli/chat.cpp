#include "cli/chat.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iostream>
#include <memory>

#include "activity/activity.hpp"
#include "bot/loader.hpp"
#include "dialog/handoff.hpp"
#include "dialog/runtime.hpp"

namespace baton::cli {
namespace {

namespace bj = boost::json;

constexpr const char* kDefaultStart = "2026-01-01T00:00:00Z";

// One terminal conversation plus the simulated hub around it.
class ChatSession {
 public:
  ChatSession(std::shared_ptr<const dialog::CompiledBot> bot, const ChatOptions& options,
              std::ostream& out)
      : bot_(std::move(bot)), options_(options), out_(out) {
    clock_.set(options.start_time.value_or(*parse_iso8601(kDefaultStart)));
    if (!options.json && !options.start_time) {
      clock_.set(SystemClock().now());
    }
    restart();
  }

  // Handles one input line; returns false on /quit.
  bool handle_line(const std::string& raw) {
    tick();
    std::string line = trim(raw);
    if (line.empty()) {
      return true;
    }
    if (line[0] == '/') {
      return command(line);
    }
    customer_says(resolve_quick_reply(line));
    return true;
  }

  void start() { emit(runtime_->start()); }

 private:
  static std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
      return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }

  void tick() {
    if (options_.json || options_.start_time) {
      clock_.advance(std::chrono::seconds(1));
    } else {
      clock_.set(SystemClock().now());
    }
  }

  std::string next_id() { return fmt::format("{}|{:06}", conversation_id_, ++sequence_); }

  activity::Activity stamp(activity::Activity a) {
    a.id = next_id();
    a.timestamp = format_iso8601(clock_.now());
    a.channel_id = options_.channel_id;
    a.conversation.id = conversation_id_;
    return a;
  }

  void restart() {
    ++conversation_number_;
    conversation_id_ = fmt::format("chat-{}", conversation_number_);
    sequence_ = 0;
    dialog::ConversationInfo info;
    info.conversation_id = conversation_id_;
    info.channel_id = options_.channel_id;
    info.user = {options_.user_id, options_.user_name, "user"};
    info.live_chat_supported = live_chat_;
    runtime_ = std::make_unique<dialog::Runtime>(
        bot_, clock_, [this] { return next_id(); }, info);
    runtime_->set_agents_online(agents_online_);
    last_suggestions_.clear();
  }

  // A bare number picks the matching quick reply of the bot's last message.
  std::string resolve_quick_reply(const std::string& line) const {
    if (options_.json || last_suggestions_.empty()) {
      return line;
    }
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
    if (ec != std::errc() || end != line.data() + line.size() || n < 1 ||
        n > last_suggestions_.size()) {
      return line;
    }
    return last_suggestions_[n - 1];
  }

  void customer_says(const std::string& text) {
    activity::Activity a = activity::make_message(text);
    a.from = {options_.user_id, options_.user_name, "user"};
    a.recipient = {bot_->bot().id, bot_->bot().name, "bot"};
    a = stamp(std::move(a));
    write(a);
    emit(runtime_->on_activity(a));
  }

  bool command(const std::string& line) {
    const auto space = line.find(' ');
    const std::string name = line.substr(0, space);
    const std::string arg = space == std::string::npos ? "" : trim(line.substr(space + 1));
    if (name == "/quit" || name == "/exit") {
      return false;
    }
    if (name == "/help") {
      note(
          "commands: /agents online|offline, /accept, /agent TEXT, /end, /timeout, "
          "/channel nolive|live, /vars, /restart, /quit");
    } else if (name == "/agents" && (arg == "online" || arg == "offline")) {
      agents_online_ = arg == "online";
      runtime_->set_agents_online(agents_online_);
      note(fmt::format("agents are now {}", arg));
    } else if (name == "/channel" && (arg == "nolive" || arg == "live")) {
      live_chat_ = arg == "live";
      runtime_->set_live_chat_supported(live_chat_);
      note(arg == "live" ? "channel supports live chat" : "channel cannot do live chat");
    } else if (name == "/accept") {
      accept();
    } else if (name == "/agent" && !arg.empty()) {
      agent_says(arg);
    } else if (name == "/end") {
      finish(dialog::HandoffOutcome::kCompleted);
    } else if (name == "/timeout") {
      finish(dialog::HandoffOutcome::kTimedOut);
    } else if (name == "/vars") {
      show_variables();
    } else if (name == "/restart") {
      restart();
      note(fmt::format("new conversation {}", conversation_id_));
      start();
    } else {
      note(fmt::format("unknown command '{}' (try /help)", line));
    }
    return true;
  }

  void accept() {
    if (runtime_->state() != dialog::FlowState::kHandoffPending) {
      note("no handoff is waiting for an agent");
      return;
    }
    runtime_->agent_joined();
    write(stamp(dialog::make_handoff_status("accepted")));
  }

  void agent_says(const std::string& text) {
    if (runtime_->state() != dialog::FlowState::kWithAgent) {
      note("no agent owns the conversation (use /accept first)");
      return;
    }
    activity::Activity a = activity::make_message(text);
    a.from = {"agent", "Agent", "bot"};
    a.recipient = {options_.user_id, options_.user_name, "user"};
    a = stamp(std::move(a));
    runtime_->record(a);
    write(a);
  }

  void finish(dialog::HandoffOutcome outcome) {
    const auto state = runtime_->state();
    if (state != dialog::FlowState::kHandoffPending && state != dialog::FlowState::kWithAgent) {
      note("no handoff in progress");
      return;
    }
    const bool completed = outcome == dialog::HandoffOutcome::kCompleted;
    write(stamp(dialog::make_handoff_status(completed ? "completed" : "failed",
                                            completed ? "" : dialog::to_string(outcome))));
    emit(runtime_->resume(outcome));
  }

  void show_variables() {
    bj::object vars = runtime_->variables();
    if (options_.json) {
      write(stamp(activity::make_event("baton.variables", std::move(vars))));
    } else {
      note(pretty(vars));
    }
  }

  void emit(const dialog::TurnResult& turn) {
    for (const auto& a : turn.replies) {
      write(a);
    }
    if (turn.handoff) {
      const std::string reply_to = last_customer_activity_id();
      activity::Activity event =
          dialog::make_handoff_initiate(*turn.handoff, {bot_->bot().id, bot_->bot().name, "bot"},
                                        {options_.user_id, options_.user_name, "user"},
                                        conversation_id_, options_.channel_id, reply_to);
      write(stamp(std::move(event)), &*turn.handoff);
    }
    if (turn.resolved && !options_.json) {
      note(fmt::format("handoff ended: {}", dialog::to_string(*turn.resolved)));
    }
  }

  std::string last_customer_activity_id() const {
    const auto& t = runtime_->transcript();
    for (auto it = t.rbegin(); it != t.rend(); ++it) {
      if (it->from.role == "user") {
        return it->id;
      }
    }
    return {};
  }

  void write(const activity::Activity& a, const dialog::HandoffRequest* handoff = nullptr) {
    if (options_.json) {
      out_ << activity::serialize(a) << '\n';
      out_.flush();
      return;
    }
    if (a.type == "message" && a.from.role == "user") {
      return;  // the customer's own line is already on screen
    }
    if (a.type == "message") {
      const bool agent = a.from.id == "agent";
      out_ << (agent ? "agent> " : "bot> ") << a.text << '\n';
      last_suggestions_.clear();
      for (const auto& action : a.suggested_actions.actions) {
        last_suggestions_.push_back(action.title);
        out_ << "  [" << last_suggestions_.size() << "] " << action.title << '\n';
      }
    } else if (a.type == "endOfConversation") {
      out_ << "-- conversation ended (type anything to start again)\n";
    } else if (a.type == "event" && a.name == "handoff.initiate" && handoff != nullptr) {
      print_handoff(*handoff);
    } else if (a.type == "event" && a.name == "handoff.status") {
      out_ << "-- handoff."
           << (a.value.is_object() && a.value.as_object().contains("state")
                   ? bj::value_to<std::string>(a.value.at("state"))
                   : std::string("status"))
           << '\n';
    }
    out_.flush();
  }

  void print_handoff(const dialog::HandoffRequest& h) {
    out_ << "== HANDOFF REQUESTED ==========================================\n"
         << "   reason:        " << dialog::to_string(h.reason) << '\n'
         << "   topic:         " << h.topic << '\n'
         << "   agent message: " << h.agent_message << '\n'
         << "   queue:         " << (h.routing.queue.empty() ? "(default)" : h.routing.queue)
         << '\n';
    if (!h.routing.skills.empty()) {
      out_ << "   skills:        " << fmt::format("{}", fmt::join(h.routing.skills, ", ")) << '\n';
    }
    if (h.routing.priority) {
      out_ << "   priority:      " << *h.routing.priority << '\n';
    }
    out_ << "   transcript:    " << h.transcript.size() << " activities\n"
         << "   context:\n"
         << pretty(h.context, "     ") << '\n'
         << "   (simulate the hub: /accept, /agent TEXT, /end, /timeout)\n"
         << "================================================================\n";
  }

  static std::string pretty(const bj::object& o, const std::string& indent = "  ") {
    std::string out;
    for (const auto& [key, value] : o) {
      if (!out.empty()) {
        out += '\n';
      }
      out += fmt::format("{}{} = {}", indent, std::string_view(key), bj::serialize(value));
    }
    return out.empty() ? indent + "(none)" : out;
  }

  void note(const std::string& text) {
    if (!options_.json) {
      out_ << "-- " << text << '\n';
      out_.flush();
    }
  }

  std::shared_ptr<const dialog::CompiledBot> bot_;
  const ChatOptions& options_;
  std::ostream& out_;
  ManualClock clock_;
  std::unique_ptr<dialog::Runtime> runtime_;
  std::string conversation_id_;
  int conversation_number_ = 0;
  std::uint64_t sequence_ = 0;
  bool agents_online_ = true;
  bool live_chat_ = true;
  std::vector<std::string> last_suggestions_;
};

}  // namespace

int run_chat(const ChatOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  bot::LoadResult loaded = bot::load_bot(options.bot_path);
  for (const auto& d : loaded.diagnostics) {
    err << d.format() << '\n';
  }
  if (!loaded.bot) {
    return 1;
  }
  if (loaded.bot->external) {
    err << "baton chat: " << options.bot_path.string()
        << " is an external bot: talk to it through baton serve (docs/EXTERNAL_BOTS.md)\n";
    return 1;
  }
  auto compiled = dialog::CompiledBot::compile(std::move(*loaded.bot));
  if (!options.json) {
    out << "Chatting with " << compiled->bot().name << " (type /help for commands)\n";
  }
  ChatSession session(compiled, options, out);
  session.start();
  std::string line;
  while (true) {
    if (!options.json) {
      out << "you> " << std::flush;
    }
    if (!std::getline(in, line) || !session.handle_line(line)) {
      break;
    }
  }
  return 0;
}

}  // namespace baton::cli
