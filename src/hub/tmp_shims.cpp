// TEMPORARY: a tiny stand-in for src/bot's expression language and diagnostics so the hub links
// and its tests run before the bot module lands on main. Deleted once main has src/bot/expr.cpp.
// Supports: identifiers, "strings", 'strings', integers, true/false/null, ==, !=, contains, in,
// and, or, not, parentheses.

#include <cctype>

#include "bot/expr.hpp"
#include "bot/source.hpp"

namespace baton::bot {

struct ExprNode {
  std::string op;  // "lit", "var", "==", "!=", "contains", "in", "and", "or", "not"
  boost::json::value value;
  std::string name;
  std::shared_ptr<const ExprNode> a, b;
};

namespace {

struct Parser {
  std::string_view s;
  std::size_t i = 0;
  std::vector<std::string>* vars;
  bool bad = false;

  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    }
  }
  bool word(std::string_view w) {
    ws();
    if (s.substr(i).starts_with(w) &&
        (i + w.size() == s.size() || !std::isalnum(static_cast<unsigned char>(s[i + w.size()])))) {
      i += w.size();
      return true;
    }
    return false;
  }
  bool sym(std::string_view w) {
    ws();
    if (s.substr(i).starts_with(w)) {
      i += w.size();
      return true;
    }
    return false;
  }
  using P = std::shared_ptr<const ExprNode>;
  P node(std::string op, P a, P b) {
    auto n = std::make_shared<ExprNode>();
    n->op = std::move(op);
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
  }
  P parse_or() {
    P l = parse_and();
    while (word("or")) {
      l = node("or", l, parse_and());
    }
    return l;
  }
  P parse_and() {
    P l = parse_not();
    while (word("and")) {
      l = node("and", l, parse_not());
    }
    return l;
  }
  P parse_not() {
    if (word("not")) {
      return node("not", parse_not(), nullptr);
    }
    P l = primary();
    for (const char* op : {"==", "!="}) {
      if (sym(op)) {
        return node(op, l, primary());
      }
    }
    for (const char* op : {"contains", "in"}) {
      if (word(op)) {
        return node(op, l, primary());
      }
    }
    return l;
  }
  P primary() {
    ws();
    auto n = std::make_shared<ExprNode>();
    n->op = "lit";
    if (sym("(")) {
      P inner = parse_or();
      if (!sym(")")) {
        bad = true;
      }
      return inner;
    }
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      char q = s[i++];
      std::size_t end = s.find(q, i);
      if (end == std::string_view::npos) {
        bad = true;
        return n;
      }
      n->value = boost::json::string(s.substr(i, end - i));
      i = end + 1;
      return n;
    }
    std::size_t start = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                            s[i] == '.' || s[i] == '-')) {
      ++i;
    }
    std::string tok(s.substr(start, i - start));
    if (tok.empty()) {
      bad = true;
    } else if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
      n->value = std::stoll(tok);
    } else if (tok == "true" || tok == "false") {
      n->value = tok == "true";
    } else if (tok != "null") {
      n->op = "var";
      n->name = tok;
      vars->push_back(tok);
    }
    return n;
  }
};

std::string lower(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool equal(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_string() && b.is_string()) {
    return lower(a.as_string()) == lower(b.as_string());
  }
  return a == b;
}

boost::json::value eval(const ExprNode* n, const VariableLookup& lookup) {
  if (n->op == "lit") {
    return n->value;
  }
  if (n->op == "var") {
    const auto* v = lookup(n->name);
    return v ? *v : boost::json::value();
  }
  if (n->op == "not") {
    return !is_truthy(eval(n->a.get(), lookup));
  }
  auto a = eval(n->a.get(), lookup);
  if (n->op == "and") {
    return is_truthy(a) && is_truthy(eval(n->b.get(), lookup));
  }
  if (n->op == "or") {
    return is_truthy(a) || is_truthy(eval(n->b.get(), lookup));
  }
  auto b = eval(n->b.get(), lookup);
  if (n->op == "in") {
    std::swap(a, b);
  }
  if (n->op == "contains" || n->op == "in") {
    if (a.is_array()) {
      for (const auto& x : a.as_array()) {
        if (equal(x, b)) {
          return true;
        }
      }
      return false;
    }
    return a.is_string() && b.is_string() &&
           lower(a.as_string()).find(lower(b.as_string())) != std::string::npos;
  }
  bool eq = equal(a, b);
  return n->op == "==" ? eq : !eq;
}

}  // namespace

boost::json::value Expression::evaluate(const VariableLookup& lookup) const {
  return root_ ? eval(root_.get(), lookup) : boost::json::value();
}

bool Expression::evaluate_bool(const VariableLookup& lookup) const {
  return is_truthy(evaluate(lookup));
}

Result<Expression> parse_expression(std::string_view text) {
  Expression e;
  Parser p{text, 0, &e.variables_};
  e.root_ = p.parse_or();
  p.ws();
  if (p.bad || p.i != text.size()) {
    return make_error(ErrorCode::kParse, "column " + std::to_string(p.i + 1) + ": bad syntax");
  }
  e.source_ = std::string(text);
  return e;
}

bool is_truthy(const boost::json::value& v) {
  if (v.is_null()) {
    return false;
  }
  if (v.is_bool()) {
    return v.as_bool();
  }
  if (v.is_int64()) {
    return v.as_int64() != 0;
  }
  if (v.is_string()) {
    return !v.as_string().empty();
  }
  if (v.is_array()) {
    return !v.as_array().empty();
  }
  return true;
}

std::string Diagnostic::format() const {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " +
         (severity == Severity::kError ? "error: " : "warning: ") + message;
}

bool has_errors(const Diagnostics& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::kError) {
      return true;
    }
  }
  return false;
}

}  // namespace baton::bot
