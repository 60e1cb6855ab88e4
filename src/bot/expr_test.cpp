#include "bot/expr.hpp"

#include <gtest/gtest.h>

#include <map>

namespace baton::bot {
namespace {

namespace bj = boost::json;

struct Vars {
  std::map<std::string, bj::value, std::less<>> values{
      {"Name", bj::value("Ada")},      {"Store", bj::value("Bellevue")},
      {"Count", bj::value(3)},         {"Price", bj::value(2.5)},
      {"Yes", bj::value(true)},        {"Empty", bj::value("")},
      {"Nothing", bj::value(nullptr)}, {"Tags", bj::array{"vip", "Returns"}},
      {"NoTags", bj::array{}},         {"System.HandoffOutcome", bj::value("completed")},
  };
  VariableLookup lookup() const {
    return [this](std::string_view name) -> const bj::value* {
      auto it = values.find(name);
      return it == values.end() ? nullptr : &it->second;
    };
  }
};

struct EvalCase {
  const char* expr;
  bj::value expected;
};

class ExprEval : public ::testing::TestWithParam<EvalCase> {};

TEST_P(ExprEval, Evaluates) {
  const auto& c = GetParam();
  auto parsed = parse_expression(c.expr);
  ASSERT_TRUE(parsed.ok()) << c.expr << ": " << parsed.error().message;
  Vars vars;
  EXPECT_EQ(parsed->evaluate(vars.lookup()), c.expected) << c.expr;
}

INSTANTIATE_TEST_SUITE_P(
    All, ExprEval,
    ::testing::Values(
        // literals
        EvalCase{"\"text\"", bj::value("text")}, EvalCase{"'single'", bj::value("single")},
        EvalCase{"42", bj::value(42)}, EvalCase{"-7", bj::value(-7)},
        EvalCase{"3.5", bj::value(3.5)}, EvalCase{"true", bj::value(true)},
        EvalCase{"false", bj::value(false)}, EvalCase{"null", bj::value(nullptr)},
        EvalCase{"[\"a\", 1]", bj::array{"a", 1}}, EvalCase{"[]", bj::array{}},
        EvalCase{"\"a\\\"b\\\\c\\n\"", bj::value("a\"b\\c\n")},
        // variables; unset is null
        EvalCase{"Name", bj::value("Ada")}, EvalCase{"Unset", bj::value(nullptr)},
        EvalCase{"System.HandoffOutcome", bj::value("completed")},
        // == and != (strings case-insensitively, numbers numerically, kinds never mix)
        EvalCase{"Store == \"bellevue\"", bj::value(true)},
        EvalCase{"Store == 'BELLEVUE'", bj::value(true)},
        EvalCase{"\"ÉCOLE\" == \"école\"", bj::value(true)},
        EvalCase{"Count == 3", bj::value(true)}, EvalCase{"Count == 3.0", bj::value(true)},
        EvalCase{"Count == \"3\"", bj::value(false)}, EvalCase{"Count != 4", bj::value(true)},
        EvalCase{"Nothing == null", bj::value(true)}, EvalCase{"Unset == null", bj::value(true)},
        EvalCase{"Empty == null", bj::value(false)}, EvalCase{"Yes == true", bj::value(true)},
        EvalCase{"[1, \"A\"] == [1, \"a\"]", bj::value(true)},
        // ordering: numbers and strings only
        EvalCase{"Count < 4", bj::value(true)}, EvalCase{"Count <= 3", bj::value(true)},
        EvalCase{"Count > 3", bj::value(false)}, EvalCase{"Count >= 3", bj::value(true)},
        EvalCase{"Price > 2", bj::value(true)}, EvalCase{"\"apple\" < \"Banana\"", bj::value(true)},
        EvalCase{"Count < \"4\"", bj::value(false)}, EvalCase{"Nothing < 1", bj::value(false)},
        EvalCase{"Nothing >= 1", bj::value(false)},
        // in / contains
        EvalCase{"Store in [\"Redmond\", \"bellevue\"]", bj::value(true)},
        EvalCase{"Store in [\"Redmond\"]", bj::value(false)},
        EvalCase{"\"returns\" in Tags", bj::value(true)},
        EvalCase{"Tags contains \"VIP\"", bj::value(true)},
        EvalCase{"Tags contains \"gold\"", bj::value(false)},
        EvalCase{"Name contains \"DA\"", bj::value(true)},
        EvalCase{"\"ev\" in Store", bj::value(true)}, EvalCase{"Count in 3", bj::value(false)},
        EvalCase{"Nothing contains \"x\"", bj::value(false)},
        // is empty
        EvalCase{"Nothing is empty", bj::value(true)}, EvalCase{"Unset is empty", bj::value(true)},
        EvalCase{"Empty is empty", bj::value(true)}, EvalCase{"NoTags is empty", bj::value(true)},
        EvalCase{"Name is empty", bj::value(false)}, EvalCase{"Count is empty", bj::value(false)},
        EvalCase{"Name is not empty", bj::value(true)},
        EvalCase{"Nothing is not empty", bj::value(false)},
        // boolean operators and precedence: or < and < not < comparison
        EvalCase{"true and false", bj::value(false)}, EvalCase{"true or false", bj::value(true)},
        EvalCase{"not false", bj::value(true)}, EvalCase{"not not Name", bj::value(true)},
        EvalCase{"true or true and false", bj::value(true)},
        EvalCase{"(true or true) and false", bj::value(false)},
        EvalCase{"not Count == 4", bj::value(true)},
        EvalCase{"not Count == 3 or Yes", bj::value(true)},
        EvalCase{"Count == 3 and Store == \"x\" or Name == \"ada\"", bj::value(true)},
        EvalCase{"a and b and c or Yes", bj::value(true)},
        // and/or use truthiness and return booleans
        EvalCase{"Name and Count", bj::value(true)}, EvalCase{"Empty or 0", bj::value(false)},
        EvalCase{"NoTags or Nothing", bj::value(false)}));

struct TruthCase {
  bj::value value;
  bool truthy;
};

TEST(ExprTruthiness, FollowsTheRule) {
  const TruthCase cases[] = {
      {bj::value(false), false}, {bj::value(nullptr), false}, {bj::value(0), false},
      {bj::value(0.0), false},   {bj::value(""), false},      {bj::array{}, false},
      {bj::value(true), true},   {bj::value(-1), true},       {bj::value("0"), true},
      {bj::array{0}, true},      {bj::object{}, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_truthy(c.value), c.truthy) << bj::serialize(c.value);
  }
}

TEST(ExprEvalBool, UsesTruthiness) {
  Vars vars;
  EXPECT_TRUE(parse_expression("Name")->evaluate_bool(vars.lookup()));
  EXPECT_FALSE(parse_expression("Empty")->evaluate_bool(vars.lookup()));
  EXPECT_FALSE(Expression().evaluate_bool(vars.lookup()));
  EXPECT_TRUE(Expression().evaluate(vars.lookup()).is_null());
}

TEST(ExprVariables, InOrderOfFirstAppearance) {
  auto e = parse_expression("B == A or A in [C, B] or System.UserName is empty");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->variables(), (std::vector<std::string>{"B", "A", "C", "System.UserName"}));
  EXPECT_EQ(e->source(), "B == A or A in [C, B] or System.UserName is empty");
}

TEST(ExprLiteral, HoldsTheValue) {
  Expression e = Expression::literal(bj::array{1, "x"});
  EXPECT_EQ(e.evaluate({}), (bj::array{1, "x"}));
  EXPECT_TRUE(e.variables().empty());
  EXPECT_FALSE(e.empty());
}

struct ErrorCase {
  const char* expr;
  const char* message;
};

class ExprError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ExprError, ReportsColumn) {
  const auto& c = GetParam();
  auto parsed = parse_expression(c.expr);
  ASSERT_FALSE(parsed.ok()) << c.expr;
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_EQ(parsed.error().message, c.message) << c.expr;
}

