#include "channels/agent/requests.hpp"

#include <gtest/gtest.h>

namespace baton::agent {
namespace {

namespace bj = boost::json;

bj::object obj(std::string_view text) {
  auto r = parse_object(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : bj::object{};
}

TEST(Requests, UserIdsAreTextOfAtMost256Bytes) {
  EXPECT_EQ(*parse_user_id("dl_abc"), "dl_abc");
  EXPECT_EQ(*parse_user_id("Jürgen Müller|42"), "Jürgen Müller|42");
  EXPECT_TRUE(parse_user_id(std::string(256, 'u')).ok());
  for (const std::string& bad :
       {std::string(), std::string(257, 'u'), std::string("a\nb"), std::string("a\x7f"),
        std::string("\xff\xfe"), std::string("a\0b", 3)}) {
    auto r = parse_user_id(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Requests, ObjectBodies) {
  EXPECT_TRUE(parse_object("").ok());
  EXPECT_TRUE(parse_object(" \n").ok());
  EXPECT_EQ(parse_object("{\"a\":1}")->at("a").as_int64(), 1);
  auto broken = parse_object("{\"a\":");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kParse);
  auto array = parse_object("[1]");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.error().code, ErrorCode::kInvalidArgument);
}

TEST(Requests, AgentIds) {
  EXPECT_TRUE(valid_agent_id("alice"));
  EXPECT_TRUE(valid_agent_id("a.b_c@d-e9"));
  EXPECT_TRUE(valid_agent_id(std::string(64, 'x')));
  EXPECT_FALSE(valid_agent_id(""));
  EXPECT_FALSE(valid_agent_id(std::string(65, 'x')));
  EXPECT_FALSE(valid_agent_id("a b"));
  EXPECT_FALSE(valid_agent_id("a/b"));
  EXPECT_FALSE(valid_agent_id("ä"));
}

TEST(Requests, Login) {
  auto ok = parse_login(obj(R"({"agentId":"alice","password":"secret123"})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->agent_id, "alice");
  EXPECT_EQ(ok->password, "secret123");
  for (const char* bad :
       {R"({})", R"({"agentId":"alice"})", R"({"password":"x"})", R"({"agentId":1,"password":"x"})",
        R"({"agentId":"a","password":""})", R"({"agentId":"a","password":["x"]})"}) {
    auto r = parse_login(obj(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  bj::object big{{"agentId", "a"}, {"password", std::string(4097, 'p')}};
  EXPECT_FALSE(parse_login(big).ok());
}

TEST(Requests, Presence) {
  EXPECT_EQ(*parse_presence_body(obj(R"({"presence":"away"})")), hub::Presence::kAway);
  EXPECT_EQ(*parse_presence_body(obj(R"({"presence":"available"})")), hub::Presence::kAvailable);
  EXPECT_FALSE(parse_presence_body(obj(R"({"presence":"sleeping"})")).ok());
  EXPECT_FALSE(parse_presence_body(obj(R"({"presence":3})")).ok());
  EXPECT_FALSE(parse_presence_body(obj(R"({})")).ok());
}

TEST(Requests, OfferIdAsNumberOrDigits) {
  EXPECT_EQ(*parse_offer_id(obj(R"({"offerId":42})")), 42u);
  EXPECT_EQ(*parse_offer_id(obj(R"({"offerId":"42"})")), 42u);
  EXPECT_EQ(*parse_offer_id(obj(R"({"offerId":18446744073709551615})")), UINT64_MAX);
  for (const char* bad : {R"({})", R"({"offerId":-1})", R"({"offerId":1.5})", R"({"offerId":"4x"})",
                          R"({"offerId":""})", R"({"offerId":null})", R"({"offerId":[1]})"}) {
    EXPECT_FALSE(parse_offer_id(obj(bad)).ok()) << bad;
  }
}

TEST(Requests, TextIsOneTo4000CodePoints) {
  EXPECT_EQ(*parse_text(obj(R"({"text":"hello"})")), "hello");
  bj::object max{{"text", std::string(4000, 'a')}};
  EXPECT_TRUE(parse_text(max).ok());
  bj::object over{{"text", std::string(4001, 'a')}};
  EXPECT_FALSE(parse_text(over).ok());
  std::string umlauts;
  for (int i = 0; i < 4000; ++i) {
    umlauts += "\xc3\xa4";  // 8000 bytes, 4000 code points
  }
  bj::object wide{{"text", umlauts}};
  EXPECT_TRUE(parse_text(wide).ok());
  for (const char* bad : {R"({})", R"({"text":""})", R"({"text":"  \n"})", R"({"text":5})"}) {
    EXPECT_FALSE(parse_text(obj(bad)).ok()) << bad;
  }
}

TEST(Requests, TransferNeedsExactlyOneTarget) {
  auto q = parse_transfer(obj(R"({"queue":"billing","note":"card issue"})"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->queue, "billing");
  EXPECT_EQ(q->agent_id, "");
  EXPECT_EQ(q->note, "card issue");
  auto a = parse_transfer(obj(R"({"agentId":"bob"})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->agent_id, "bob");
  for (const char* bad : {R"({})", R"({"queue":"q","agentId":"a"})", R"({"queue":""})",
                          R"({"queue":1})", R"({"queue":"q","note":{}})"}) {
    EXPECT_FALSE(parse_transfer(obj(bad)).ok()) << bad;
  }
}

TEST(Requests, AgentFieldsForAddAndChange) {
  auto add = parse_agent_fields(
      obj(R"({"id":"bob","password":"password-1","skills":["German","billing"],"capacity":3})"),
      true);
  ASSERT_TRUE(add.ok()) << add.error().message;
  EXPECT_EQ(add->id, "bob");
  EXPECT_EQ(add->password, "password-1");
  EXPECT_EQ(*add->skills, (std::vector<std::string>{"billing", "german"}));
  EXPECT_EQ(*add->capacity, 3);
  EXPECT_FALSE(add->role.has_value());
  auto change = parse_agent_fields(obj(R"({"role":"admin","displayName":"Bob B"})"), false);
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(*change->role, "admin");
  EXPECT_EQ(*change->display_name, "Bob B");
  for (const char* bad :
       {R"({"password":"password-1"})", R"({"id":"bob"})",
        R"({"id":"b b","password":"password-1"})", R"({"id":"bob","password":"short"})",
        R"({"id":"bob","password":"password-1","x":1})",
        R"({"id":"bob","password":"password-1","capacity":1.5})",
        R"({"id":"bob","password":"password-1","role":"owner"})",
        R"({"id":"bob","password":"password-1","skills":[1]})"}) {
    auto r = parse_agent_fields(obj(bad), true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  for (const char* bad : {R"({})", R"({"id":"bob"})", R"({"password":"password-1"})",
                          R"({"capacity":0})", R"({"displayName":""})"}) {
    EXPECT_FALSE(parse_agent_fields(obj(bad), false).ok()) << bad;
  }
  EXPECT_EQ(*parse_new_password(obj(R"({"password":"long-enough"})")), "long-enough");
  EXPECT_FALSE(parse_new_password(obj(R"({"password":"short"})")).ok());
  EXPECT_FALSE(parse_new_password(obj(R"({})")).ok());
}

TEST(Requests, CannedResponseBodies) {
  auto ok = parse_canned(obj(R"({"queue":"billing","code":"re-fund.2_x","title":"Rückgabe",)"
                             R"("text":"Hi {customer.name}\nbye"})"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->queue, "billing");
  EXPECT_EQ(ok->code, "re-fund.2_x");
  EXPECT_EQ(ok->title, "Rückgabe");
  EXPECT_EQ(ok->text, "Hi {customer.name}\nbye");
  EXPECT_EQ(parse_canned(obj(R"({"code":"a","title":"t","text":"x","queue":null})"))->queue, "");
  EXPECT_TRUE(
      parse_canned(obj(R"({"code":")" + std::string(32, 'z') + R"(","title":"t","text":"x"})"))
          .ok());
  EXPECT_TRUE(
      parse_canned(obj(R"({"code":"a","title":")" + std::string(100, 't') + R"(","text":"x"})"))
          .ok());
  for (const char* bad : {
           R"({"title":"t","text":"x"})",                           // no code
           R"({"code":"","title":"t","text":"x"})",                 // empty code
           R"({"code":"A","title":"t","text":"x"})",                // upper case
           R"({"code":"a b","title":"t","text":"x"})",              // space
           R"({"code":"a","text":"x"})",                            // no title
           R"({"code":"a","title":"t","text":" "})",                // blank text
           R"({"code":"a","title":"t","text":"x","queue":1})",      // queue not a string
           R"({"code":"a","title":"t","text":"x","colour":"red"})"  // unknown key
       }) {
    auto r = parse_canned(obj(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(
      parse_canned(obj(R"({"code":")" + std::string(33, 'z') + R"(","title":"t","text":"x"})"))
          .ok());
  // A control character in the title.
  EXPECT_FALSE(parse_canned(bj::object{{"code", "a"}, {"title", "t\x07"}, {"text", "x"}}).ok());
  EXPECT_FALSE(
      parse_canned(obj(R"({"code":"a","title":")" + std::string(101, 't') + R"(","text":"x"})"))
          .ok());
}

TEST(Requests, CannedIdsAreTheServersForm) {
  EXPECT_TRUE(valid_canned_id("cr_0123456789abcdef"));
  for (const char* bad : {"", "cr_", "cr_0123456789abcde", "cr_0123456789abcdef0",
                          "cr_0123456789ABCDEF", "xx_0123456789abcdef", "cr_0123456789abcde/"}) {
    EXPECT_FALSE(valid_canned_id(bad)) << bad;
  }
}

TEST(Requests, WrapUpBodies) {
  auto none = parse_wrap_up(obj(""));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->disposition, "");
  EXPECT_EQ(none->note, "");
  auto both = parse_wrap_up(obj(R"({"disposition":"solved","note":"Früh erledigt"})"));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->disposition, "solved");
  EXPECT_EQ(both->note, "Früh erledigt");
  EXPECT_EQ(parse_wrap_up(obj(R"({"note":"  "})"))->note, "") << "a blank note is none";
  EXPECT_TRUE(parse_wrap_up(obj(R"({"note":")" + std::string(1000, 'n') + R"("})")).ok());
  for (const std::string& bad :
       {std::string(R"({"note":")") + std::string(1001, 'n') + R"("})",
        std::string(R"({"disposition":")") + std::string(33, 'd') + R"("})",
        std::string(R"({"disposition":5})"), std::string(R"({"disposition":"a","extra":1})")}) {
    auto r = parse_wrap_up(obj(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Requests, EndMode) {
  EXPECT_EQ(*parse_end_mode(obj(R"({"mode":"bot"})")), engagement::EndMode::kReturnToBot);
  EXPECT_EQ(*parse_end_mode(obj(R"({"mode":"close"})")), engagement::EndMode::kClose);
  EXPECT_FALSE(parse_end_mode(obj(R"({"mode":"later"})")).ok());
  EXPECT_FALSE(parse_end_mode(obj(R"({})")).ok());
}

TEST(Requests, AuditQuery) {
  auto none = parse_audit_query(std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->after, 0u);
  EXPECT_EQ(none->limit, 100u);
  EXPECT_EQ(none->conversation_id, "");
  auto some = parse_audit_query("c1", "17", "5");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->conversation_id, "c1");
  EXPECT_EQ(some->after, 17u);
  EXPECT_EQ(some->limit, 5u);
  EXPECT_FALSE(parse_audit_query(std::nullopt, "-1", std::nullopt).ok());
  EXPECT_FALSE(parse_audit_query(std::nullopt, "x", std::nullopt).ok());
  EXPECT_FALSE(parse_audit_query(std::nullopt, std::nullopt, "0").ok());
  EXPECT_FALSE(parse_audit_query(std::nullopt, std::nullopt, "1001").ok());
}

TEST(Requests, SearchQuery) {
  using Q = std::vector<std::pair<std::string, std::string>>;
  auto none = parse_search_query({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->limit, kDefaultSearchPage);
  EXPECT_FALSE(none->after.has_value());
  EXPECT_FALSE(none->search.queue.has_value());
  auto all = parse_search_query(Q{{"customer", "user-1"},
                                  {"from", "2026-01-02"},
                                  {"to", "2026-01-03"},
                                  {"queue", "billing"},
                                  {"agent", "alice"},
                                  {"outcome", "completed"},
                                  {"q", "refund"},
                                  {"limit", "5"}});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->search.user_id, "user-1");
  EXPECT_EQ(*all->search.from, *parse_iso8601("2026-01-02T00:00:00Z"));
  EXPECT_EQ(*all->search.to, *parse_iso8601("2026-01-04T00:00:00Z")) << "a date includes its day";
  EXPECT_EQ(*all->search.queue, "billing");
  EXPECT_EQ(all->search.agent, "alice");
  EXPECT_EQ(all->search.status, "completed");
  EXPECT_EQ(all->search.text, "refund");
  EXPECT_EQ(all->limit, 5u);
  auto iso = parse_search_query(Q{{"from", "2026-01-02T10:00:00Z"}});
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(*iso->search.from, *parse_iso8601("2026-01-02T10:00:00Z"));

  store::HandoffSearchKey key{*parse_iso8601("2026-01-02T10:00:00.123Z"), "conv|h7"};
  auto paged = parse_search_query(Q{{"cursor", search_cursor(key)}});
  ASSERT_TRUE(paged.ok()) << paged.error().message;
  EXPECT_EQ(*paged->after, key);

  // Each bad parameter is named.
  const std::vector<std::pair<Q, std::string>> bad = {
      {Q{{"customer", ""}}, "customer"},
      {Q{{"customer", std::string(257, 'u')}}, "customer"},
      {Q{{"from", "yesterday"}}, "from"},
      {Q{{"to", "2026-13-45"}}, "to"},
      {Q{{"from", "2026-01-03"}, {"to", "2026-01-01"}}, "to"},
      {Q{{"queue", ""}}, "queue"},
      {Q{{"queue", "a\nb"}}, "queue"},
      {Q{{"agent", "no spaces"}}, "agent"},
      {Q{{"outcome", "pending"}}, "outcome"},
      {Q{{"q", ""}}, "q"},
      {Q{{"q", "   "}}, "q"},
      {Q{{"q", std::string(201, 'x')}}, "q"},
      {Q{{"q", "tab\there"}}, "q"},
      {Q{{"q", "\xff"}}, "q"},
      {Q{{"limit", "0"}}, "limit"},
      {Q{{"limit", "101"}}, "limit"},
      {Q{{"limit", "ten"}}, "limit"},
      {Q{{"cursor", "x"}}, "cursor"},
      {Q{{"cursor", "12.zz"}}, "cursor"},
      {Q{{"cursor", "12.abc"}}, "cursor"},
      {Q{{"q", "a"}, {"q", "b"}}, "q"},
      {Q{{"sort", "asc"}}, "sort"},
  };
  for (const auto& [query, name] : bad) {
    auto r = parse_search_query(query);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message.rfind(name + ":", 0), 0u) << r.error().message;
  }
}

TEST(Requests, StreamCommands) {
  auto m = parse_stream_command(R"({"type":"monitor","conversationId":"c1"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->kind, StreamCommand::Kind::kMonitor);
  EXPECT_EQ(m->conversation_id, "c1");
  auto u = parse_stream_command(R"({"type":"unmonitor","conversationId":"c1"})");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->kind, StreamCommand::Kind::kUnmonitor);
  EXPECT_EQ(parse_stream_command(R"({"type":"ping"})")->kind, StreamCommand::Kind::kPing);
  for (const char* bad : {"", "not json", "[]", R"({"type":"dance"})", R"({"type":"monitor"})",
                          R"({"conversationId":"c1"})"}) {
    EXPECT_FALSE(parse_stream_command(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace baton::agent
