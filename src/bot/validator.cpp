// Whole-bot checks that need every file read: duplicates, topic references, variable scoping,
// unreachable nodes and topics nothing can start.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "bot/expr_internal.hpp"
#include "bot/loader_internal.hpp"

namespace baton::bot::detail {
namespace {

constexpr auto kSystemVariables = std::to_array<std::string_view>(
    {"System.HandoffOutcome", "System.HandoffUnavailableReason", "System.HandoffMessage",
     "System.EscalationReason", "System.LastMessage", "System.UserId", "System.UserName",
     "System.ConversationId", "System.Language"});

std::string where(const SourceLoc& loc) {
  return fmt::format("{}:{}:{}", loc.file, loc.line, loc.column);
}

class Validator {
 public:
  Validator(ParsedBot& parsed, Diagnostics& diagnostics)
      : bot_(parsed.bot), parsed_(parsed), diagnostics_(diagnostics) {
    // Indexes, so that a bot with very many topics or variables stays linear to check.
    for (const auto& topic : bot_.topics) {
      topics_.emplace(fold_case(topic.name), &topic);
    }
    for (const auto& variable : bot_.variables) {
      globals_.insert(variable.name);
    }
  }

  void run() {
    check_topic_names();
    check_node_ids();
    check_references();
    check_variables();
    for (const auto& topic : bot_.topics) {
      check_list(topic.nodes);
    }
    check_untriggered();
  }

 private:
  void error(const SourceLoc& loc, std::string message) {
    diagnostics_.push_back(Diagnostic{Severity::kError, loc, std::move(message)});
  }
  void warning(const SourceLoc& loc, std::string message) {
    diagnostics_.push_back(Diagnostic{Severity::kWarning, loc, std::move(message)});
  }

  void check_topic_names() {
    std::map<std::string, std::size_t> by_name;
    std::map<SystemTopic, std::size_t> by_system;
    for (std::size_t i = 0; i < bot_.topics.size(); ++i) {
      const Topic& topic = bot_.topics[i];
      const SourceLoc& loc = parsed_.topic_info[i].name_loc;
      if (!topic.name.empty()) {
        auto [it, fresh] = by_name.emplace(fold_case(topic.name), i);
        if (!fresh) {
          error(loc, fmt::format("duplicate topic name '{}' (first defined at {})", topic.name,
                                 where(parsed_.topic_info[it->second].name_loc)));
        }
      }
      if (topic.system != SystemTopic::kNone) {
        auto [it, fresh] = by_system.emplace(topic.system, i);
        if (!fresh) {
          error(loc, fmt::format("system topic '{}' is already defined by topic '{}' at {}",
                                 to_string(topic.system), bot_.topics[it->second].name,
                                 where(bot_.topics[it->second].loc)));
        }
      }
    }
  }

  void check_node_ids() {
    std::map<std::string, SourceLoc> seen;
    for (const auto& id : parsed_.node_ids) {
      auto [it, fresh] = seen.emplace(id.id, id.loc);
      if (!fresh) {
        error(id.loc,
              fmt::format("duplicate node id '{}' (first used at {})", id.id, where(it->second)));
      }
    }
  }

  void check_references() {
    std::vector<std::string_view> names;
    for (const auto& topic : bot_.topics) {
      names.push_back(topic.name);
    }
    for (const auto& info : parsed_.topic_info) {
      for (const auto& ref : info.refs) {
        if (find_topic(ref.topic) != nullptr) {
          referenced_.insert(fold_case(ref.topic));
          continue;
        }
        const std::string hint = did_you_mean(ref.topic, names);
        if (ref.key == "redirect") {
          error(ref.loc, fmt::format("redirect to unknown topic '{}'{}", ref.topic, hint));
        } else {
          error(ref.loc, fmt::format("cancel_intent names unknown topic '{}'{}", ref.topic, hint));
        }
      }
    }
  }

  void check_use(const VariableUse& use, const TopicInfo& info) {
    if (use.name.rfind("System.", 0) == 0) {
      if (std::find(kSystemVariables.begin(), kSystemVariables.end(), use.name) ==
          kSystemVariables.end()) {
        std::string all;
        for (const auto& v : kSystemVariables) {
          all += all.empty() ? "" : ", ";
          all += v;
        }
        error(use.loc,
              fmt::format("unknown system variable '{}' (expected one of: {})", use.name, all));
      }
      return;
    }
    if (globals_.count(use.name) != 0 || info.sets.count(use.name) != 0) {
      return;
    }
    std::vector<std::string_view> known(info.sets.begin(), info.sets.end());
    for (const auto& v : bot_.variables) {
      known.push_back(v.name);
    }
    error(use.loc, fmt::format("variable '{}' is used but never set{}", use.name,
                               did_you_mean(use.name, known)));
  }

