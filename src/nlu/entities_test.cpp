#include "nlu/entities.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baton::nlu {
namespace {

// Wednesday 2026-11-18 14:30 UTC.
TimePoint fixed_now() { return *parse_iso8601("2026-11-18T14:30:00Z"); }

EntityContext context(std::string language = "en", int offset = 0) {
  EntityContext ctx;
  ctx.now = fixed_now();
  ctx.utc_offset_minutes = offset;
  ctx.language = std::move(language);
  return ctx;
}

struct Case {
  std::string text;
  std::string expected;  // serialised JSON, or "" for no value
  std::string language = "en";
};

void check(EntityType type, const std::vector<Case>& cases, int offset = 0) {
  for (const auto& c : cases) {
    const auto ctx = context(c.language, offset);
    const auto got = extract_entity(type, c.text, ctx);
    const std::string actual = got ? boost::json::serialize(*got) : "";
    const bool same =
        got ? !c.expected.empty() && *got == boost::json::parse(c.expected) : c.expected.empty();
    EXPECT_TRUE(same) << actual << " vs expected " << c.expected << ": " << to_string(type)
                      << " of \"" << c.text << "\" (" << c.language << ")";
  }
}

TEST(EntityTypeTest, NamesRoundTrip) {
  for (const char* name : {"text", "number", "money", "percentage", "email", "phone", "url", "date",
                           "time", "datetime", "yes_no", "choice", "regex"}) {
    const auto type = parse_entity_type(name);
    ASSERT_TRUE(type.has_value()) << name;
    EXPECT_STREQ(to_string(*type), name);
  }
  EXPECT_FALSE(parse_entity_type("Number").has_value());
  EXPECT_NE(entity_type_names().find("yes_no"), std::string::npos);
}

TEST(EntitiesTest, Text) {
  check(EntityType::kText, {{"  hello there ", "\"hello there\""}, {"   ", ""}, {"", ""}});
}

TEST(EntitiesTest, NumberDigits) {
  check(EntityType::kNumber, {
                                 {"42", "42"},
                                 {"I need 3 tickets", "3"},
                                 {"-7 degrees", "-7"},
                                 {"3.5", "3.5"},
                                 {"1,234,567", "1234567"},
                                 {"about 1,500 people", "1500"},
                                 {"2.500", "2500", "de"},
                                 {"1,5", "1.5", "de"},
                                 {"1.234,56", "1234.56", "de"},
                                 {"20k", "20000"},
                                 {"2 million", "2000000"},
                                 {"1.5 million", "1500000"},
                                 {"no idea", ""},
                                 {"", ""},
                                 {"abc-def", ""},
                             });
}

TEST(EntitiesTest, NumberWords) {
  check(EntityType::kNumber, {
                                 {"two hundred", "200"},
                                 {"twenty-five", "25"},
                                 {"a dozen", "12"},
                                 {"two dozen eggs", "24"},
                                 {"one thousand two hundred and thirty four", "1234"},
                                 {"three million five hundred thousand", "3500000"},
                                 {"zero", "0"},
                                 {"a lot", ""},
                                 {"and", ""},
                                 {"zweihundertfünfundzwanzig", "225", "de"},
                                 {"dreizehn", "13", "de"},
                                 {"drei Millionen", "3000000", "de"},
                                 {"quatre-vingt-dix-neuf", "99", "fr"},
                                 {"soixante et onze", "71", "fr"},
                                 {"deux mille", "2000", "fr"},
                                 {"doscientos cincuenta", "250", "es"},
                                 {"veintitrés", "23", "es"},
                                 {"treinta y dos", "32", "es"},
                             });
}

TEST(EntitiesTest, Money) {
  check(EntityType::kMoney, {
                                {"$20", R"({"amount":20,"currency":"USD"})"},
                                {"20 dollars", R"({"amount":20,"currency":"USD"})"},
                                {"€15.50", R"({"amount":15.5,"currency":"EUR"})"},
                                {"15 EUR", R"({"amount":15,"currency":"EUR"})"},
                                {"£1,200", R"({"amount":1200,"currency":"GBP"})"},
                                {"about twenty bucks", R"({"amount":20,"currency":"USD"})"},
                                {"15,50 €", R"({"amount":15.5,"currency":"EUR"})", "de"},
                                {"$2k", R"({"amount":2000,"currency":"USD"})"},
                                {"50", R"({"amount":50,"currency":""})"},
                                {"free", ""},
                                {"$", ""},
                            });
}

TEST(EntitiesTest, Percentage) {
  check(EntityType::kPercentage, {
                                     {"50%", "50"},
                                     {"12.5 %", "12.5"},
                                     {"fifty percent", "50"},
                                     {"about 30 per cent", "30"},
                                     {"20 Prozent", "20", "de"},
                                     {"75", "75"},
                                     {"half", ""},
                                 });
}

TEST(EntitiesTest, Email) {
  check(EntityType::kEmail, {
                                {"jane.doe+tag@Example.COM", "\"jane.doe+tag@example.com\""},
                                {"mail me at bob@mail.example.org.", "\"bob@mail.example.org\""},
                                {"bob@localhost", ""},
                                {"@example.com", ""},
                                {"not an email", ""},
                                {"a@b.c", ""},
                            });
}

TEST(EntitiesTest, Phone) {
  check(EntityType::kPhone, {
                                {"+1 (415) 555-0123", "\"+14155550123\""},
                                {"call 415.555.0123", "\"4155550123\""},
                                {"0049 30 1234567", "\"+49301234567\""},
                                {"+44 20 7946 0958", "\"+442079460958\""},
                                {"123", ""},
                                {"2026-12-25", ""},
                                {"12/25/2026", ""},
                                {"1234567890123456789", ""},
                                {"no phone", ""},
                            });
}

TEST(EntitiesTest, Url) {
  check(EntityType::kUrl, {
                              {"https://Example.com/a/b?c=1", "\"https://example.com/a/b?c=1\""},
                              {"see www.example.org.", "\"https://www.example.org\""},
                              {"example.com/help", "\"https://example.com/help\""},
                              {"http://localhost.dev:8080/x", "\"http://localhost.dev:8080/x\""},
                              {"bob@example.com", ""},
                              {"hello world", ""},
                              {"version 1.2", ""},
                          });
}

TEST(EntitiesTest, Date) {
  check(EntityType::kDate, {
                               {"today", "\"2026-11-18\""},
                               {"tomorrow please", "\"2026-11-19\""},
                               {"yesterday", "\"2026-11-17\""},
                               {"the day after tomorrow", "\"2026-11-20\""},
                               {"friday", "\"2026-11-20\""},
                               {"this wednesday", "\"2026-11-18\""},
                               {"next wednesday", "\"2026-11-25\""},
                               {"next friday", "\"2026-11-20\""},
                               {"last monday", "\"2026-11-16\""},
                               {"in 3 days", "\"2026-11-21\""},
                               {"in two weeks", "\"2026-12-02\""},
                               {"2 days ago", "\"2026-11-16\""},
                               {"next month", "\"2026-12-18\""},
                               {"2026-12-25", "\"2026-12-25\""},
                               {"12/25/2026", "\"2026-12-25\""},
                               {"25/12/2026", "\"2026-12-25\""},
                               {"25 December", "\"2026-12-25\""},
                               {"Dec 25", "\"2026-12-25\""},
                               {"December 25th, 2027", "\"2027-12-25\""},
                               {"the 3rd of january", "\"2027-01-03\""},
                               {"morgen", "\"2026-11-19\"", "de"},
                               {"nächsten Freitag", "\"2026-11-20\"", "de"},
                               {"25.12.2026", "\"2026-12-25\"", "de"},
                               {"am 24. Dezember", "\"2026-12-24\"", "de"},
                               {"demain", "\"2026-11-19\"", "fr"},
                               {"vendredi prochain", "\"2026-11-20\"", "fr"},
                               {"le 25 décembre", "\"2026-12-25\"", "fr"},
                               {"mañana", "\"2026-11-19\"", "es"},
                               {"el 25 de diciembre", "\"2026-12-25\"", "es"},
                               {"February 30", ""},
                               {"13/45/2026", ""},
                               {"whenever", ""},
                               {"3.5", ""},
                           });
}

TEST(EntitiesTest, DateUsesCustomerOffset) {
  // 14:30 UTC is already the 19th at UTC+10.
  check(EntityType::kDate, {{"today", "\"2026-11-19\""}}, 600);
  check(EntityType::kDate, {{"today", "\"2026-11-18\""}}, -300);
}

TEST(EntitiesTest, Time) {
  check(EntityType::kTime, {
                               {"3pm", "\"15:00\""},
                               {"at 3:30 pm", "\"15:30\""},
                               {"15:30", "\"15:30\""},
                               {"12am", "\"00:00\""},
                               {"12 p.m.", "\"12:00\""},
                               {"noon", "\"12:00\""},
                               {"midnight", "\"00:00\""},
                               {"at 9", "\"09:00\""},
                               {"9 o'clock", "\"09:00\""},
                               {"in 2 hours", "\"16:30\""},
                               {"in 45 minutes", "\"15:15\""},
                               {"15 Uhr", "\"15:00\"", "de"},
                               {"um 15.30 Uhr", "\"15:30\"", "de"},
                               {"15h30", "\"15:30\"", "fr"},
                               {"25:00", ""},
                               {"13pm", ""},
                               {"later", ""},
                               {"3 apples", ""},
                           });
}

TEST(EntitiesTest, DateTime) {
  check(EntityType::kDateTime, {
                                   {"tomorrow at 3pm", "\"2026-11-19T15:00\""},
                                   {"next friday 10:15", "\"2026-11-20T10:15\""},
                                   {"2026-12-25T08:00", "\"2026-12-25T08:00\""},
                                   {"4pm", "\"2026-11-18T16:00\""},
                                   {"9am", "\"2026-11-19T09:00\""},
                                   {"in 10 hours", "\"2026-11-19T00:30\""},
                                   {"tomorrow", ""},
                                   {"soon", ""},
                               });
}

TEST(EntitiesTest, YesNo) {
  check(EntityType::kYesNo, {
                                {"yes", "true"},
                                {"Yeah sure", "true"},
                                {"ok", "true"},
                                {"of course", "true"},
                                {"yes, no problem", "true"},
                                {"no", "false"},
                                {"nope", "false"},
                                {"not really", "false"},
                                {"no thanks", "false"},
                                {"of course not", "false"},
                                {"not ok", "false"},
                                {"I don't think so", "false"},
                                {"ja", "true", "de"},
                                {"nein danke", "false", "de"},
                                {"nicht wirklich", "false", "de"},
                                {"oui", "true", "fr"},
                                {"pas du tout", "false", "fr"},
                                {"sí", "true", "es"},
                                {"no, gracias", "false", "es"},
                                {"maybe", ""},
                                {"yes and no", ""},
                                {"I'm not sure", ""},
                                {"", ""},
                            });
}

TEST(EntitiesTest, Choice) {
  const std::vector<ChoiceOption> options{
      {"Bellevue", {"bellevue square"}},
      {"Seattle Downtown", {"downtown", "pike place"}},
      {"Redmond", {}},
  };
  auto ctx = context();
  ctx.choices = &options;
  auto choose = [&](std::string_view text) {
    const auto v = extract_entity(EntityType::kChoice, text, ctx);
    return v ? std::string(v->as_string()) : std::string();
  };
  EXPECT_EQ(choose("Bellevue"), "Bellevue");
  EXPECT_EQ(choose("the bellevue one"), "Bellevue");
  EXPECT_EQ(choose("BELLEVUE SQUARE please"), "Bellevue");
  EXPECT_EQ(choose("belevue"), "Bellevue");             // typo
  EXPECT_EQ(choose("Pike Place"), "Seattle Downtown");  // synonym
  EXPECT_EQ(choose("downtwon"), "Seattle Downtown");    // transposition
  EXPECT_EQ(choose("redmnd"), "Redmond");
  EXPECT_EQ(choose("the second one"), "Seattle Downtown");
  EXPECT_EQ(choose("3"), "Redmond");
  EXPECT_EQ(choose("the last one"), "Redmond");
  EXPECT_EQ(choose("bellevue or redmond"), "");  // ambiguous
  EXPECT_EQ(choose("tacoma"), "");
  EXPECT_EQ(choose("7"), "");
  EXPECT_EQ(choose(""), "");
  ctx.choices = nullptr;
  EXPECT_EQ(choose("Bellevue"), "");
}

TEST(EntitiesTest, Regex) {
  const std::regex order(R"([A-Z]{2}\d{4})");
  auto ctx = context();
  ctx.pattern = &order;
  auto v = extract_entity(EntityType::kRegex, "my order is AB1234, thanks", ctx);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_string(), "AB1234");
  EXPECT_FALSE(extract_entity(EntityType::kRegex, "ab12", ctx));
  ctx.pattern = nullptr;
  EXPECT_FALSE(extract_entity(EntityType::kRegex, "AB1234", ctx));
}

TEST(EntitiesTest, BadInputNeverCrashes) {
  const std::vector<ChoiceOption> options{{"a", {}}};
  const std::regex pattern("(a|b)*c");
  auto ctx = context();
  ctx.choices = &options;
  ctx.pattern = &pattern;
  const std::vector<std::string> inputs{"",
                                        std::string(3'000'000, '9'),
                                        std::string(100'000, 'a'),
                                        "\xff\xfe\xfd",
                                        "😀😀😀",
                                        std::string(5000, '-') + "1",
                                        "1" + std::string(5000, ','),
                                        "99999999999999999999999999"};
  for (const auto& in : inputs) {
    for (int t = 0; t <= static_cast<int>(EntityType::kRegex); ++t) {
      (void)extract_entity(static_cast<EntityType>(t), in, ctx);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace baton::nlu
