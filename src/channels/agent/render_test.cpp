#include "channels/agent/render.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;
using server::http::status;

bj::object body_of(const server::Response& r) {
  auto v = json::parse(r.body);
  EXPECT_TRUE(v.ok() && v->is_object()) << r.body;
  return v.ok() && v->is_object() ? v->as_object() : bj::object{};
}

TEST(Render, ErrorsMapToStatusAndCode) {
  struct Case {
    ErrorCode code;
    status http;
    const char* name;
  };
  for (const Case& c : {Case{ErrorCode::kInvalidArgument, status::bad_request, "BadArgument"},
                        Case{ErrorCode::kParse, status::bad_request, "BadArgument"},
                        Case{ErrorCode::kUnauthorized, status::unauthorized, "Unauthorized"},
                        Case{ErrorCode::kForbidden, status::forbidden, "Forbidden"},
                        Case{ErrorCode::kNotFound, status::not_found, "NotFound"},
                        Case{ErrorCode::kConflict, status::conflict, "Conflict"},
                        Case{ErrorCode::kTooLarge, status::payload_too_large, "TooLarge"},
                        Case{ErrorCode::kUnavailable, status::service_unavailable, "Unavailable"},
                        Case{ErrorCode::kIo, status::service_unavailable, "Unavailable"},
                        Case{ErrorCode::kInternal, status::internal_server_error, "Internal"}}) {
    const auto r = error_response(make_error(c.code, "why <b>"));
    EXPECT_EQ(r.status, c.http) << c.name;
    const auto body = body_of(r);
    EXPECT_EQ(body.at("error").at("code").as_string(), c.name);
    EXPECT_EQ(body.at("error").at("message").as_string(), "why <b>");
  }
  const auto s = stream_error(make_error(ErrorCode::kForbidden, "no"));
  EXPECT_EQ(s.at("type").as_string(), "error");
  EXPECT_EQ(s.at("error").at("code").as_string(), "Forbidden");
}

TEST(Render, AgentFallsBackToIdForDisplayName) {
  store::AgentRecord a;
  a.id = "alice";
  a.role = "supervisor";
  a.skills = {"billing", "de"};
  a.capacity = 3;
  a.password_hash = "$argon2id$secret";
  const auto j = agent_json(a);
  EXPECT_EQ(j.at("displayName").as_string(), "alice");
  EXPECT_EQ(j.at("role").as_string(), "supervisor");
  EXPECT_EQ(j.at("skills").as_array().size(), 2u);
  EXPECT_EQ(j.at("capacity").as_int64(), 3);
  EXPECT_EQ(json::dump(j).find("argon2"), std::string::npos) << "never the hash";
}

TEST(Render, SummaryFields) {
  hub::ConversationView v;
  v.id = "c1";
  v.state = hub::ConversationState::kWrapUp;
  v.queue = "billing";
  v.agent = "alice";
  v.waited = Millis(1234);
  v.position = 0;
  v.priority = 2;
  v.reason = "requested";
  const auto j = summary_json(v);
  EXPECT_EQ(j.at("state").as_string(), "wrap_up");
  EXPECT_EQ(j.at("waitedMs").as_int64(), 1234);
  EXPECT_EQ(j.at("offeredTo").as_string(), "");
  EXPECT_EQ(j.size(), 9u);
}

