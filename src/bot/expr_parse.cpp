// Lexer and recursive-descent parser of the expression language (grammar in expr.hpp).
//
//   expr       := and_expr ('or' and_expr)*
//   and_expr   := not_expr ('and' not_expr)*
//   not_expr   := 'not' not_expr | comparison
//   comparison := primary [ (== != < <= > >= in contains) primary | 'is' ['not'] 'empty' ]
//   primary    := literal | variable | '(' expr ')' | '[' [expr (',' expr)*] ']'
//
// Columns in error messages are 1-based and count code points, so they match what an editor
// shows; the loader adds them to the scalar's own column to point inside the YAML file.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "bot/expr.hpp"
#include "bot/expr_internal.hpp"

namespace baton::bot {
namespace {

enum class Tok {
  kEnd,
  kString,
  kNumber,
  kIdent,
  kAnd,
  kOr,
  kNot,
  kIn,
  kContains,
  kIs,
  kTrue,
  kFalse,
  kNull,
  kCompare,  // == != < <= > >=
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
};

struct Token {
  Tok kind = Tok::kEnd;
  int column = 1;
  std::string text;  // source spelling; for strings the unescaped value
  boost::json::value number;
};

struct ParseError {
  int column;
  std::string message;
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // All tokens, ending with kEnd; or the first lexical error.
  std::variant<std::vector<Token>, ParseError> run() {
    std::vector<Token> out;
    while (true) {
      skip_space();
      Token t;
      t.column = column_of(pos_);
      if (pos_ >= text_.size()) {
        out.push_back(t);
        return out;
      }
      if (auto err = next(t)) {
        return *err;
      }
      out.push_back(std::move(t));
    }
  }

 private:
  // Column (1-based, in code points) of byte offset `pos`.
  int column_of(std::size_t pos) const {
    int col = 1;
    for (std::size_t i = 0; i < pos && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        ++col;
      }
    }
    return col;
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  ParseError error_at(std::size_t pos, std::string message) const {
    return ParseError{column_of(pos), std::move(message)};
  }