INSTANTIATE_TEST_SUITE_P(
    All, ExprError,
    ::testing::Values(
        ErrorCase{"", "column 1: empty expression"}, ErrorCase{"   ", "column 4: empty expression"},
        ErrorCase{"\"abc", "column 1: unterminated string"},
        ErrorCase{"x == 'abc", "column 6: unterminated string"},
        ErrorCase{"Count and ", "column 11: expected an operand after 'and'"},
        ErrorCase{"Count and or x", "column 11: expected an operand after 'and'"},
        ErrorCase{"Store = \"Bellevue\"", "column 7: unknown operator '=' (did you mean '=='?)"},
        ErrorCase{"StoreLocat = 1", "column 12: unknown operator '=' (did you mean '=='?)"},
        ErrorCase{"a && b", "column 3: unknown operator '&' (did you mean 'and'?)"},
        ErrorCase{"a || b", "column 3: unknown operator '|' (did you mean 'or'?)"},
        ErrorCase{"!a", "column 1: unknown operator '!' (did you mean 'not'?)"},
        ErrorCase{"a <> b", "column 3: unknown operator '<>' (did you mean '!='?)"},
        ErrorCase{"Count + 1", "column 7: unknown operator '+' (expressions have no arithmetic)"},
        ErrorCase{"a # b", "column 3: unexpected character '#'"},
        ErrorCase{"\"é\" == é", "column 8: unexpected character"},
        ErrorCase{"a b",
                  "column 3: unexpected 'b'; expected an operator such as 'and', 'or' or '=='"},
        ErrorCase{"a == b == c",
                  "column 8: comparisons cannot be chained; combine them with 'and'"},
        ErrorCase{"(a == b",
                  "column 8: expected ')' to close the '(' at column 1, got the end of "
                  "the expression"},
        ErrorCase{"a)", "column 2: unmatched ')'"},
        ErrorCase{"[1, 2",
                  "column 6: expected ',' or ']' in the list opened at column 1, got the "
                  "end of the expression"},
        ErrorCase{"[1, ]", "column 5: expected an operand after ','"},
        ErrorCase{"a is full", "column 6: expected 'empty' after 'is'"},
        ErrorCase{"a is not", "column 9: expected 'empty' after 'is not'"},
        ErrorCase{"== 3", "column 1: expected a value, got '=='"},
        ErrorCase{"not", "column 4: expected an operand after 'not'"},
        ErrorCase{"12ab", "column 1: invalid number '12ab'"},
        ErrorCase{"System..X", "column 1: invalid variable name 'System..X'"},
        ErrorCase{"x.", "column 1: invalid variable name 'x.'"},
        ErrorCase{"'a\\q'", "column 3: unknown escape '\\q' in string"}));