TEST(Render, EntriesClassifySenderPartAndInternal) {
  struct Case {
    std::uint64_t seq;
    const char* json;
    const char* part;
    const char* sender;
    bool internal;
  };
  const std::uint64_t handoff = 5;
  for (const Case& c : {
           Case{1, R"({"type":"message","from":{"id":"u1","role":"user"},"text":"hi"})", "bot",
                "customer", false},
           Case{2, R"({"type":"message","from":{"id":"bot","role":"bot"},"text":"hello"})", "bot",
                "bot", false},
           Case{5, R"({"type":"event","name":"handoff.initiate","from":{"id":"bot","role":"bot"}})",
                "bot", "system", true},
           Case{6, R"({"type":"message","from":{"id":"agent:alice","name":"Alice","role":"bot"}})",
                "live", "agent", false},
           Case{7,
                R"({"type":"event","name":"baton.note","from":{"id":"agent:alice","role":"bot"}})",
                "live", "agent", true},
           Case{8, R"({"type":"typing","from":{"id":"u1","role":"user"}})", "live", "customer",
                false},
           Case{9, R"({"type":"trace","from":{"id":"bot","role":"bot"}})", "live", "system", true},
           Case{10, "not json", "live", "system", true},
       }) {
    const auto e = entry_json(c.seq, c.json, handoff);
    EXPECT_EQ(e.at("seq").as_uint64(), c.seq);
    EXPECT_EQ(e.at("part").as_string(), c.part) << c.json;
    EXPECT_EQ(e.at("sender").as_string(), c.sender) << c.json;
    EXPECT_EQ(e.at("internal").as_bool(), c.internal) << c.json;
  }
  // Without a handoff everything is the bot part.
  EXPECT_EQ(entry_json(99, R"({"type":"message"})", 0).at("part").as_string(), "bot");
  // The stored activity is kept as JSON, text untouched (the console renders it as text).
  const auto e = entry_json(1, R"({"type":"message","text":"<script>x</script>"})", 0);
  EXPECT_EQ(e.at("activity").at("text").as_string(), "<script>x</script>");
}

TEST(Render, EntryKindsAndWhatCustomersCannotForge) {
  const struct {
    std::uint64_t seq;
    const char* json;
    const char* sender;
    const char* kind;
    bool internal;
  } cases[] = {
      {1, R"({"type":"message","from":{"id":"u","role":"user"},"text":"hi"})", "customer",
       "message", false},
      {2, R"({"type":"event","name":"handoff.initiate","from":{"id":"bot","role":"bot"}})",
       "system", "event", true},
      {3, R"({"type":"event","name":"baton.note","from":{"id":"agent:alice","role":"agent"}})",
       "agent", "note", true},
      {4, R"({"type":"endOfConversation","from":{"id":"bot","role":"bot"}})", "system", "event",
       false},
      // What a customer sent is the customer's, whatever it claims to be.
      {5, R"({"type":"event","name":"baton.note","from":{"id":"agent:boss","role":"user"}})",
       "customer", "event", false},
      {6, R"({"type":"event","name":"handoff.status","from":{"id":"u","role":"user"}})", "customer",
       "event", false},
      {7, R"({"type":"message","from":{"id":"agent:boss","name":"Boss","role":"user"}})",
       "customer", "message", false},
      {8, "[1,2]", "system", "event", true},
  };
  for (const auto& c : cases) {
    const auto e = entry_json(c.seq, c.json, 3);
    EXPECT_EQ(e.at("sender").as_string(), c.sender) << c.json;
    EXPECT_EQ(e.at("kind").as_string(), c.kind) << c.json;
    EXPECT_EQ(e.at("internal").as_bool(), c.internal) << c.json;
  }
}

TEST(Render, DetailCarriesContextAndTranscript) {
  engagement::ConversationAccess d;
  d.hub.emplace();
  d.hub->id = "c1";
  d.hub->state = hub::ConversationState::kAssigned;
  d.hub->transfer_note = "vip";
  d.context = bj::object{{"va_Language", "en"}, {"orderId", "42"}};
  d.handoff_id = "c1|h3";
  d.agent_message = "wants a refund";
  d.handoff_seq = 3;
  std::vector<store::ActivityRecord> t(4);
  for (std::size_t i = 0; i < t.size(); ++i) {
    t[i].seq = i + 1;
    t[i].json = R"({"type":"message","from":{"role":"user"}})";
  }
  const auto j = detail_json(d, t);
  EXPECT_EQ(j.at("id").as_string(), "c1");
  EXPECT_EQ(j.at("state").as_string(), "assigned");
  EXPECT_EQ(j.at("handoffId").as_string(), "c1|h3");
  EXPECT_EQ(j.at("agentMessage").as_string(), "wants a refund");
  EXPECT_EQ(j.at("transferNote").as_string(), "vip");
  EXPECT_EQ(j.at("context").at("va_Language").as_string(), "en");
  EXPECT_EQ(j.at("variables").at("orderId").as_string(), "42");
  EXPECT_FALSE(j.at("variables").as_object().contains("va_Language"));
  EXPECT_EQ(j.at("handoffSeq").as_uint64(), 3u);
  const auto& entries = j.at("transcript").as_array();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[2].at("part").as_string(), "bot");
  EXPECT_EQ(entries[3].at("part").as_string(), "live");
}