  void check_variables() {
    for (const auto& info : parsed_.topic_info) {
      std::vector<std::string> reported;
      for (const auto& use : info.uses) {
        if (std::find(reported.begin(), reported.end(), use.name) != reported.end()) {
          continue;
        }
        const std::size_t before = diagnostics_.size();
        check_use(use, info);
        if (diagnostics_.size() != before) {
          reported.push_back(use.name);
        }
      }
    }
  }

  // Whether running `nodes` always ends the conversation (memoised per topic; a redirect cycle
  // counts as not ending).
  bool list_ends_conversation(const NodeList& nodes) {
    for (const auto& node : nodes) {
      if (std::holds_alternative<EndTopicNode>(node.kind)) {
        return false;
      }
      if (ends_conversation(node)) {
        return true;
      }
    }
    return false;
  }

  bool ends_conversation(const Node& node) {
    if (std::holds_alternative<EndConversationNode>(node.kind)) {
      return true;
    }
    if (const auto* redirect = std::get_if<RedirectNode>(&node.kind)) {
      return topic_ends_conversation(redirect->topic);
    }
    if (const auto* condition = std::get_if<ConditionNode>(&node.kind)) {
      return has_else(*condition) &&
             std::all_of(
                 condition->branches.begin(), condition->branches.end(),
                 [this](const ConditionBranch& b) { return list_ends_conversation(b.body); });
    }
    return false;
  }

  bool topic_ends_conversation(const std::string& name) {
    const Topic* topic = find_topic(name);
    if (topic == nullptr) {
      return false;
    }
    auto [it, fresh] = ends_.emplace(topic, false);
    if (!fresh) {
      return it->second;  // known, or being computed (a cycle)
    }
    const bool ends = list_ends_conversation(topic->nodes);
    ends_[topic] = ends;
    return ends;
  }

  static bool has_else(const ConditionNode& condition) {
    return !condition.branches.empty() && !condition.branches.back().when.has_value();
  }

  // Why the flow never goes past `node`, or "" when it may.
  std::string stop_reason(const Node& node) {
    if (std::holds_alternative<EndTopicNode>(node.kind)) {
      return "end_topic";
    }
    if (std::holds_alternative<EndConversationNode>(node.kind)) {
      return "end_conversation";
    }
    if (const auto* redirect = std::get_if<RedirectNode>(&node.kind)) {
      if (topic_ends_conversation(redirect->topic)) {
        return fmt::format("a redirect to '{}', which always ends the conversation",
                           redirect->topic);
      }
    }
    if (const auto* condition = std::get_if<ConditionNode>(&node.kind)) {
      bool all_stop = has_else(*condition);
      for (const auto& branch : condition->branches) {
        all_stop = !check_list(branch.body).empty() && all_stop;
      }
      if (all_stop) {
        return "a condition whose branches all stop the flow";
      }
    }
    return "";
  }

  // Warns about the first unreachable node of the list (and inside nested lists); returns why
  // the list always stops, or "".
  std::string check_list(const NodeList& nodes) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      std::string reason = stop_reason(nodes[i]);
      if (reason.empty()) {
        continue;
      }
      if (i + 1 < nodes.size()) {
        warning(nodes[i + 1].loc, fmt::format("unreachable node: it comes after {} (line {})",
                                              reason, nodes[i].loc.line));
      }
      return reason;
    }
    return "";
  }

  void check_untriggered() {
    for (std::size_t i = 0; i < bot_.topics.size(); ++i) {
      const Topic& topic = bot_.topics[i];
      if (topic.system != SystemTopic::kNone || !topic.triggers.empty() || topic.name.empty()) {
        continue;
      }
      if (referenced_.count(fold_case(topic.name)) != 0) {
        continue;
      }
      warning(
          parsed_.topic_info[i].name_loc,
          fmt::format("topic '{}' has no trigger phrases and nothing redirects to it", topic.name));
    }
  }

  const Bot& bot_;
  ParsedBot& parsed_;
  Diagnostics& diagnostics_;
  const Topic* find_topic(std::string_view name) const {
    auto it = topics_.find(fold_case(name));
    return it == topics_.end() ? nullptr : it->second;
  }

  std::map<std::string, const Topic*> topics_;  // by folded name; the first of duplicates
  std::set<std::string> globals_;
  std::set<std::string> referenced_;  // folded names of topics something points at
  std::map<const Topic*, bool> ends_;
};

}  // namespace

void validate(ParsedBot& parsed, Diagnostics& diagnostics) { Validator(parsed, diagnostics).run(); }

}  // namespace baton::bot::detail