TEST(ExprError, DepthIsLimited) {
  std::string deep(100, '(');
  deep += "1";
  deep += std::string(100, ')');
  auto parsed = parse_expression(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "column 65: expression is nested too deeply (limit 64)");

  std::string nots;
  for (int i = 0; i < 1000; ++i) {
    nots += "not ";
  }
  EXPECT_FALSE(parse_expression(nots + "x").ok());
}

TEST(ExprError, LongFlatChainsAreFine) {
  std::string chain = "a";
  for (int i = 0; i < 500; ++i) {
    chain += " or a";
  }
  auto parsed = parse_expression(chain);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->evaluate_bool({}));
}

TEST(ExprError, TooLong) {
  auto parsed = parse_expression(std::string(5000, 'a'));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "column 1: expression is too long (limit 4096 bytes)");
}

TEST(ExprDisplay, FormatsValues) {
  EXPECT_EQ(to_display_string(bj::value("x")), "x");
  EXPECT_EQ(to_display_string(bj::value(3)), "3");
  EXPECT_EQ(to_display_string(bj::value(3.0)), "3");
  EXPECT_EQ(to_display_string(bj::value(2.5)), "2.5");
  EXPECT_EQ(to_display_string(bj::value(true)), "true");
  EXPECT_EQ(to_display_string(bj::value(nullptr)), "");
  EXPECT_EQ(to_display_string(bj::array{"a", 1, "", "b"}), "a, 1, , b");
  EXPECT_EQ(to_display_string(bj::object{{"k", 1}}), "{\"k\":1}");
}

}  // namespace
}  // namespace baton::bot
