// Node lists and the simple node kinds. See node_parser.hpp.
#include "bot/node_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace baton::bot::detail {

namespace {

std::string node_type_list() {
  std::string out;
  for (const auto& t : kNodeTypes) {
    out += out.empty() ? "" : ", ";
    out += t;
  }
  return out;
}

std::string unknown_node_type(std::string_view name) {
  std::string hint = did_you_mean(name, kNodeTypes);
  if (hint.empty()) {
    hint = fmt::format(" (expected one of: {})", node_type_list());
  }
  return fmt::format("unknown node type '{}'{}", name, hint);
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

// Byte offset of `name` as a whole word in an expression's source.
std::size_t find_word(std::string_view text, std::string_view name) {
  for (std::size_t at = text.find(name); at != std::string_view::npos;
       at = text.find(name, at + 1)) {
    const bool left = at == 0 || !is_ident_char(text[at - 1]);
    const bool right = at + name.size() >= text.size() || !is_ident_char(text[at + name.size()]);
    if (left && right) {
      return at;
    }
  }
  return 0;
}

bool is_node_id(std::string_view id) {
  return !id.empty() &&
         std::all_of(id.begin(), id.end(), [](char c) { return is_ident_char(c) || c == '-'; });
}

}  // namespace

NodeList NodeParser::parse_list(const Field& f, int depth) {
  NodeList out;
  if (f.value.IsNull()) {
    return out;
  }
  if (!f.value.IsSequence()) {
    ctx_.error(ctx_.loc(f.value, f.key),
               fmt::format("'{}' must be a list of nodes, got {}", f.name, describe_node(f.value)));
    return out;
  }
  if (depth > kMaxNesting) {
    ctx_.error(ctx_.loc(f.value),
               fmt::format("conditions are nested too deeply (limit {})", kMaxNesting));
    return out;
  }
  for (const auto& item : f.value) {
    if (!ctx_.visit(item)) {
      break;
    }
    if (auto node = parse_node(item, depth)) {
      out.push_back(std::move(*node));
    }
  }
  return out;
}

std::optional<Node> NodeParser::parse_node(const YAML::Node& item, int depth) {
  Node node;
  node.loc = ctx_.loc(item);
  if (item.IsScalar()) {
    const std::string& name = item.Scalar();
    if (name == "end_topic" || name == "end_conversation" || name == "transfer" ||
        name == "handover") {
      // The scalar forms: the node with no settings.
      return parse_kind(Field{name, item, YAML::Node(YAML::NodeType::Null)}, std::move(node),
                        depth);
    }
    if (std::find(kNodeTypes.begin(), kNodeTypes.end(), name) != kNodeTypes.end()) {
      ctx_.error(node.loc, fmt::format("'{}' needs a value (write '{}: ...')", name, name));
    } else {
      ctx_.error(node.loc, unknown_node_type(name));
    }
    return std::nullopt;
  }
  if (!item.IsMap()) {
    ctx_.error(ctx_.loc(item), fmt::format("expected a node such as 'message: Hello', got {}",
                                           describe_node(item)));
    return std::nullopt;
  }
  std::optional<Field> type;
  if (!read_node_keys(item, node, type)) {
    return std::nullopt;
  }
  if (!type) {
    ctx_.error(node.loc, fmt::format("node has no type (expected one of: {})", node_type_list()));
    return std::nullopt;
  }
  return parse_kind(*type, std::move(node), depth);
}

// Splits a node map into its optional id and its one type key.
bool NodeParser::read_node_keys(const YAML::Node& item, Node& node, std::optional<Field>& type) {
  bool ok = true;
  bool has_id = false;
  for (const auto& kv : item) {
    if (!ctx_.visit(kv.first)) {
      return false;
    }
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    Field f{name, kv.first, kv.second};
    if (name == "id") {
      if (has_id) {
        ctx_.error(ctx_.loc(kv.first), "duplicate key 'id' in node");
      }
      has_id = true;
      ok = read_id(f, node) && ok;
    } else if (std::find(kNodeTypes.begin(), kNodeTypes.end(), name) == kNodeTypes.end()) {
      ctx_.error(ctx_.loc(kv.first), unknown_node_type(name));
      ok = false;
    } else if (type) {
      ctx_.error(ctx_.loc(kv.first),
                 fmt::format("a node has one type, but this one has '{}' and '{}'; put each in "
                             "its own list item",
                             type->name, name));
      ok = false;
    } else {
      type = f;
    }
  }
  return ok;
}

bool NodeParser::read_id(const Field& f, Node& node) {
  auto id = read_nonempty_string(ctx_, f);
  if (!id) {
    return false;
  }
  if (!is_node_id(*id)) {
    ctx_.error(ctx_.loc(f.value), fmt::format("invalid node id '{}': use letters, digits, '_', "
                                              "'.' and '-'",
                                              *id));
    return false;
  }
  ids_.push_back(NodeId{*id, ctx_.loc(f.value)});
  node.id = *id;
  return true;
}

std::optional<Node> NodeParser::parse_kind(const Field& f, Node node, int depth) {
  bool ok = false;
  if (f.name == "message") {
    ok = parse_message(f, node);
  } else if (f.name == "question") {
    ok = parse_question(f, node);
  } else if (f.name == "condition") {
    ok = parse_condition(f, node, depth);
  } else if (f.name == "set_variable") {
    ok = parse_set_variable(f, node);
  } else if (f.name == "redirect") {
    ok = parse_redirect(f, node);
  } else if (f.name == "end_topic") {
    ok = expect_no_value(f);
    node.kind = EndTopicNode{};
  } else if (f.name == "end_conversation") {
    ok = parse_end_conversation(f, node);
  } else {
    const auto kind =
        f.name == "transfer" ? HandoffNode::Kind::kTransfer : HandoffNode::Kind::kHandover;
    ok = parse_handoff(f, node, kind);
  }
  if (!ok) {
    return std::nullopt;
  }
  return node;
}

bool NodeParser::expect_no_value(const Field& f) {
  if (!f.value.IsNull()) {
    ctx_.error(ctx_.loc(f.value), fmt::format("'{}' takes no value", f.name));
    return false;
  }
  return true;
}

std::optional<Template> NodeParser::templ(const Field& f) {
  return read_template(ctx_, f.value, f.key, &info_);
}

// Reads an optional template field into `out`; false on error.
bool NodeParser::optional_template(const MapReader& map, std::string_view key, Template& out) {
  const Field* f = map.get(key);
  if (f == nullptr) {
    return true;
  }
  auto t = templ(*f);
  if (t) {
    out = std::move(*t);
  }
  return t.has_value();
}

bool NodeParser::optional_templates(const MapReader& map, std::string_view key,
                                    std::vector<Template>& out) {
  const Field* f = map.get(key);
  if (f == nullptr) {
    return true;
  }
  auto list = read_template_list(ctx_, *f, &info_);
  if (list) {
    out = std::move(*list);
  }
  return list.has_value();
}

bool NodeParser::parse_message(const Field& f, Node& node) {
  MessageNode message;
  if (f.value.IsScalar()) {
    auto t = templ(f);
    if (!t) {
      return false;
    }
    message.text = std::move(*t);
  } else if (f.value.IsMap()) {
    MapReader map(ctx_, f.value, "message", {"text", "quick_replies"}, ctx_.loc(f.key));
    const Field* text = map.require("text");
    bool ok = text != nullptr && optional_template(map, "text", message.text);
    ok = optional_templates(map, "quick_replies", message.quick_replies) && ok;
    if (!ok) {
      return false;
    }
  } else {
    ctx_.error(ctx_.loc(f.value, f.key),
               fmt::format("'message' must be text or a map with 'text' and 'quick_replies', "
                           "got {}",
                           describe_node(f.value)));
    return false;
  }
  node.kind = std::move(message);
  return true;
}

std::optional<Expression> NodeParser::expression(const Field& f) {
  if (!f.value.IsScalar()) {
    ctx_.error(ctx_.loc(f.value, f.key),
               fmt::format("'{}' must be an expression, got {}", f.name, describe_node(f.value)));
    return std::nullopt;
  }
  auto parsed = parse_expression(f.value.Scalar());
  if (!parsed.ok()) {
    const std::string& message = parsed.error().message;
    const auto colon = message.find(": ");
    int column = 0;
    if (message.rfind("column ", 0) == 0 && colon != std::string::npos) {
      column = std::atoi(message.c_str() + 7);
    }
    if (auto at = ctx_.loc_in_scalar(f.value, column); at && colon != std::string::npos) {
      ctx_.error(*at, "invalid expression: " + message.substr(colon + 2));
    } else {
      ctx_.error(ctx_.loc(f.value), "invalid expression: " + message);
    }
    return std::nullopt;
  }
  for (const auto& name : parsed->variables()) {
    info_.uses.push_back(
        VariableUse{name, ctx_.loc_at_offset(f.value, find_word(f.value.Scalar(), name))});
  }
  return std::move(parsed.value());
}

bool NodeParser::parse_set_variable(const Field& f, Node& node) {
  if (!f.value.IsMap()) {
    ctx_.error(ctx_.loc(f.value, f.key),
               fmt::format("'set_variable' must be a map with 'variable' and 'value' or "
                           "'expression', got {}",
                           describe_node(f.value)));
    return false;
  }
  MapReader map(ctx_, f.value, "set_variable", {"variable", "value", "expression"},
                ctx_.loc(f.key));
  SetVariableNode set;
  const Field* variable = map.require("variable");
  std::optional<std::string> name;
  if (variable != nullptr) {
    name = read_variable_name(ctx_, *variable);
  }
  const Field* value = map.get("value");
  const Field* expr = map.get("expression");
  bool ok = name.has_value();
  if ((value != nullptr) == (expr != nullptr)) {
    ctx_.error(map.loc(), value != nullptr ? "set_variable takes 'value' or 'expression', not both"
                                           : "set_variable needs 'value' or 'expression'");
    ok = false;
  } else if (value != nullptr) {
    auto json = read_json(ctx_, value->value, value->key);
    ok = json.has_value() && ok;
    if (json) {
      set.value = Expression::literal(std::move(*json));
    }
  } else {
    auto parsed = expression(*expr);
    ok = parsed.has_value() && ok;
    if (parsed) {
      set.value = std::move(*parsed);
    }
  }
  if (!ok) {
    return false;
  }
  set.variable = *name;
  info_.sets.insert(*name);
  node.kind = std::move(set);
  return true;
}

bool NodeParser::parse_redirect(const Field& f, Node& node) {
  auto topic = read_nonempty_string(ctx_, f);
  if (!topic) {
    return false;
  }
  info_.refs.push_back(TopicRef{*topic, ctx_.loc(f.value), "redirect"});
  node.kind = RedirectNode{*topic};
  return true;
}

NodeList parse_node_list(ParseContext& ctx, const Field& f, TopicInfo& info,
                         std::vector<NodeId>& ids, int depth) {
  return NodeParser(ctx, info, ids).parse_list(f, depth);
}

}  // namespace baton::bot::detail
