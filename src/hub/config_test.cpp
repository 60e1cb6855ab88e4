#include "hub/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/testing/temp_dir.hpp"

namespace baton::hub {
namespace {

const char* kFull = R"(# a complete hub.yaml
hub:
  default_queue: general
  missed_offers_before_away: 4
  default_handle_time: 6m
  max_wrap_up: 2m
  defaults:
    offer_timeout: 20s
    position_update_interval: 1m
    abandon_after: 10m
    texts:
      queued: "Position {position}, about {wait} min."
  queues:
    - name: billing
      when: va_LastTopic == "Billing" and language == "en-us"
      priority: 5
      skills: [Billing, billing, EN]
      strategy: least_busy
      max_wait: 5m
      overflow: general
      offer_timeout: 45s
      hours:
        time_zone: America/New_York
        weekly:
          weekdays: ["08:00-12:00", "13:00-17:30"]
          saturday: 10:00-14:00
          friday: closed
        holidays: [2026-12-25, "2026-07-04"]
    - name: general
      strategy: round_robin
  agents:
    - id: alice
      name: Alice
      role: supervisor
      skills: [billing]
      capacity: 3
    - id: bob
)";

TEST(HubConfig, LoadsEveryField) {
  auto result = load_hub_config_from_string(kFull, "hub.yaml");
  ASSERT_TRUE(result.config.has_value())
      << (result.diagnostics.empty() ? "" : result.diagnostics[0].format());
  const HubConfig& c = *result.config;
  EXPECT_EQ(c.missed_offers_before_away, 4);
  EXPECT_EQ(c.default_handle_time, Millis{360'000});
  EXPECT_EQ(c.max_wrap_up, Millis{120'000});
  ASSERT_EQ(c.queues.size(), 2u);
  EXPECT_EQ(c.default_queue, 1u);
  EXPECT_EQ(c.routing_order, (std::vector<std::size_t>{0, 1}));
  const QueueConfig& billing = c.queues[0];
  EXPECT_EQ(billing.loc.line, 14);
  EXPECT_TRUE(billing.when.has_value());
  EXPECT_EQ(billing.priority, 5);
  EXPECT_EQ(billing.skills, (std::vector<std::string>{"billing", "en"}));
  EXPECT_EQ(billing.strategy, Strategy::kLeastBusy);
  EXPECT_EQ(billing.max_wait, Millis{300'000});
  EXPECT_EQ(billing.overflow, "general");
  EXPECT_EQ(billing.offer_timeout, Millis{45'000});
  EXPECT_EQ(billing.position_update_interval, Millis{60'000});  // from defaults
  EXPECT_EQ(billing.abandon_after, Millis{600'000});
  EXPECT_EQ(billing.texts.queued.any, "Position {position}, about {wait} min.");
  EXPECT_FALSE(billing.texts.position.any.has_value());  // the built-in texts
  EXPECT_TRUE(billing.texts.position.by_language.empty());
  ASSERT_TRUE(billing.hours.has_value());
  EXPECT_EQ(billing.hours->week[1].size(), 2u);
  EXPECT_EQ(billing.hours->week[1][1].start, 13 * 60);
  EXPECT_EQ(billing.hours->week[1][1].end, 17 * 60 + 30);
  EXPECT_TRUE(billing.hours->week[5].empty());  // friday: closed beats weekdays
  EXPECT_EQ(billing.hours->week[6].size(), 1u);
  EXPECT_TRUE(billing.hours->week[0].empty());
  EXPECT_EQ(billing.hours->holidays.size(), 2u);
  EXPECT_EQ(c.queues[1].strategy, Strategy::kRoundRobin);
  EXPECT_EQ(c.queues[1].offer_timeout, Millis{20'000});
  ASSERT_EQ(c.agents.size(), 2u);
  EXPECT_EQ(c.agents[0].role, Role::kSupervisor);
  EXPECT_EQ(c.agents[0].capacity, 3);
  EXPECT_EQ(c.agents[1].display_name, "bob");
  EXPECT_EQ(c.agents[1].capacity, 1);
}

TEST(HubConfig, LiveChatChannels) {
  auto absent = load_hub_config_from_string("hub:\n  queues:\n    - name: main\n", "h.yaml");
  ASSERT_TRUE(absent.config.has_value());
  EXPECT_FALSE(absent.config->live_chat_channels.has_value());
  EXPECT_TRUE(absent.config->live_chat_supported("directline"));
  auto listed = load_hub_config_from_string(
      "hub:\n  live_chat_channels: [msteams, slack]\n  queues:\n    - name: main\n", "h.yaml");
  ASSERT_TRUE(listed.config.has_value());
  EXPECT_EQ(*listed.config->live_chat_channels, (std::vector<std::string>{"msteams", "slack"}));
  EXPECT_TRUE(listed.config->live_chat_supported("msteams"));
  EXPECT_FALSE(listed.config->live_chat_supported("directline"));
  auto none = load_hub_config_from_string(
      "hub:\n  live_chat_channels: []\n  queues:\n    - name: main\n", "h.yaml");
  ASSERT_TRUE(none.config.has_value());
  EXPECT_FALSE(none.config->live_chat_supported("directline"));
}

TEST(HubConfig, MinimalDefaults) {
  auto result = load_hub_config_from_string("hub:\n  queues:\n    - name: main\n", "h.yaml");
  ASSERT_TRUE(result.config.has_value());
  const QueueConfig& q = result.config->queues[0];
  EXPECT_EQ(q.offer_timeout, Millis{30'000});
  EXPECT_EQ(q.strategy, Strategy::kLongestIdle);
  EXPECT_FALSE(q.max_wait.has_value());
  EXPECT_FALSE(q.hours.has_value());
  EXPECT_EQ(result.config->missed_offers_before_away, 3);
}

TEST(HubConfig, Dispositions) {
  auto result = load_hub_config_from_string(
      "hub:\n  default_queue: main\n  queues:\n    - name: main\n"
      "      dispositions: [solved, call-back, spam.v2]\n      disposition_required: true\n"
      "    - name: other\n",
      "h.yaml");
  ASSERT_TRUE(result.config.has_value());
  const QueueConfig& q = result.config->queues[0];
  EXPECT_EQ(q.dispositions, (std::vector<std::string>{"solved", "call-back", "spam.v2"}));
  EXPECT_TRUE(q.disposition_required);
  EXPECT_TRUE(result.config->queues[1].dispositions.empty());
  EXPECT_FALSE(result.config->queues[1].disposition_required);
}

struct BadCase {
  std::string name;
  std::string yaml;
  int line;
  std::string message;  // a substring of the diagnostic
};

class HubConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(HubConfigErrors, ReportsFileLineColumn) {
  const BadCase& c = GetParam();
  auto result = load_hub_config_from_string(c.yaml, "hub.yaml");
  EXPECT_FALSE(result.config.has_value());
  ASSERT_FALSE(result.diagnostics.empty());
  bool found = false;
  std::string all;
  for (const auto& d : result.diagnostics) {
    all += d.format() + "\n";
    if (d.loc.line == c.line && d.loc.file == "hub.yaml" &&
        d.message.find(c.message) != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << all;
}

std::string queue_with(const std::string& extra) {
  return "hub:\n  queues:\n    - name: main\n" + extra;
}

INSTANTIATE_TEST_SUITE_P(
    Hub, HubConfigErrors,
    ::testing::Values(
        BadCase{"Syntax", "hub: [\n", 2, "YAML syntax"},
        BadCase{"NoHub", "queues: []\n", 1, "top-level 'hub'"},
        BadCase{"InvalidUtf8", "hub:\n  queues:\n    - name: \"ma\xffin\"\n", 3, "invalid UTF-8"},
        BadCase{"UnknownTopKey", "hub:\n  queus: []\n  queues:\n    - name: a\n", 2,
                "unknown key 'queus'"},
        BadCase{"UnknownQueueKey", queue_with("      colour: red\n"), 4, "unknown key 'colour'"},
        BadCase{"NoQueues", "hub:\n  default_queue: a\n", 2, "non-empty list of queues"},
        BadCase{"DispositionsNotList", queue_with("      dispositions: solved\n"), 4,
                "dispositions must be a list"},
        BadCase{"BadDisposition", queue_with("      dispositions: [solved, Call Back]\n"), 4,
                "disposition 'Call Back' must be"},
        BadCase{"DuplicateDisposition",
                queue_with("      dispositions:\n        - a\n        - a\n"), 6,
                "duplicate disposition 'a'"},
        BadCase{"RequiredWithoutDispositions", queue_with("      disposition_required: true\n"), 4,
                "needs a list of dispositions"},
        BadCase{"RequiredNotBool",
                queue_with("      dispositions: [a]\n      disposition_required: yes\n"), 5,
                "true or false"},
        BadCase{"BadExpression", queue_with("      when: va_LastTopic == \n"), 4,
                "bad routing rule"},
        BadCase{"UnknownOverflow", queue_with("      max_wait: 1m\n      overflow: nowhere\n"), 5,
                "unknown queue 'nowhere'"},
        BadCase{"OverflowWithoutMaxWait",
                "hub:\n  default_queue: a\n  queues:\n    - name: a\n      overflow: b\n"
                "    - name: b\n",
                5, "needs max_wait"},
        BadCase{"OverflowCycle",
                "hub:\n  default_queue: a\n  defaults:\n    max_wait: 1m\n  queues:\n"
                "    - name: a\n      overflow: b\n    - name: b\n      overflow: a\n",
                7, "loops back"},
        BadCase{"SelfOverflow", queue_with("      max_wait: 1m\n      overflow: main\n"), 5,
                "itself"},
        BadCase{"DuplicateQueue",
                "hub:\n  default_queue: a\n  queues:\n    - name: a\n    - name: a\n", 5,
                "duplicate queue"},
        BadCase{"MissingDefaultQueue", "hub:\n  queues:\n    - name: a\n    - name: b\n", 3,
                "default_queue"},
        BadCase{"UnknownDefaultQueue", "hub:\n  default_queue: x\n  queues:\n    - name: a\n", 2,
                "unknown queue 'x'"},
        BadCase{"BadStrategy", queue_with("      strategy: fastest\n"), 4, "unknown strategy"},
        BadCase{"BadDuration", queue_with("      max_wait: soon\n"), 4, "bad duration"},
        BadCase{"TinyOfferTimeout", queue_with("      offer_timeout: 10ms\n"), 4, "at least 1s"},
        BadCase{"BadPriority", queue_with("      priority: high\n"), 4, "integer"},
        BadCase{"BadPlaceholder", queue_with("      texts:\n        queued: \"{name}\"\n"), 5,
                "unknown placeholder"},
        BadCase{"UnknownLanguage",
                queue_with("      texts:\n        queued:\n          en: \"{position}\"\n"
                           "          xx: \"{position}\"\n"),
                7, "unknown language 'xx'"},
        BadCase{"BadRegion", queue_with("      texts:\n        queued: {de-: \"a\"}\n"), 5,
                "unknown language 'de-'"},
        BadCase{"LanguageTwice", queue_with("      texts:\n        queued: {de: a, DE: b}\n"), 5,
                "given twice"},
        BadCase{"TextNotString", queue_with("      texts:\n        queued: {de: [a]}\n"), 5,
                "must be a string"},
        BadCase{"TextNotStringOrMap", queue_with("      texts:\n        queued: [a]\n"), 5,
                "a string or a mapping"},
        BadCase{"LanguagePlaceholder",
                queue_with("      texts:\n        position:\n          fr: \"{agent}\"\n"), 6,
                "unknown placeholder"},
        BadCase{"UnknownNotice", queue_with("  texts:\n    greeting: Hi\n"), 5,
                "unknown key 'greeting' in hub texts"},
        BadCase{"QueueTextAtTop", queue_with("  texts:\n    queued: Hi\n"), 5,
                "unknown key 'queued' in hub texts"},
        BadCase{"NoticesNotMap", queue_with("  texts: hello\n"), 4, "texts must be a mapping"},
        BadCase{"NoticeUnknownLanguage",
                queue_with("  texts:\n    joined:\n      klingon: Qapla\n"), 6,
                "unknown language 'klingon'"},
        BadCase{"NoticePlaceholder", queue_with("  texts:\n    closed: \"Bye {agent}\"\n"), 5,
                "this text takes none"},
        BadCase{"JoinedPlaceholder", queue_with("  texts:\n    joined: \"{position}\"\n"), 5,
                "use {agent}"},
        BadCase{"BadTimeZone",
                queue_with("      hours:\n        time_zone: Mars/Olympus\n"
                           "        weekly: {daily: [\"00:00-24:00\"]}\n"),
                5, "unknown time zone"},
        BadCase{"MissingTimeZone", queue_with("      hours:\n        weekly: {}\n"), 5,
                "time_zone"},
        BadCase{"BadRange",
                queue_with("      hours:\n        time_zone: UTC\n        weekly:\n"
                           "          monday: [\"17:00-09:00\"]\n"),
                7, "bad time range"},
        BadCase{"BadClock",
                queue_with("      hours:\n        time_zone: UTC\n        weekly:\n"
                           "          monday: [\"9:00-25:00\"]\n"),
                7, "bad time range"},
        BadCase{"BadDay",
                queue_with("      hours:\n        time_zone: UTC\n        weekly:\n"
                           "          funday: [\"09:00-17:00\"]\n"),
                7, "unknown key 'funday'"},
        BadCase{"BadHoliday",
                queue_with("      hours:\n        time_zone: UTC\n        weekly: {}\n"
                           "        holidays: [2026-02-30]\n"),
                7, "bad date"},
        BadCase{"BadRole", queue_with("  agents:\n    - id: a\n      role: boss\n"), 6,
                "unknown role"},
        BadCase{"BadCapacity", queue_with("  agents:\n    - id: a\n      capacity: 0\n"), 6,
                "capacity"},
        BadCase{"DuplicateAgent", queue_with("  agents:\n    - id: a\n    - id: a\n"), 6,
                "duplicate agent"},
        BadCase{"LiveChatNotAList", queue_with("  live_chat_channels: directline\n"), 4,
                "must be a list"},
        BadCase{"LiveChatEmptyEntry", queue_with("  live_chat_channels: [msteams, \"\"]\n"), 4,
                "non-empty channel ids"},
        BadCase{"LiveChatNotScalar", queue_with("  live_chat_channels: [[a]]\n"), 4,
                "must be a scalar"},
        BadCase{"AgentWithoutId", queue_with("  agents:\n    - name: Al\n"), 5, "non-empty id"},
        BadCase{"ExternalInlineSecret",
                queue_with("      external:\n        url: http://h/x\n        secret: abc\n"), 6,
                "not written in hub.yaml"},
        BadCase{"ExternalOtherScheme",
                queue_with("      external:\n        url: ftp://h/x\n"
                           "        secret_file: /nonexistent/s\n"),
                5, "external url must be http[s]://"},
        BadCase{"ExternalCredentials",
                queue_with("      external:\n        url: http://u:p@h/x\n"
                           "        secret_file: /nonexistent/s\n"),
                5, "no credentials"},
        BadCase{"ExternalNoUrl",
                queue_with("      external:\n        secret_file: /nonexistent/s\n"), 5,
                "needs a url"},
        BadCase{"ExternalNoSecret", queue_with("      external:\n        url: http://h/x\n"), 5,
                "needs a secret_file"},
        BadCase{"ExternalUnreadableSecret",
                queue_with("      external:\n        url: http://h/x\n"
                           "        secret_file: /nonexistent/s\n"),
                6, "secret_file: cannot read"},
        BadCase{"ExternalUnknownKey",
                queue_with("      external:\n        url: http://h/x\n        token: t\n"), 6,
                "unknown key 'token'"},
        BadCase{"ExternalWithSkills",
                queue_with("      skills: [billing]\n      external:\n        url: http://h/x\n"
                           "        secret_file: /nonexistent/s\n"),
                4, "does not apply to an external queue"},
        BadCase{"OverflowToExternal",
                "hub:\n  default_queue: a\n  queues:\n    - name: a\n      max_wait: 1m\n"
                "      overflow: b\n    - name: b\n      external:\n        url: http://h/\n"
                "        secret_file: /nonexistent/s\n",
                6, "overflow to external queue 'b'"}),
    [](const auto& p) { return p.param.name; });

TEST(HubConfig, NeverCrashesOnOddInput) {
  const char* inputs[] = {"",
                          "~",
                          "hub: 3",
                          "hub:\n  queues: 3",
                          "- a\n- b",
                          "hub: {queues: [1, [2], {name: [x]}]}",
                          "hub: {queues: [{name: a, hours: [1]}], agents: {a: 1}}",
                          "\xff\xfe",
                          "hub: &a [*a]"};
  for (const char* text : inputs) {
    auto result = load_hub_config_from_string(text, "x.yaml");
    EXPECT_FALSE(result.config.has_value()) << text;
    EXPECT_FALSE(result.diagnostics.empty()) << text;
  }
}

TEST(HubConfig, MissingFile) {
  auto result = load_hub_config("/nonexistent/hub.yaml");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].loc.file, "/nonexistent/hub.yaml");
}

TEST(HubConfig, Durations) {
  EXPECT_EQ(parse_duration("30s"), Millis{30'000});
  EXPECT_EQ(parse_duration("30"), Millis{30'000});
  EXPECT_EQ(parse_duration("1h30m"), Millis{5'400'000});
  EXPECT_EQ(parse_duration("250ms"), Millis{250});
  EXPECT_EQ(parse_duration("2d"), Millis{172'800'000});
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("5x"));
  EXPECT_FALSE(parse_duration("1h30"));
  EXPECT_FALSE(parse_duration("s"));
}

TEST(HubConfig, Skills) {
  EXPECT_EQ(normalize_skills({"B", "a", "", "b"}), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(has_skills({"a", "b", "c"}, {"a", "c"}));
  EXPECT_TRUE(has_skills({"a"}, {}));
  EXPECT_FALSE(has_skills({"a", "c"}, {"b"}));
}

// Operating hours: (local schedule, instant in UTC, open?).
struct HoursCase {
  const char* at;
  bool open;
};

TEST(OperatingHours, TimeZoneHolidaysAndDst) {
  auto result = load_hub_config_from_string(R"(
hub:
  queues:
    - name: main
      hours:
        time_zone: Europe/Berlin
        weekly:
          weekdays: ["09:00-12:00", "13:00-17:00"]
          saturday: ["10:00-24:00"]
        holidays: [2026-12-25]
)",
                                            "h.yaml");
  ASSERT_TRUE(result.config.has_value());
  const OperatingHours& hours = *result.config->queues[0].hours;
  const HoursCase cases[] = {
      {"2026-03-02T07:59:59Z", false},  // Monday 08:59:59 CET
      {"2026-03-02T08:00:00Z", true},   // 09:00 CET
      {"2026-03-02T11:30:00Z", false},  // 12:30: lunch break
      {"2026-03-02T12:00:00Z", true},   // 13:00
      {"2026-03-02T15:59:59Z", true},   // 16:59:59
      {"2026-03-02T16:00:00Z", false},  // 17:00: end is exclusive
      {"2026-03-07T22:59:00Z", true},   // Saturday 23:59 (until 24:00)
      {"2026-03-07T23:00:00Z", false},  // Sunday 00:00
      {"2026-03-27T07:30:00Z", false},  // Friday 08:30 CET
      {"2026-03-30T07:30:00Z", true},   // Monday 09:30 CEST (after the DST change)
      {"2026-10-23T15:30:00Z", false},  // Friday 17:30 CEST
      {"2026-10-26T15:30:00Z", true},   // Monday 16:30 CET (after the change back)
      {"2026-12-25T10:00:00Z", false},  // Friday, a holiday
      {"2026-12-24T10:00:00Z", true},   // the day before is not
  };
  for (const HoursCase& c : cases) {
    EXPECT_EQ(hours.is_open(*parse_iso8601(c.at)), c.open) << c.at;
  }
}

}  // namespace
}  // namespace baton::hub

namespace baton::hub {
namespace {

// Texts per language: the plain-string form for every language, the map form per language, the
// built-in texts for what is left out; notices at the top level.
TEST(HubConfig, TextsPerLanguage) {
  auto result = load_hub_config_from_string(R"(hub:
  texts:
    joined:
      en: "{agent} is here."
      de-CH: "{agent} isch da."
    closed: "Bye."
  defaults:
    texts:
      queued:
        de: "Platz {position}."
        it: "Posizione {position}."
  queues:
    - name: main
      texts:
        unavailable: {fr: "{queue} est fermé."}
)",
                                            "hub.yaml");
  ASSERT_TRUE(result.config.has_value())
      << (result.diagnostics.empty() ? "" : result.diagnostics[0].format());
  const HubConfig& c = *result.config;
  const QueueTexts& q = c.queues[0].texts;
  EXPECT_EQ(pick_text(q.queued, TextKind::kQueued, "de-DE"), "Platz {position}.");
  EXPECT_EQ(pick_text(q.queued, TextKind::kQueued, "it"), "Posizione {position}.");
  EXPECT_EQ(pick_text(q.queued, TextKind::kQueued, "fr-FR"),
            "Vous êtes numéro {position} dans la file d'attente. Attente estimée : {wait} min.");
  EXPECT_EQ(pick_text(q.queued, TextKind::kQueued, "ja"),
            "You are number {position} in the queue. Estimated wait: {wait} min.");
  EXPECT_EQ(pick_text(q.unavailable, TextKind::kUnavailable, "fr-ca"), "{queue} est fermé.");
  EXPECT_EQ(pick_text(q.unavailable, TextKind::kUnavailable, "en"), "");  // the bot's own text
  EXPECT_EQ(pick_text(c.texts.joined, TextKind::kJoined, "de_ch"), "{agent} isch da.");
  EXPECT_EQ(pick_text(c.texts.joined, TextKind::kJoined, "de-de"),
            "{agent} ist dem Chat beigetreten.");
  EXPECT_EQ(pick_text(c.texts.joined, TextKind::kJoined, "pt-br"), "{agent} is here.");
  EXPECT_EQ(pick_text(c.texts.closed, TextKind::kClosed, "es"), "Bye.");
  EXPECT_EQ(pick_text(c.texts.left, TextKind::kLeft, "es-MX"), "{agent} ha salido del chat.");
  EXPECT_EQ(pick_text(c.texts.transferred, TextKind::kTransferred, ""),
            "Please wait while I transfer you.");
}

// The examples in docs/HUB.md must load: every ```yaml block that starts with `hub:`.
// An external queue: its secret comes from a file beside hub.yaml (first line, CR LF allowed).
TEST(HubConfig, ExternalQueue) {
  const baton::testing::TempDir temp("hub_config_external");
  const std::filesystem::path& dir = temp.path();
  std::ofstream(dir / "hub.secret") << "0123456789abcdef-secret\r\nignored\n";
  std::ofstream(dir / "short.secret") << "short\n";
  std::ofstream(dir / "hub.yaml") << "hub:\n  default_queue: main\n  defaults:\n"
                                     "    wait_for_agent: true\n  queues:\n    - name: main\n"
                                     "    - name: partner\n      when: Tier == \"gold\"\n"
                                     "      external:\n        url: https://127.0.0.1:9/handoff\n"
                                     "        secret_file: hub.secret\n";
  auto result = load_hub_config(dir / "hub.yaml");
  ASSERT_TRUE(result.config.has_value());
  const QueueConfig& partner = result.config->queues[1];
  ASSERT_TRUE(partner.external.has_value());
  EXPECT_EQ(partner.external->url, "https://127.0.0.1:9/handoff");
  EXPECT_EQ(partner.external->secret_file, "hub.secret");
  EXPECT_EQ(partner.external->secret, "0123456789abcdef-secret");
  EXPECT_FALSE(partner.wait_for_agent);  // the default's does not apply to it
  EXPECT_FALSE(result.config->queues[0].external.has_value());
  EXPECT_TRUE(result.config->queues[0].wait_for_agent);

  std::ofstream(dir / "short.yaml")
      << "hub:\n  queues:\n    - name: p\n      external:\n"
         "        url: http://h/\n        secret_file: short.secret\n";
  auto short_secret = load_hub_config(dir / "short.yaml");
  EXPECT_FALSE(short_secret.config.has_value());
  ASSERT_EQ(short_secret.diagnostics.size(), 1u);
  EXPECT_EQ(short_secret.diagnostics[0].loc.line, 6);
  EXPECT_NE(short_secret.diagnostics[0].message.find("at least 16"), std::string::npos);
}

TEST(HubConfig, DocumentationExamplesLoad) {
  std::ifstream in(std::string(BATON_SOURCE_DIR) + "/docs/HUB.md");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  int loaded = 0;
  for (std::size_t at = doc.find("```yaml\n"); at != std::string::npos;
       at = doc.find("```yaml\n", at + 1)) {
    std::size_t start = at + 8;
    std::size_t end = doc.find("```", start);
    ASSERT_NE(end, std::string::npos);
    std::string block = doc.substr(start, end - start);
    if (!block.starts_with("hub:")) {
      continue;
    }
    auto result = load_hub_config_from_string(block, "HUB.md");
    std::string errors;
    for (const auto& d : result.diagnostics) {
      errors += d.format() + "\n";
    }
    EXPECT_TRUE(result.config.has_value()) << errors;
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

}  // namespace
}  // namespace baton::hub
