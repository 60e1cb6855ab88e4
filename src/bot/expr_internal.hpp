#pragma once
// Internals of the expression language shared by expr_parse.cpp and expr.cpp: the AST and the
// case-insensitive text helpers. Not part of the bot module's public interface.

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baton::bot {

// One AST node. `and`/`or` are n-ary (flat) so long chains never make the tree deep; the parser
// bounds the nesting of parentheses, `not` and lists, so recursion over the tree is bounded too.
struct ExprNode {
  enum class Op {
    kLiteral,
    kVariable,
    kList,
    kNot,
    kAnd,
    kOr,
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kIn,
    kContains,
    kIsEmpty,
    kIsNotEmpty,
  };
  Op op = Op::kLiteral;
  boost::json::value literal;  // kLiteral
  std::string name;            // kVariable
  std::vector<std::unique_ptr<ExprNode>> children;
};

// Deepest nesting of parentheses, lists and `not` the parser accepts.
inline constexpr int kMaxExprDepth = 64;
// Longest expression source the parser accepts, in bytes.
inline constexpr std::size_t kMaxExprBytes = 4096;

// Unicode case folding (NFC + casefold); plain ASCII lower-casing when the text is ASCII, and a
// byte-wise ASCII lower-casing when the text is not valid UTF-8.
std::string fold_case(std::string_view text);

}  // namespace baton::bot
