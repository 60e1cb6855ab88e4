// TEMPORARY: minimal stand-ins for src/bot functions so that dialog links while that module is
// written in another worktree. Deleted once it lands on main.
#include <algorithm>
#include <cctype>

#include "bot/expr.hpp"
#include "bot/model.hpp"

namespace baton::bot {

struct ExprNode {
  enum class Op { kLiteral, kVariable, kEq, kNe };
  Op op = Op::kLiteral;
  boost::json::value literal;
  std::string name;
  std::shared_ptr<const ExprNode> lhs, rhs;
};

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::shared_ptr<const ExprNode> parse_primary(const std::string& s) {
  auto node = std::make_shared<ExprNode>();
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'')) {
    node->literal = boost::json::string(s.substr(1, s.size() - 2));
  } else if (s == "true" || s == "false") {
    node->literal = (s == "true");
  } else if (s == "null" || s.empty()) {
    node->literal = nullptr;
  } else if (std::isdigit(static_cast<unsigned char>(s[0])) != 0) {
    node->literal = std::stoll(s);
  } else {
    node->op = ExprNode::Op::kVariable;
    node->name = s;
  }
  return node;
}

bool loose_equal(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_string() && b.is_string()) {
    std::string x(a.get_string()), y(b.get_string());
    std::transform(x.begin(), x.end(), x.begin(), [](unsigned char c) { return std::tolower(c); });
    std::transform(y.begin(), y.end(), y.begin(), [](unsigned char c) { return std::tolower(c); });
    return x == y;
  }
  return a == b;
}

boost::json::value eval(const ExprNode* node, const VariableLookup& lookup) {
  if (node == nullptr) {
    return nullptr;
  }
  switch (node->op) {
    case ExprNode::Op::kLiteral:
      return node->literal;
    case ExprNode::Op::kVariable: {
      const auto* v = lookup(node->name);
      return v != nullptr ? *v : boost::json::value(nullptr);
    }
    case ExprNode::Op::kEq:
      return loose_equal(eval(node->lhs.get(), lookup), eval(node->rhs.get(), lookup));
    case ExprNode::Op::kNe:
      return !loose_equal(eval(node->lhs.get(), lookup), eval(node->rhs.get(), lookup));
  }
  return nullptr;
}

}  // namespace

Result<Expression> parse_expression(std::string_view text) {
  Expression e;
  e.source_ = std::string(text);
  for (const char* op : {"==", "!="}) {
    if (auto pos = text.find(op); pos != std::string_view::npos) {
      auto node = std::make_shared<ExprNode>();
      node->op = std::string_view(op) == "==" ? ExprNode::Op::kEq : ExprNode::Op::kNe;
      node->lhs = parse_primary(trim(text.substr(0, pos)));
      node->rhs = parse_primary(trim(text.substr(pos + 2)));
      if (node->lhs->op == ExprNode::Op::kVariable) {
        e.variables_.push_back(node->lhs->name);
      }
      e.root_ = node;
      return e;
    }
  }
  e.root_ = parse_primary(trim(text));
  if (e.root_->op == ExprNode::Op::kVariable) {
    e.variables_.push_back(e.root_->name);
  }
  return e;
}

boost::json::value Expression::evaluate(const VariableLookup& lookup) const {
  return eval(root_.get(), lookup);
}

bool Expression::evaluate_bool(const VariableLookup& lookup) const {
  return is_truthy(evaluate(lookup));
}

Expression Expression::literal(boost::json::value value) {
  auto node = std::make_shared<ExprNode>();
  node->literal = std::move(value);
  Expression e;
  e.source_ = boost::json::serialize(node->literal);
  e.root_ = node;
  return e;
}

bool is_truthy(const boost::json::value& v) {
  if (v.is_null()) {
    return false;
  }
  if (v.is_bool()) {
    return v.get_bool();
  }
  if (v.is_string()) {
    return !v.get_string().empty();
  }
  if (v.is_array()) {
    return !v.get_array().empty();
  }
  if (v.is_int64()) {
    return v.get_int64() != 0;
  }
  if (v.is_double()) {
    return v.get_double() != 0.0;
  }
  return true;
}

std::string to_display_string(const boost::json::value& v) {
  if (v.is_null()) {
    return "";
  }
  if (v.is_string()) {
    return std::string(v.get_string());
  }
  if (v.is_bool()) {
    return v.get_bool() ? "true" : "false";
  }
  return boost::json::serialize(v);
}

Result<Template> parse_template(std::string_view text) {
  Template t;
  t.source = std::string(text);
  std::string lit;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      lit += '{';
      ++i;
    } else if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      lit += '}';
      ++i;
    } else if (text[i] == '{') {
      auto end = text.find('}', i);
      if (end == std::string_view::npos) {
        return make_error(ErrorCode::kParse, "column 1: unclosed {");
      }
      if (!lit.empty()) {
        t.parts.push_back({false, lit});
        lit.clear();
      }
      t.parts.push_back({true, std::string(text.substr(i + 1, end - i - 1))});
      i = end;
    } else {
      lit += text[i];
    }
  }
  if (!lit.empty()) {
    t.parts.push_back({false, lit});
  }
  return t;
}

std::string render(const Template& tmpl, const VariableLookup& lookup) {
  std::string out;
  for (const auto& part : tmpl.parts) {
    if (!part.is_variable) {
      out += part.text;
    } else if (const auto* v = lookup(part.text); v != nullptr) {
      out += to_display_string(*v);
    }
  }
  return out;
}

const Topic* Bot::find_topic(std::string_view wanted) const {
  for (const auto& t : topics) {
    if (t.name == wanted) {
      return &t;
    }
  }
  return nullptr;
}

const Topic* Bot::system_topic(SystemTopic which) const {
  for (const auto& t : topics) {
    if (t.system == which) {
      return &t;
    }
  }
  return nullptr;
}

const Variable* Bot::find_variable(std::string_view wanted) const {
  for (const auto& v : variables) {
    if (v.name == wanted) {
      return &v;
    }
  }
  return nullptr;
}

}  // namespace baton::bot
