#pragma once
// The expression language of conditions and set-variable nodes.
//
//   literals     "text" 'text'  42  3.5  true  false  null  ["a", "b", 1]
//   variables    StoreLocation   System.HandoffOutcome   (letters, digits, _ and dots)
//   operators    == != < <= > >=   and or not   in   contains   is empty   is not empty   ( )
//   precedence   or < and < not < comparison/in/contains/is < primary
//
// Semantics (never fail at run time): an unset variable is null; `==`/`!=` compare by value
// (numbers numerically, strings case-insensitively); ordering works on two numbers or two strings
// and is false otherwise; `x in list` / `list contains x` test membership, `s contains t` tests
// substring (case-insensitive); `is empty` is true for null, "" and []. Truthiness: false, null, 0,
// "", [] are false; `and`/`or`/`not` and comparisons yield booleans. Parse errors are reported at
// load time with the 1-based column (in code points) inside the expression; comparisons do not
// chain; input over 4096 bytes or nested deeper than 64 is refused. A parsed Expression is
// immutable and cheap to copy (shared AST); safe to evaluate concurrently.

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace baton::bot {

struct ExprNode;  // defined in expr.cpp

// Looks a variable up by name; returns nullptr when it has no value.
using VariableLookup = std::function<const boost::json::value*(std::string_view name)>;

class Expression {
 public:
  Expression() = default;  // the empty expression evaluates to null

  const std::string& source() const { return source_; }
  bool empty() const { return root_ == nullptr; }

  // Every variable name the expression reads, in order of first appearance.
  const std::vector<std::string>& variables() const { return variables_; }

  boost::json::value evaluate(const VariableLookup& lookup) const;
  bool evaluate_bool(const VariableLookup& lookup) const;

  // A literal expression holding `value` (used for YAML `value:` in set-variable nodes).
  static Expression literal(boost::json::value value);

  friend Result<Expression> parse_expression(std::string_view text);

 private:
  std::string source_;
  std::shared_ptr<const ExprNode> root_;
  std::vector<std::string> variables_;
};

// Error: kParse, message "column N: ..." (1-based column within `text`).
Result<Expression> parse_expression(std::string_view text);

// The truthiness rule above.
bool is_truthy(const boost::json::value& value);

// How a value reads inside a message: strings as-is, integers without ".0", booleans as
// "true"/"false", lists joined with ", ", objects as compact JSON, null as "".
std::string to_display_string(const boost::json::value& value);

}  // namespace baton::bot