TEST(Render, ArchivedDetailFromTheHandoffRecord) {
  store::Conversation row;
  row.id = "c9";
  row.ownership = "bot";
  store::HandoffRecord h;
  h.id = "c9|h2";
  h.reason = "requested";
  h.queue = "general";
  h.request_json =
      R"({"context":{"va_Language":"en","plan":"gold"},"agentMessage":"m","initiateActivityId":"c9|0000002"})";
  std::vector<store::ActivityRecord> t(3);
  for (std::size_t i = 0; i < t.size(); ++i) {
    t[i].seq = i + 1;
    t[i].json = R"({"type":"message"})";
  }
  auto j = archived_detail_json(row, {h}, t);
  EXPECT_EQ(j.at("state").as_string(), "bot");
  EXPECT_EQ(j.at("handoffId").as_string(), "c9|h2");
  EXPECT_EQ(j.at("handoffSeq").as_uint64(), 2u);
  EXPECT_EQ(j.at("variables").at("plan").as_string(), "gold");
  EXPECT_FALSE(j.at("variables").as_object().contains("va_Language"));
  EXPECT_EQ(j.at("transcript").as_array()[2].at("part").as_string(), "live");
  EXPECT_TRUE(j.at("wrapUp").is_null()) << "no wrap-up recorded";
  h.outcome_json = R"({"outcome":"completed","wrapUp":{"agent":"alice","disposition":"solved"}})";
  EXPECT_EQ(archived_detail_json(row, {h}, t).at("wrapUp").at("disposition").as_string(), "solved");
  row.closed = true;
  EXPECT_EQ(archived_detail_json(row, {}, {}).at("state").as_string(), "closed");
}

TEST(Render, CannedResponse) {
  store::CannedResponse c;
  c.id = "cr_0123456789abcdef";
  c.queue = "billing";
  c.code = "refund";
  c.title = "Refunds";
  c.text = "Hi {customer.name}";
  c.updated_by = "sam";
  c.created = TimePoint{} + std::chrono::milliseconds(1'700'000'000'000);
  c.updated = TimePoint{} + std::chrono::milliseconds(1'700'000'060'000);
  const auto j = canned_json(c);
  EXPECT_EQ(j.size(), 8u);
  EXPECT_EQ(j.at("id").as_string(), "cr_0123456789abcdef");
  EXPECT_EQ(j.at("queue").as_string(), "billing");
  EXPECT_EQ(j.at("code").as_string(), "refund");
  EXPECT_EQ(j.at("title").as_string(), "Refunds");
  EXPECT_EQ(j.at("text").as_string(), "Hi {customer.name}");
  EXPECT_EQ(j.at("updatedBy").as_string(), "sam");
  EXPECT_EQ(j.at("created").as_string(), format_iso8601(c.created));
  EXPECT_EQ(j.at("updated").as_string(), format_iso8601(c.updated));
}