  std::optional<ParseError> next(Token& t) {
    const char c = text_[pos_];
    if (c == '"' || c == '\'') {
      return lex_string(t);
    }
    if (is_digit(c) || (c == '-' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
      return lex_number(t);
    }
    if (is_ident_start(c)) {
      return lex_word(t);
    }
    return lex_symbol(t);
  }

  std::optional<ParseError> lex_string(Token& t) {
    const std::size_t start = pos_;
    const char quote = text_[pos_++];
    t.kind = Tok::kString;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_];
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) {
          break;
        }
        const char e = text_[pos_ + 1];
        switch (e) {
          case '\\':
          case '"':
          case '\'':
            c = e;
            break;
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          default:
            return error_at(pos_, fmt::format("unknown escape '\\{}' in string", e));
        }
        ++pos_;
      }
      t.text.push_back(c);
      ++pos_;
    }
    if (pos_ >= text_.size()) {
      return error_at(start, "unterminated string");
    }
    ++pos_;  // closing quote
    return std::nullopt;
  }

  std::optional<ParseError> lex_number(Token& t) {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') {
      ++pos_;
    }
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      ++pos_;
    }
    bool fraction = false;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && is_digit(text_[pos_ + 1])) {
      fraction = true;
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) {
        ++pos_;
      }
    }
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) {
      ++pos_;  // swallow the rest of a malformed number for the message
    }
    t.kind = Tok::kNumber;
    t.text = std::string(text_.substr(start, pos_ - start));
    char* end = nullptr;
    errno = 0;
    if (!fraction) {
      const long long v = std::strtoll(t.text.c_str(), &end, 10);
      if (errno == 0 && end == t.text.c_str() + t.text.size()) {
        t.number = static_cast<std::int64_t>(v);
        return std::nullopt;
      }
    }
    errno = 0;
    const double d = std::strtod(t.text.c_str(), &end);
    if (end != t.text.c_str() + t.text.size() || errno != 0) {
      return error_at(start, fmt::format("invalid number '{}'", t.text));
    }
    t.number = d;
    return std::nullopt;
  }

  std::optional<ParseError> lex_word(Token& t) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) {
      ++pos_;
    }
    t.text = std::string(text_.substr(start, pos_ - start));
    static constexpr std::pair<const char*, Tok> kKeywords[] = {
        {"and", Tok::kAnd},           {"or", Tok::kOr},
        {"not", Tok::kNot},           {"in", Tok::kIn},
        {"contains", Tok::kContains}, {"is", Tok::kIs},
        {"true", Tok::kTrue},         {"false", Tok::kFalse},
        {"null", Tok::kNull},
    };
    for (const auto& [word, kind] : kKeywords) {
      if (t.text == word) {
        t.kind = kind;
        return std::nullopt;
      }
    }
    if (t.text.back() == '.' || t.text.find("..") != std::string::npos) {
      return error_at(start, fmt::format("invalid variable name '{}'", t.text));
    }
    t.kind = Tok::kIdent;
    return std::nullopt;
  }

  std::optional<ParseError> lex_symbol(Token& t) {
    const std::size_t start = pos_;
    const char c = text_[pos_];
    const char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    auto single = [&](Tok kind) {
      t.kind = kind;
      t.text = std::string(1, c);
      ++pos_;
      return std::nullopt;
    };
    auto two = [&](Tok kind, std::size_t len) {
      t.kind = kind;
      t.text = std::string(text_.substr(pos_, len));
      pos_ += len;
      return std::nullopt;
    };
    switch (c) {
      case '(':
        return single(Tok::kLParen);
      case ')':
        return single(Tok::kRParen);
      case '[':
        return single(Tok::kLBracket);
      case ']':
        return single(Tok::kRBracket);
      case ',':
        return single(Tok::kComma);
      case '=':
        if (n == '=') {
          return two(Tok::kCompare, 2);
        }
        return error_at(start, "unknown operator '=' (did you mean '=='?)");
      case '!':
        if (n == '=') {
          return two(Tok::kCompare, 2);
        }
        return error_at(start, "unknown operator '!' (did you mean 'not'?)");
      case '<':
      case '>':
        if (n == '>' && c == '<') {
          return error_at(start, "unknown operator '<>' (did you mean '!='?)");
        }
        return two(Tok::kCompare, n == '=' ? 2 : 1);
      case '&':
        return error_at(start, "unknown operator '&' (did you mean 'and'?)");
      case '|':
        return error_at(start, "unknown operator '|' (did you mean 'or'?)");
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return error_at(start,
                        fmt::format("unknown operator '{}' (expressions have no arithmetic)", c));
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) {
      return error_at(start, "unexpected character");
    }
    return error_at(start, fmt::format("unexpected character '{}'", c));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

using NodePtr = std::unique_ptr<ExprNode>;

NodePtr make_node(ExprNode::Op op) {
  auto n = std::make_unique<ExprNode>();
  n->op = op;
  return n;
}

// What a token reads as in messages: the end and strings by kind; numbers, keywords and symbols
// quoted as written.
std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "the end of the expression";
    case Tok::kString:
      return "a string";
    default:
      return fmt::format("'{}'", t.text);
  }
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::vector<std::string>& variables)
      : tokens_(std::move(tokens)), variables_(variables) {}

  NodePtr parse_all() {
    if (peek().kind == Tok::kEnd) {
      fail(peek().column, "empty expression");
    }
    NodePtr root = parse_or();
    if (!failed() && peek().kind != Tok::kEnd) {
      const Token& t = peek();
      if (t.kind == Tok::kCompare || t.kind == Tok::kIn || t.kind == Tok::kContains ||
          t.kind == Tok::kIs) {
        fail(t.column, "comparisons cannot be chained; combine them with 'and'");
      } else if (t.kind == Tok::kRParen) {
        fail(t.column, "unmatched ')'");
      } else {
        fail(t.column,
             fmt::format("unexpected {}; expected an operator such as 'and', 'or' or '=='",
                         describe(t)));
      }
    }
    return root;
  }

  bool failed() const { return error_.has_value(); }
  const ParseError& error() const { return *error_; }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  void fail(int column, std::string message) {
    if (!error_) {
      error_ = ParseError{column, std::move(message)};
    }
  }

  // Parses `sub` repeatedly separated by `sep`, collecting operands into one n-ary node.
  template <class Sub>
  NodePtr parse_chain(Tok sep, ExprNode::Op op, Sub sub) {
    NodePtr first = sub();
    if (failed() || peek().kind != sep) {
      return first;
    }
    NodePtr chain = make_node(op);
    chain->children.push_back(std::move(first));
    while (!failed() && peek().kind == sep) {
      const Token& op_token = take();
      chain->children.push_back(operand_after(op_token, sub));
    }
    return chain;
  }

  template <class Sub>
  NodePtr operand_after(const Token& op_token, Sub sub) {
    if (!starts_operand(peek())) {
      fail(peek().column, fmt::format("expected an operand after '{}'", op_token.text));
      return nullptr;
    }
    return sub();
  }

  static bool starts_operand(const Token& t) {
    switch (t.kind) {
      case Tok::kString:
      case Tok::kNumber:
      case Tok::kIdent:
      case Tok::kTrue:
      case Tok::kFalse:
      case Tok::kNull:
      case Tok::kLParen:
      case Tok::kLBracket:
      case Tok::kNot:
        return true;
      default:
        return false;
    }
  }

  NodePtr parse_or() {
    return parse_chain(Tok::kOr, ExprNode::Op::kOr, [this] { return parse_and(); });
  }
  NodePtr parse_and() {
    return parse_chain(Tok::kAnd, ExprNode::Op::kAnd, [this] { return parse_not(); });
  }

  NodePtr parse_not() {
    if (peek().kind != Tok::kNot) {
      return parse_comparison();
    }
    const Token& not_token = take();
    if (!enter(not_token.column)) {
      return nullptr;
    }
    NodePtr n = make_node(ExprNode::Op::kNot);
    n->children.push_back(operand_after(not_token, [this] { return parse_not(); }));
    --depth_;
    return n;
  }

  static std::optional<ExprNode::Op> compare_op(const Token& t) {
    if (t.kind == Tok::kIn) {
      return ExprNode::Op::kIn;
    }
    if (t.kind == Tok::kContains) {
      return ExprNode::Op::kContains;
    }
    if (t.kind != Tok::kCompare) {
      return std::nullopt;
    }
    static constexpr std::pair<const char*, ExprNode::Op> kOps[] = {
        {"==", ExprNode::Op::kEq}, {"!=", ExprNode::Op::kNe}, {"<", ExprNode::Op::kLt},
        {"<=", ExprNode::Op::kLe}, {">", ExprNode::Op::kGt},  {">=", ExprNode::Op::kGe},
    };
    for (const auto& [text, op] : kOps) {
      if (t.text == text) {
        return op;
      }
    }
    return std::nullopt;
  }

  NodePtr parse_comparison() {
    NodePtr left = parse_primary();
    if (failed()) {
      return left;
    }
    if (peek().kind == Tok::kIs) {
      return parse_is(std::move(left));
    }
    const auto op = compare_op(peek());
    if (!op) {
      return left;
    }
    const Token& op_token = take();
    NodePtr n = make_node(*op);
    n->children.push_back(std::move(left));
    n->children.push_back(operand_after(op_token, [this] { return parse_primary(); }));
    return n;
  }

  NodePtr parse_is(NodePtr left) {
    const Token& is_token = take();
    bool negated = false;
    if (peek().kind == Tok::kNot) {
      take();
      negated = true;
    }
    if (peek().kind != Tok::kIdent || peek().text != "empty") {
      fail(peek().column,
           fmt::format("expected 'empty' after '{}'", negated ? "is not" : is_token.text));
      return nullptr;
    }
    take();
    NodePtr n = make_node(negated ? ExprNode::Op::kIsNotEmpty : ExprNode::Op::kIsEmpty);
    n->children.push_back(std::move(left));
    return n;
  }

  bool enter(int column) {
    if (++depth_ > kMaxExprDepth) {
      fail(column, fmt::format("expression is nested too deeply (limit {})", kMaxExprDepth));
      return false;
    }
    return true;
  }

  NodePtr literal(boost::json::value v) {
    NodePtr n = make_node(ExprNode::Op::kLiteral);
    n->literal = std::move(v);
    return n;
  }

  NodePtr parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kString:
        return literal(boost::json::string(take().text));
      case Tok::kNumber:
        return literal(take().number);
      case Tok::kTrue:
        take();
        return literal(true);
      case Tok::kFalse:
        take();
        return literal(false);
      case Tok::kNull:
        take();
        return literal(nullptr);
      case Tok::kIdent:
        return variable(take().text);
      case Tok::kLParen:
        return parse_group();
      case Tok::kLBracket:
        return parse_list();
      default:
        fail(t.column, fmt::format("expected a value, got {}", describe(t)));
        return nullptr;
    }
  }

  NodePtr variable(const std::string& name) {
    if (std::find(variables_.begin(), variables_.end(), name) == variables_.end()) {
      variables_.push_back(name);
    }
    NodePtr n = make_node(ExprNode::Op::kVariable);
    n->name = name;
    return n;
  }

  NodePtr parse_group() {
    const Token& open = take();
    if (!enter(open.column)) {
      return nullptr;
    }
    NodePtr inner = operand_after(open, [this] { return parse_or(); });
    if (!failed() && peek().kind != Tok::kRParen) {
      fail(peek().column, fmt::format("expected ')' to close the '(' at column {}, got {}",
                                      open.column, describe(peek())));
    }
    take();
    --depth_;
    return inner;
  }

  NodePtr parse_list() {
    const Token& open = take();
    if (!enter(open.column)) {
      return nullptr;
    }
    NodePtr list = make_node(ExprNode::Op::kList);
    if (peek().kind == Tok::kRBracket) {
      take();
      --depth_;
      return list;
    }
    while (!failed()) {
      list->children.push_back(operand_after(tokens_[pos_ - 1], [this] { return parse_or(); }));
      if (failed()) {
        break;
      }
      if (peek().kind == Tok::kRBracket) {
        take();
        break;
      }
      if (peek().kind != Tok::kComma) {
        fail(peek().column,
             fmt::format("expected ',' or ']' in the list opened at column {}, got {}", open.column,
                         describe(peek())));
        break;
      }
      take();
    }
    --depth_;
    return list;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::optional<ParseError> error_;
  std::vector<std::string>& variables_;
};

}  // namespace

Result<Expression> parse_expression(std::string_view text) {
  if (text.size() > kMaxExprBytes) {
    return make_error(
        ErrorCode::kParse,
        fmt::format("column 1: expression is too long (limit {} bytes)", kMaxExprBytes));
  }
  auto lexed = Lexer(text).run();
  if (auto* err = std::get_if<ParseError>(&lexed)) {
    return make_error(ErrorCode::kParse, fmt::format("column {}: {}", err->column, err->message));
  }
  Expression expr;
  Parser parser(std::move(std::get<std::vector<Token>>(lexed)), expr.variables_);
  NodePtr root = parser.parse_all();
  if (parser.failed()) {
    return make_error(ErrorCode::kParse,
                      fmt::format("column {}: {}", parser.error().column, parser.error().message));
  }
  expr.source_ = std::string(text);
  expr.root_ = std::move(root);
  return expr;
}

}  // namespace baton::bot
