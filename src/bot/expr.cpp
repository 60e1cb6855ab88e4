// Evaluation of parsed expressions (semantics in expr.hpp). Evaluation never fails: every
// operator has a defined result for every pair of operand types.
#include "bot/expr.hpp"

#include <fmt/format.h>
#include <utf8proc.h>

#include <cmath>
#include <cstdlib>

#include "bot/expr_internal.hpp"
#include "core/utf8.hpp"

namespace baton::bot {
namespace bj = boost::json;

std::string fold_case(std::string_view text) {
  bool ascii = true;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii && utf8::is_valid(text)) {
    utf8proc_uint8_t* out = nullptr;
    const auto len = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
        static_cast<utf8proc_ssize_t>(text.size()), &out,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    if (len >= 0 && out != nullptr) {
      std::string folded(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
      std::free(out);
      return folded;
    }
    std::free(out);
  }
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return lowered;
}

namespace {

bool is_number(const bj::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double as_double(const bj::value& v) {
  if (v.is_int64()) {
    return static_cast<double>(v.get_int64());
  }
  if (v.is_uint64()) {
    return static_cast<double>(v.get_uint64());
  }
  return v.get_double();
}

// -1, 0, 1 for two numbers; exact for two integers.
int compare_numbers(const bj::value& a, const bj::value& b) {
  if (a.is_int64() && b.is_int64()) {
    return a.get_int64() < b.get_int64() ? -1 : (a.get_int64() > b.get_int64() ? 1 : 0);
  }
  const double x = as_double(a);
  const double y = as_double(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool values_equal(const bj::value& a, const bj::value& b);

bool arrays_equal(const bj::array& a, const bj::array& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!values_equal(a[i], b[i])) {
      return false;
    }
  }
  return true;
}

bool values_equal(const bj::value& a, const bj::value& b) {
  if (is_number(a) && is_number(b)) {
    return compare_numbers(a, b) == 0;
  }
  if (a.is_string() && b.is_string()) {
    return fold_case(a.get_string()) == fold_case(b.get_string());
  }
  if (a.is_array() && b.is_array()) {
    return arrays_equal(a.get_array(), b.get_array());
  }
  return a == b;  // null, bool, object; different kinds are never equal
}

// Ordering: only two numbers or two strings are ordered; anything else makes `<` etc. false.
std::optional<int> order(const bj::value& a, const bj::value& b) {
  if (is_number(a) && is_number(b)) {
    return compare_numbers(a, b);
  }
  if (a.is_string() && b.is_string()) {
    const int c = fold_case(a.get_string()).compare(fold_case(b.get_string()));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

// `haystack contains needle`: membership for lists, case-insensitive substring for strings.
bool contains(const bj::value& haystack, const bj::value& needle) {
  if (haystack.is_array()) {
    for (const auto& item : haystack.get_array()) {
      if (values_equal(item, needle)) {
        return true;
      }
    }
    return false;
  }
  if (haystack.is_string() && needle.is_string()) {
    return fold_case(haystack.get_string()).find(fold_case(needle.get_string())) !=
           std::string::npos;
  }
  return false;
}

bool is_empty_value(const bj::value& v) {
  return v.is_null() || (v.is_string() && v.get_string().empty()) ||
         (v.is_array() && v.get_array().empty());
}

bj::value eval(const ExprNode* node, const VariableLookup& lookup);

bool eval_bool(const ExprNode* node, const VariableLookup& lookup) {
  return is_truthy(eval(node, lookup));
}

bool eval_compare(const ExprNode* node, const VariableLookup& lookup) {
  const bj::value a = eval(node->children[0].get(), lookup);
  const bj::value b = eval(node->children[1].get(), lookup);
  using Op = ExprNode::Op;
  switch (node->op) {
    case Op::kEq:
      return values_equal(a, b);
    case Op::kNe:
      return !values_equal(a, b);
    case Op::kIn:
      return contains(b, a);
    case Op::kContains:
      return contains(a, b);
    default:
      break;
  }
  const auto o = order(a, b);
  if (!o) {
    return false;
  }
  switch (node->op) {
    case Op::kLt:
      return *o < 0;
    case Op::kLe:
      return *o <= 0;
    case Op::kGt:
      return *o > 0;
    default:
      return *o >= 0;
  }
}

bj::value eval(const ExprNode* node, const VariableLookup& lookup) {
  using Op = ExprNode::Op;
  switch (node->op) {
    case Op::kLiteral:
      return node->literal;
    case Op::kVariable: {
      const bj::value* v = lookup ? lookup(node->name) : nullptr;
      return v != nullptr ? *v : bj::value(nullptr);
    }
    case Op::kList: {
      bj::array list;
      for (const auto& child : node->children) {
        list.push_back(eval(child.get(), lookup));
      }
      return list;
    }
    case Op::kNot:
      return !eval_bool(node->children[0].get(), lookup);
    case Op::kAnd:
      for (const auto& child : node->children) {
        if (!eval_bool(child.get(), lookup)) {
          return false;
        }
      }
      return true;
    case Op::kOr:
      for (const auto& child : node->children) {
        if (eval_bool(child.get(), lookup)) {
          return true;
        }
      }
      return false;
    case Op::kIsEmpty:
      return is_empty_value(eval(node->children[0].get(), lookup));
    case Op::kIsNotEmpty:
      return !is_empty_value(eval(node->children[0].get(), lookup));
    default:
      return eval_compare(node, lookup);
  }
}

}  // namespace

bj::value Expression::evaluate(const VariableLookup& lookup) const {
  if (!root_) {
    return nullptr;
  }
  return eval(root_.get(), lookup);
}

bool Expression::evaluate_bool(const VariableLookup& lookup) const {
  return is_truthy(evaluate(lookup));
}

Expression Expression::literal(bj::value value) {
  auto node = std::make_shared<ExprNode>();
  node->op = ExprNode::Op::kLiteral;
  node->literal = std::move(value);
  Expression expr;
  expr.source_ = serialize(node->literal);
  expr.root_ = std::move(node);
  return expr;
}

bool is_truthy(const bj::value& value) {
  switch (value.kind()) {
    case bj::kind::null:
      return false;
    case bj::kind::bool_:
      return value.get_bool();
    case bj::kind::int64:
      return value.get_int64() != 0;
    case bj::kind::uint64:
      return value.get_uint64() != 0;
    case bj::kind::double_:
      return value.get_double() != 0.0;
    case bj::kind::string:
      return !value.get_string().empty();
    case bj::kind::array:
      return !value.get_array().empty();
    case bj::kind::object:
      return true;
  }
  return false;
}

std::string to_display_string(const bj::value& value) {
  switch (value.kind()) {
    case bj::kind::null:
      return "";
    case bj::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case bj::kind::int64:
      return std::to_string(value.get_int64());
    case bj::kind::uint64:
      return std::to_string(value.get_uint64());
    case bj::kind::double_: {
      const double d = value.get_double();
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15) {
        return std::to_string(static_cast<long long>(d));
      }
      return fmt::format("{}", d);
    }
    case bj::kind::string:
      return std::string(value.get_string());
    case bj::kind::array: {
      std::string out;
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) {
          out += ", ";
        }
        first = false;
        out += to_display_string(item);
      }
      return out;
    }
    case bj::kind::object:
      return serialize(value);
  }
  return "";
}

}  // namespace baton::bot