TEST(Render, QueueAgentAndAudit) {
  hub::QueueView q;
  q.name = "general";
  q.waiting = 3;
  q.longest_wait = Millis(5000);
  EXPECT_EQ(queue_json(q).at("longestWaitMs").as_int64(), 5000);
  EXPECT_EQ(queue_json(q).size(), 9u);
  hub::AgentView a;
  a.id = "bob";
  a.presence = hub::Presence::kBusy;
  a.conversations = {"c1"};
  const auto aj = agent_status_json(a);
  EXPECT_EQ(aj.at("presence").as_string(), "busy");
  EXPECT_EQ(aj.at("conversations").as_array().size(), 1u);
  store::AuditRecord r;
  r.position = 7;
  r.time = TimePoint(std::chrono::seconds(0));
  r.actor = "sue";
  r.action = "transcript.read";
  r.conversation_id = "c1";
  r.detail_json = R"({"x":1})";
  const auto j = audit_json(r);
  EXPECT_EQ(j.at("position").as_uint64(), 7u);
  EXPECT_EQ(j.at("time").as_string(), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(j.at("detail").at("x").as_int64(), 1);
}

TEST(Render, StreamMessagesCarryTheirTypeAndFields) {
  engagement::Offer offer;
  offer.conversation = "c1";
  offer.offer_id = 4;
  offer.expires_at = TimePoint(std::chrono::seconds(30));
  offer.queue = "billing";
  offer.transfer = true;
  offer.reason = "requested";
  offer.waited = Millis(2500);
  offer.agent_message = "refund";
  offer.note = "vip";
  const auto o = event_json(offer);
  EXPECT_EQ(o.at("type").as_string(), "offer");
  EXPECT_EQ(o.at("conversationId").as_string(), "c1");
  EXPECT_EQ(o.at("offerId").as_uint64(), 4u);
  EXPECT_EQ(o.at("expiresAt").as_string(), "1970-01-01T00:00:30.000Z");
  EXPECT_EQ(o.at("waitedMs").as_int64(), 2500);
  EXPECT_EQ(o.at("note").as_string(), "vip");
  EXPECT_EQ(o.size(), 10u);

  engagement::Hello hello;
  hello.agent = hub::Agent{"alice", "", hub::Role::kSupervisor, {"de"}, 2};
  hello.presence = hub::Presence::kAvailable;
  hello.offers = {offer};
  hello.queues = {"general", "billing"};
  hello.agents = {{"bob", "Bob", hub::Presence::kAway}};
  const auto h = event_json(hello);
  EXPECT_EQ(h.at("type").as_string(), "hello");
  EXPECT_EQ(h.at("agent").at("displayName").as_string(), "alice");
  EXPECT_EQ(h.at("agent").at("role").as_string(), "supervisor");
  EXPECT_EQ(h.at("presence").as_string(), "available");
  EXPECT_FALSE(h.at("offers").as_array()[0].as_object().contains("type"));
  EXPECT_EQ(h.at("queues").as_array()[1].as_string(), "billing");
  EXPECT_EQ(h.at("agents").as_array()[0].at("presence").as_string(), "away");
  EXPECT_FALSE(hello_json(hello).contains("type")) << "GET me is the hello without its type";

  EXPECT_EQ(event_json(engagement::OfferWithdrawn{"c1", 4, engagement::WithdrawCause::kAgentAway})
                .at("cause")
                .as_string(),
            "agent_away");
  EXPECT_EQ(
      event_json(engagement::Unassigned{"c1", engagement::UnassignCause::kTransferred}).at("cause"),
      "transferred");
  EXPECT_EQ(event_json(engagement::WrapUpStarted{"c1"}).at("type"), "wrap_up");
  const auto assigned = event_json(engagement::Assigned{"c1", std::nullopt});
  EXPECT_TRUE(assigned.at("conversation").as_object().empty());
  EXPECT_EQ(event_json(engagement::PresenceNow{hub::Presence::kBusy, hub::PresenceCause::kCapacity})
                .at("cause"),
            "capacity");

  auto text = std::make_shared<const std::string>(
      R"({"type":"message","from":{"id":"u","role":"user"},"text":"hi"})");
  const auto activity = event_json(engagement::ActivityAdded{"c1", 6, text, 5});
  EXPECT_EQ(activity.at("type"), "activity");
  EXPECT_EQ(activity.at("entry").at("part"), "live");
  EXPECT_EQ(activity.at("entry").at("sender"), "customer");
  EXPECT_EQ(activity.at("entry").at("activity").at("text"), "hi");

  engagement::SupervisorView view;
  view.queues.resize(1);
  view.agents.resize(2);
  const auto sup = event_json(view);
  EXPECT_EQ(sup.at("type"), "supervisor");
  EXPECT_EQ(sup.at("queues").as_array().size(), 1u);
  EXPECT_EQ(sup.at("agents").as_array().size(), 2u);
  EXPECT_TRUE(sup.at("conversations").as_array().empty());
}

}  // namespace
}  // namespace baton::agent
