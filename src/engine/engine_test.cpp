// Engine tests with the real SQLite store in a temp dir, the Contoso example bot and a ManualClock.
#include "engine/engine.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <mutex>

#include "core/json.hpp"
#include "engine/engine_test_support.hpp"

namespace baton::engine {
namespace {

using namespace baton::engine::testing;  // NOLINT: test helpers
namespace bj = boost::json;

const char* kGreeting =
    "Hi! I'm the Contoso virtual assistant. I can help with store hours, returns, order status and "
    "payments.";

TEST(ActivityIds, FormatAndParse) {
  EXPECT_EQ(make_activity_id("abc", 7), "abc|0000007");
  EXPECT_EQ(make_activity_id("abc", 12345678), "abc|12345678");
  EXPECT_EQ(parse_activity_seq("abc|0000007", "abc"), 7u);
  EXPECT_FALSE(parse_activity_seq("abd|0000007", "abc").has_value());
  EXPECT_FALSE(parse_activity_seq("abc|", "abc").has_value());
  EXPECT_FALSE(parse_activity_seq("abc|12x", "abc").has_value());
}

TEST_F(EngineTest, StartWithUserGreetsOnceDurably) {
  auto started = start("c1", true);
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(started->created);
  EXPECT_EQ(started->watermark, 1u);
  EXPECT_EQ(bot_texts("c1"), std::vector<std::string>{kGreeting});

  auto again = start("c1", true);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->watermark, 1u);
  ASSERT_TRUE(event("c1", "startConversation").ok());
  EXPECT_EQ(bot_texts("c1").size(), 1u) << "the greeting runs once";
}

TEST_F(EngineTest, StartConversationEventGreetsOnceAndSurvivesRestart) {
  ASSERT_TRUE(start("c1", false).ok());
  EXPECT_TRUE(log("c1").empty());
  ASSERT_TRUE(event("c1", "startConversation").ok());
  EXPECT_EQ(bot_texts("c1"), std::vector<std::string>{kGreeting});
  close();
  open();
  ASSERT_TRUE(event("c1", "startConversation").ok());
  EXPECT_EQ(bot_texts("c1").size(), 1u) << "'greeted' is part of the snapshot";
}

TEST_F(EngineTest, PostStampsAndAcknowledgesOnlyWhenDurable) {
  ASSERT_TRUE(start("c1", true).ok());
  std::promise<std::size_t> stored_at_ack;
  activity::Activity a = activity::make_message("what are your store hours");
  a.channel_id = "webchat";
  a.channel_data = bj::object{{"clientActivityID", "abc"}};
  engine_->post_activity("c1", a, [&](Result<PostResult> r) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->id, "c1|0000002");
    EXPECT_EQ(r->seq, 2u);
    stored_at_ack.set_value(store_->read_transcript("c1")->size());
  });
  EXPECT_EQ(stored_at_ack.get_future().get(), 3u) << "customer + question stored before the ack";
  const auto stored = log("c1");
  ASSERT_EQ(stored.size(), 3u);
  const activity::Activity& echo = stored[1];
  EXPECT_EQ(echo.channel_id, "directline");
  EXPECT_EQ(echo.conversation.id, "c1");
  EXPECT_EQ(echo.from.id, "user-1");
  EXPECT_EQ(echo.from.role, "user");
  EXPECT_EQ(echo.timestamp, "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(bj::serialize(echo.channel_data), R"({"clientActivityID":"abc"})");
  EXPECT_EQ(stored[2].text, "Which store are you asking about?");
  EXPECT_EQ(stored[2].from.role, "bot");
  EXPECT_EQ(stored[2].reply_to_id, "c1|0000002");
}

TEST_F(EngineTest, InvalidActivitiesAreRefusedWithoutUsingASeq) {
  ASSERT_TRUE(start("c1", true).ok());
  activity::Activity nameless;
  nameless.type = "event";
  auto r = await<PostResult>([&](auto cb) { engine_->post_activity("c1", nameless, cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  auto big = say("c1", std::string(std::size_t{300} * 1024, 'x'));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  auto unknown = say("nope", "hi");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto ok = say("c1", "hello");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->seq, 2u) << "refused activities leave no gap";
  const EngineStats stats = engine_->stats();
  EXPECT_EQ(stats.turns, 1u) << "only the acknowledged turn counts";
  EXPECT_EQ(stats.turn_seconds.count(), 1u);
}

TEST_F(EngineTest, StatsCountAcknowledgedTurnsAndTimeThem) {
  EXPECT_EQ(engine_->stats().turns, 0u);
  ASSERT_TRUE(start("c1", true).ok());
  EXPECT_EQ(engine_->stats().turns, 0u) << "starting a conversation is not a turn";
  for (const char* text : {"hello", "what are your store hours", "Seattle"}) {
    ASSERT_TRUE(say("c1", text).ok());
  }
  const EngineStats stats = engine_->stats();
  EXPECT_EQ(stats.turns, 3u);
  EXPECT_EQ(stats.turn_seconds.count(), 3u);
  EXPECT_GT(stats.turn_seconds.sum, 0.0) << "a durable commit takes time";
  EXPECT_EQ(stats.turn_seconds.upper_bounds.size(), metrics::kLatencyBuckets.size());
}

TEST_F(EngineTest, TypingIsStoredWithoutTouchingTheDialog) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  const auto before = store_->get_snapshot("c1");
  ASSERT_TRUE(before.ok());
  auto typed = await<PostResult>(
      [&](auto cb) { engine_->post_activity("c1", activity::make_typing(), cb); });
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->seq, 4u);
  EXPECT_EQ(store_->get_snapshot("c1")->seq, before->seq) << "no snapshot write for typing";
  auto answer = say("c1", "Seattle");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(bot_texts("c1").back(), "Our Seattle store is open 10am to 9pm every day.");
}

TEST_F(EngineTest, RestartContinuesMidQuestionWithContinuousWatermarks) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  close();
  open();
  auto answer = say("c1", "Seattle");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->id, "c1|0000004");
  const auto texts = bot_texts("c1");
  ASSERT_GE(texts.size(), 3u);
  EXPECT_EQ(texts[2], "Our Seattle store is open 10am to 9pm every day.");
  auto s = status("c1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->watermark, log("c1").size());
}

// A reloaded conversation's runtime does not read its past transcript; a handoff still carries
// all of it, the stored part first, then what the runtime saw since, in order and once each.
TEST_F(EngineTest, HandoffAfterAReloadCarriesTheWholeTranscript) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  close();
  open();
  ASSERT_TRUE(say("c1", "Seattle").ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  const bj::object request = only_handoff_request("c1");
  ASSERT_FALSE(request.empty());
  // Everything stored before the handoff.initiate event.
  const std::vector<std::string> expected = history_ids_before("c1", initiate_id_of(request));
  EXPECT_GE(expected.size(), 6u);
  EXPECT_EQ(ids_of(request.at("transcript").as_array()), expected);
  EXPECT_EQ(request.at("transcriptTruncated"), false);
}

// In a long conversation the handoff carries the newest activities that fit in the budget, so the
// handoff.initiate event stays within Bot Framework's activity size (and the engine's strand is not
// held for the whole log); the request says older ones were left out.
TEST_F(EngineTest, HandoffInALongConversationCarriesTheNewestActivitiesThatFit) {
  ASSERT_TRUE(start("c1", true).ok());
  for (int i = 0; i < 200; ++i) {  // about 1.1 KB a turn: the greeting's reply is long
    ASSERT_TRUE(say("c1", "hello").ok());
  }
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  const bj::object request = only_handoff_request("c1");
  ASSERT_FALSE(request.empty());
  EXPECT_EQ(request.at("transcriptTruncated"), true);
  const bj::array& transcript = request.at("transcript").as_array();
  EXPECT_LE(json::dump(transcript).size(), kTranscriptBudget + transcript.size());  // + commas
  const std::vector<std::string> ids = ids_of(transcript);
  const std::vector<std::string> before_initiate =
      history_ids_before("c1", initiate_id_of(request));
  const auto stored = log("c1");
  const auto initiate = std::find_if(stored.begin(), stored.end(), [](const auto& a) {
    return a.type == "event" && a.name == "handoff.initiate";
  });
  ASSERT_NE(initiate, stored.end());
  const std::size_t initiate_size = json::dump(activity::to_json(*initiate)).size();
  // The newest ones, in order, ending with the escalating message; more than half the budget.
  ASSERT_GT(ids.size(), 60u);
  ASSERT_LT(ids.size(), before_initiate.size());
  EXPECT_TRUE(std::equal(ids.begin(), ids.end(), before_initiate.end() - ids.size()));
  EXPECT_GT(initiate_size, kTranscriptBudget / 2);
  EXPECT_LT(initiate_size, 150'000u);  // Bot Framework recommends < 150K characters
}

TEST_F(EngineTest, HandoffWritesRecordEventAndQueuesAndPauses) {
  ASSERT_TRUE(start("c1", true).ok());
  auto sub = std::make_shared<RecordingSubscriber>();
  ASSERT_TRUE(
      await<SubscriptionId>([&](auto cb) { engine_->subscribe("c1", 1, "", sub, cb); }).ok());
  auto escalated = say("c1", "talk to an agent");
  ASSERT_TRUE(escalated.ok());

  auto s = status("c1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ownership, (Ownership{Owner::kQueued, 1}));
  EXPECT_EQ(s->flow, dialog::FlowState::kHandoffPending);
  auto handoffs = store_->handoffs_for_conversation("c1");
  ASSERT_TRUE(handoffs.ok());
  ASSERT_EQ(handoffs->size(), 1u);
  const store::HandoffRecord& h = (*handoffs)[0];
  EXPECT_EQ(h.status, "pending");
  EXPECT_EQ(h.reason, "requested");
  EXPECT_EQ(h.queue, "general");
  EXPECT_EQ(s->open_handoff_id, h.id);
  auto request = json::parse(h.request_json);
  ASSERT_TRUE(request.ok());
  const bj::object& req = request->as_object();
  EXPECT_EQ(req.at("context").at("va_ConversationId"), "c1");
  EXPECT_FALSE(req.at("transcript").as_array().empty());
  EXPECT_EQ(req.at("routing").at("queue"), "general");

  const auto stored = log("c1");
  const auto initiate = std::find_if(stored.begin(), stored.end(), [](const auto& a) {
    return a.type == "event" && a.name == "handoff.initiate";
  });
  ASSERT_NE(initiate, stored.end());
  EXPECT_EQ(initiate->reply_to_id, escalated->id);
  auto events = store_->read_events("c1", 0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "handoff.requested");
  EXPECT_EQ((*events)[1].kind, "ownership.changed");
  EXPECT_EQ((*events)[1].epoch, 1u);

  // The subscriber saw the event as internal: the channel filters it out for customers.
  const auto audiences = sub->audiences();
  const auto seqs = sub->seqs();
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    const auto& a = stored[seqs[i] - 1];
    EXPECT_EQ(audiences[i], a.type == "message" ? Audience::kCustomer : Audience::kInternal);
  }

  // While queued the bot stays quiet.
  const std::size_t before = bot_texts("c1").size();
  ASSERT_TRUE(say("c1", "hello? what are your store hours").ok());
  EXPECT_EQ(bot_texts("c1").size(), before);
}

TEST_F(EngineTest, HandoffEndedResumesTheTopicAndReturnsToTheBot) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto ended = await<Ownership>([&](auto cb) {
    engine_->change_ownership(
        {"c1", 1, OwnershipEvent::kHandoffEnded, dialog::HandoffOutcome::kCancelled, {}}, cb);
  });
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_EQ(*ended, (Ownership{Owner::kBot, 2}));
  EXPECT_EQ(bot_texts("c1").back(), "OK, I'm here if you need me.");
  auto handoffs = store_->handoffs_for_conversation("c1");
  ASSERT_EQ(handoffs->size(), 1u);
  EXPECT_EQ((*handoffs)[0].status, "cancelled");
  EXPECT_FALSE((*handoffs)[0].request_json.empty()) << "the request survives the update";
}

// A second handoff's transcript holds everything before it (the agent's message and the bot's
// replies from the first one included) except typing and the first handoff's protocol events,
// whose handoff.initiate carries the first transcript.
TEST_F(EngineTest, SecondHandoffLeavesOutTheFirstOnesEventsAndTyping) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto move = [&](Ownership claim, OwnershipEvent e) {
    return await<Ownership>([&](auto cb) {
      engine_->change_ownership({"c1", claim.epoch, e, dialog::HandoffOutcome::kCompleted, {}}, cb);
    });
  };
  ASSERT_TRUE(move({Owner::kQueued, 1}, OwnershipEvent::kOffered).ok());
  ASSERT_TRUE(move({Owner::kOffered, 2}, OwnershipEvent::kAccepted).ok());
  activity::Activity agent_says = activity::make_message("Hi, I'm Sam");
  agent_says.from = {"agent-sam", "Sam", "bot"};
  ASSERT_TRUE(await<PostResult>([&](auto cb) {
                engine_->post_as_owner({"c1", 3, agent_says}, cb);
              }).ok());
  ASSERT_TRUE(move({Owner::kAgent, 3}, OwnershipEvent::kHandoffEnded).ok());
  ASSERT_TRUE(await<PostResult>([&](auto cb) {
                engine_->post_activity("c1", activity::make_typing(), cb);
              }).ok());
  close();
  open();                                   // the stored part is all of it now
  clock_.advance(std::chrono::seconds(1));  // handoffs are listed by creation time
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto handoffs = store_->handoffs_for_conversation("c1");
  ASSERT_TRUE(handoffs.ok());
  ASSERT_EQ(handoffs->size(), 2u);
  auto second = json::parse(handoffs->back().request_json);
  ASSERT_TRUE(second.ok());
  const bj::object& request = second->as_object();
  const std::vector<std::string> expected = history_ids_before("c1", initiate_id_of(request));
  EXPECT_EQ(ids_of(request.at("transcript").as_array()), expected);
  EXPECT_GE(expected.size(), 8u);
  EXPECT_EQ(request.at("transcriptTruncated"), false);
  const std::string transcript = json::dump(request.at("transcript"));
  EXPECT_NE(transcript.find("Hi, I'm Sam"), std::string::npos);
  EXPECT_EQ(transcript.find("handoff."), std::string::npos);
}

TEST_F(EngineTest, StaleOwnerAndEpochAreRefused) {
  ASSERT_TRUE(start("c1", true).ok());
  activity::Activity agent_says = activity::make_message("Hi, I'm Sam");
  agent_says.from = {"agent-sam", "Sam", "bot"};
  auto as_owner = [&](Ownership claim) {
    return await<PostResult>([&](auto cb) {
      engine_->post_as_owner({"c1", claim.epoch, agent_says}, cb);
    });
  };
  auto move = [&](Ownership claim, OwnershipEvent e) {
    return await<Ownership>([&](auto cb) {
      engine_->change_ownership({"c1", claim.epoch, e, dialog::HandoffOutcome::kCompleted, {}}, cb);
    });
  };
  EXPECT_EQ(as_owner({Owner::kAgent, 0}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(move({Owner::kQueued, 1}, OwnershipEvent::kOffered).ok());
  EXPECT_EQ(move({Owner::kQueued, 1}, OwnershipEvent::kAccepted).error().code, ErrorCode::kConflict)
      << "stale claim";
  ASSERT_TRUE(move({Owner::kOffered, 2}, OwnershipEvent::kAccepted).ok());
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "accepted");
  auto posted = as_owner({Owner::kAgent, 3});
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_EQ(as_owner({Owner::kAgent, 2}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(move({Owner::kAgent, 3}, OwnershipEvent::kHandoffEnded).ok());
  EXPECT_EQ(as_owner({Owner::kAgent, 3}).error().code, ErrorCode::kConflict)
      << "an agent who was unassigned cannot write";
  auto s = status("c1");
  EXPECT_EQ(s->ownership, (Ownership{Owner::kBot, 4}));
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "completed");
}

TEST_F(EngineTest, FailedWriteIsReportedAndMemoryReloadsFromStore) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  store_->fail_writes = true;
  auto failed = say("c1", "Seattle");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  store_->fail_writes = false;
  auto s = status("c1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->watermark, 3u) << "the failed turn left nothing behind";
  auto retried = say("c1", "Seattle");
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->seq, 4u);
  EXPECT_EQ(bot_texts("c1").back(), "Our Seattle store is open 10am to 9pm every day.")
      << "the question was still pending: memory did not keep the failed turn";
}

TEST_F(EngineTest, IdleConversationsAreEvictedAndReloadOnDemand) {
  close();
  EngineOptions options;
  options.max_loaded_conversations = 2;
  open(options);
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(start(id, true).ok());
    ASSERT_TRUE(say(id, "what are your store hours").ok());
  }
  std::promise<std::size_t> loaded;
  engine_->loaded_count([&](std::size_t n) { loaded.set_value(n); });
  EXPECT_LE(loaded.get_future().get(), 2u);
  auto answer = say("a", "Redmond");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->seq, 4u);
  EXPECT_EQ(bot_texts("a").back().rfind("Our Redmond store is open", 0), 0u);
}

TEST_F(EngineTest, SubscriptionReplaysThenStreamsWithoutGapsOrDuplicates) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "hello").ok());
  auto sub = std::make_shared<RecordingSubscriber>();
  ASSERT_TRUE(
      await<SubscriptionId>([&](auto cb) { engine_->subscribe("c1", 1, "ws", sub, cb); }).ok());
  // Many posts in flight at once: they queue behind each other per conversation.
  std::vector<std::future<Result<PostResult>>> acks;
  std::vector<std::shared_ptr<std::promise<Result<PostResult>>>> promises;
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<std::promise<Result<PostResult>>>();
    acks.push_back(p->get_future());
    engine_->post_activity("c1", activity::make_message("msg " + std::to_string(i)),
                           [p](Result<PostResult> r) { p->set_value(std::move(r)); });
    promises.push_back(p);
  }
  std::uint64_t last = 0;
  for (auto& f : acks) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_GT(r->seq, last);
    last = r->seq;
  }
  io_.drain(strand_);
  const auto seqs = sub->seqs();
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), 2u);
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    EXPECT_EQ(seqs[i], seqs[i - 1] + 1) << "at " << i;
  }
  EXPECT_EQ(seqs.back(), log("c1").size());

  auto second = std::make_shared<RecordingSubscriber>();
  ASSERT_TRUE(await<SubscriptionId>([&](auto cb) {
                engine_->subscribe("c1", last, "ws", second, cb);
              }).ok());
  EXPECT_TRUE(sub->was_replaced()) << "one subscriber per slot";
}

TEST_F(EngineTest, SubscribingToAnUnknownConversationFails) {
  auto sub = std::make_shared<RecordingSubscriber>();
  auto r = await<SubscriptionId>([&](auto cb) { engine_->subscribe("zzz", 0, "", sub, cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

// Records the engine's events and the handoff hook's calls (they run on the strand; the test reads
// after awaiting).
class RecordingListener final : public EngineListener {
 public:
  void on_event(const EngineEvent& event) override {
    std::lock_guard lock(mutex);
    const bj::object o = to_json(event);
    std::string line(o.at("type").as_string());
    if (const auto* e = std::get_if<OwnershipChanged>(&event)) {
      line += fmt::format(" {} {}>{} {}", e->conversation, to_string(e->from.owner),
                          to_string(e->to.owner), e->to.epoch);
    } else if (const auto* r = std::get_if<HandoffRequested>(&event)) {
      line += fmt::format(" {} {} {} {}", r->conversation, r->handoff_id, r->queue, r->epoch);
    } else if (const auto* c = std::get_if<HandoffCancelled>(&event)) {
      line += fmt::format(" {} {}", c->conversation, c->epoch);
    } else if (const auto* a = std::get_if<CustomerActed>(&event)) {
      line += fmt::format(" {} {}", a->conversation, o.at("action").as_string());
    }
    calls.push_back(line);
  }
  // The hook's own record rides in the turn's batch, and it hears how that batch's commit went.
  HandoffHook hook() {
    return [this](const HandoffRequested& r) {
      {
        std::lock_guard lock(mutex);
        calls.push_back(fmt::format("hook {} {} epoch {}", r.conversation, r.reason, r.epoch));
      }
      HandoffCommit with;
      with.hub_log.push_back({0, TimePoint{}, R"({"saw":")" + r.handoff_id + R"("})"});
      with.committed = [this, id = r.conversation](const Status& committed) {
        std::lock_guard held(mutex);
        calls.push_back(fmt::format("committed {} {}", id, committed.ok() ? "ok" : "failed"));
      };
      return with;
    };
  }
  // Listener calls run on the strand right after the ack: drain it first.
  std::vector<std::string> take(IoThread& io, const boost::asio::any_io_executor& strand) {
    io.drain(strand);
    std::lock_guard lock(mutex);
    return std::exchange(calls, {});
  }
  std::mutex mutex;
  std::vector<std::string> calls;
};

TEST_F(EngineTest, ListenerHearsHandoffsOwnershipCancelsAndCustomerActivity) {
  RecordingListener listener;
  engine_->set_listener(&listener);
  engine_->set_handoff_hook(listener.hook());
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  EXPECT_EQ(listener.take(io_, strand_),
            (std::vector<std::string>{
                "hook c1 requested epoch 1", "committed c1 ok", "ownership_changed c1 bot>queued 1",
                "handoff_requested c1 c1|h5 general 1", "customer_acted c1 message"}));
  const auto logged = store_->read_hub_log(0, 10);
  ASSERT_TRUE(logged.ok());
  ASSERT_EQ(logged->size(), 1u) << "the hook's record committed with the turn";
  EXPECT_EQ(logged->front().json, R"({"saw":"c1|h5"})");
  ASSERT_TRUE(say("c1", "cancel").ok());
  EXPECT_EQ(listener.take(io_, strand_),
            (std::vector<std::string>{"ownership_changed c1 queued>bot 2", "handoff_cancelled c1 2",
                                      "customer_acted c1 message"}));
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  listener.take(io_, strand_);
  // Commands are reported like every other change.
  ASSERT_TRUE(await<Ownership>([&](auto cb) {
                engine_->change_ownership({"c1",
                                           status("c1")->ownership.epoch,
                                           OwnershipEvent::kHandoffEnded,
                                           dialog::HandoffOutcome::kTimedOut,
                                           {}},
                                          cb);
              }).ok());
  EXPECT_EQ(listener.take(io_, strand_),
            (std::vector<std::string>{"ownership_changed c1 queued>bot 4"}));
  engine_->set_listener(nullptr);
}

// The customer's language rides with the handoff (and the availability question): the start
// locale, else the locale on the customer's activity, else the bot's language; never a locale
// that is not a language tag.
TEST_F(EngineTest, TheHandoffCarriesTheCustomersLanguage) {
  std::vector<std::string> heard;  // written and read on the strand / after draining it
  engine_->set_handoff_hook([&heard](const HandoffRequested& r) {
    heard.push_back("hook " + r.conversation + " " + r.language);
    return HandoffCommit{};
  });
  engine_->set_availability_hook([&heard](const std::string& conversation, const std::string&,
                                          const std::string& language,
                                          const dialog::HandoffRequest&) {
    heard.push_back("ask " + conversation + " " + language);
    return std::optional<dialog::HandoffUnavailable>{};
  });
  auto start_in = [&](const std::string& id, const std::string& locale) {
    StartParams p;
    p.conversation_id = id;
    p.user = {"user-" + id, "Ann", "user"};
    p.locale = locale;
    return await<StartResult>([&](auto cb) { engine_->start_conversation(p, cb); });
  };
  auto ask_in = [&](const std::string& id, const std::string& locale) {
    activity::Activity a = activity::make_message("talk to an agent");
    a.locale = locale;
    return await<PostResult>([&](auto cb) { engine_->post_activity(id, a, cb); });
  };
  ASSERT_TRUE(start_in("c1", "de-DE").ok());
  ASSERT_TRUE(ask_in("c1", "fr-FR").ok());  // the start locale wins
  ASSERT_TRUE(start_in("c2", "").ok());
  ASSERT_TRUE(ask_in("c2", "fr-FR").ok());
  ASSERT_TRUE(start_in("c3", "").ok());
  ASSERT_TRUE(ask_in("c3", "").ok());  // Contoso's language
  ASSERT_TRUE(start_in("c4", "x\"><b>").ok());
  ASSERT_TRUE(ask_in("c4", std::string(40, 'a')).ok());  // neither is a language tag
  io_.drain(strand_);
  EXPECT_EQ(heard, (std::vector<std::string>{"ask c1 de-DE", "hook c1 de-DE", "ask c2 fr-FR",
                                             "hook c2 fr-FR", "ask c3 en-us", "hook c3 en-us",
                                             "ask c4 en-us", "hook c4 en-us"}));
  const auto records = store_->handoffs_for_conversation("c2");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(json::string_at(json::parse_object(records->front().request_json), "language"), "fr-FR")
      << "kept with the handoff record";
  engine_->set_handoff_hook({});
  engine_->set_availability_hook({});
}

TEST_F(EngineTest, TheHookHearsThatTheEscalatingTurnFailedToCommit) {
  RecordingListener listener;
  engine_->set_listener(&listener);
  engine_->set_handoff_hook(listener.hook());
  ASSERT_TRUE(start("c1", true).ok());
  store_->fail_writes = true;
  EXPECT_FALSE(say("c1", "talk to an agent").ok());
  store_->fail_writes = false;
  EXPECT_EQ(listener.take(io_, strand_),
            (std::vector<std::string>{"hook c1 requested epoch 1", "committed c1 failed"}))
      << "told of the failure; no event reported";
  EXPECT_TRUE(store_->read_hub_log(0, 10)->empty());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot) << "reloaded from the store";
  engine_->set_listener(nullptr);
}

TEST_F(EngineTest, NoticesAreBotSideMessagesInEveryStateButClosed) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto posted = await<PostResult>([&](auto cb) {
    engine_->post_notice({"c1", activity::make_message("You're number 1 in the queue.")}, cb);
  });
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  const auto stored = log("c1");
  EXPECT_EQ(stored.back().text, "You're number 1 in the queue.");
  EXPECT_EQ(stored.back().from.role, "bot");
  EXPECT_EQ(stored.back().from.id, "contoso-store");
  EXPECT_EQ(stored.back().recipient.id, "user-1");
  EXPECT_EQ(status("c1")->ownership, (Ownership{Owner::kQueued, 1})) << "no ownership change";

  ASSERT_TRUE(await<Ownership>([&](auto cb) {
                engine_->change_ownership({"c1", 1, OwnershipEvent::kClosed,
                                           dialog::HandoffOutcome::kCancelled, HandoffEnd{}},
                                          cb);
              }).ok());
  auto refused = await<PostResult>([&](auto cb) {
    engine_->post_notice({"c1", activity::make_message("too late")}, cb);
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
}

TEST_F(EngineTest, CloseEndsTheHandoffAndTellsTheCustomer) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto closed = await<Ownership>([&](auto cb) {
    engine_->change_ownership({"c1", 1, OwnershipEvent::kClosed, dialog::HandoffOutcome::kCancelled,
                               HandoffEnd{"sam", ""}},
                              cb);
  });
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  EXPECT_EQ(*closed, (Ownership{Owner::kClosed, 2}));
  const auto stored = log("c1");
  EXPECT_EQ(stored.back().type, "endOfConversation");
  EXPECT_EQ(stored.back().from.role, "bot");
  auto h = (*store_->handoffs_for_conversation("c1"))[0];
  EXPECT_EQ(h.status, "cancelled");
  auto outcome = json::parse(h.outcome_json);
  EXPECT_EQ(outcome->at("agent"), "sam");
  EXPECT_EQ(outcome->at("endedAt"), "2027-01-15T08:00:00.000Z");
  EXPECT_TRUE(store_->get_conversation("c1")->closed);
  EXPECT_EQ(say("c1", "hello?").error().code, ErrorCode::kConflict);
}

// Erasure: a queued conversation is refused (the engagement closes it first); a bot-owned one
// with a subscriber goes in one batch, leaving only its tombstone, and its id stays refused,
// across a restart too.
TEST_F(EngineTest, EraseLeavesATombstoneThatRefusesTheConversationEverAfter) {
  auto erase = [&](const std::string& id) {
    return await<ErasedConversation>([&](auto cb) { engine_->erase_conversation(id, cb); });
  };
  ASSERT_TRUE(start("queued", true).ok());
  ASSERT_TRUE(say("queued", "talk to an agent").ok());
  EXPECT_EQ(erase("queued").error().code, ErrorCode::kConflict);
  EXPECT_EQ(status("queued")->ownership.owner, Owner::kQueued);

  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "where is my order 4711").ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(await<Ownership>([&](auto cb) {
                engine_->change_ownership({"c1", 1, OwnershipEvent::kHandoffEnded,
                                           dialog::HandoffOutcome::kCancelled, HandoffEnd{}},
                                          cb);
              }).ok());
  const std::uint64_t length = log("c1").size();
  auto sub = std::make_shared<RecordingSubscriber>();
  ASSERT_TRUE(await<SubscriptionId>([&](auto cb) {
                engine_->subscribe("c1", length, "ws", sub, cb);
              }).ok());
  auto erased = erase("c1");
  ASSERT_TRUE(erased.ok()) << erased.error().message;
  EXPECT_EQ(erased->id, "c1");
  EXPECT_EQ(erased->activities, length);
  io_.drain(strand_);
  EXPECT_TRUE(sub->was_erased());

  auto row = store_->get_conversation("c1");
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(store::is_erased(*row));
  EXPECT_TRUE(row->user_id.empty());
  EXPECT_TRUE(store_->read_transcript("c1")->empty());
  EXPECT_EQ(store_->get_snapshot("c1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->handoffs_for_conversation("c1")->empty());
  EXPECT_TRUE(store_->read_events("c1", 0, 100)->empty());

  auto refused = [](const Error& e) {
    EXPECT_EQ(e.code, ErrorCode::kForbidden) << e.message;
    EXPECT_EQ(e.protocol_code, "ConversationErased");
  };
  for (int round = 0; round < 2; ++round) {
    refused(say("c1", "hello?").error());
    refused(start("c1", true).error());
    refused(status("c1").error());
    refused(erase("c1").error());
    refused(await<SubscriptionId>([&](auto cb) {
              engine_->subscribe("c1", 0, "", std::make_shared<RecordingSubscriber>(), cb);
            }).error());
    close();
    open();
  }
  EXPECT_EQ(status("queued")->ownership.owner, Owner::kQueued) << "others untouched";
}

// Retention deletes a conversation the engine does not hold without loading it, and one it
// holds through its queue; a recent one stays; nothing is left in memory either way.
TEST_F(EngineTest, ExpireDeletesIdleConversationsLoadedOrNot) {
  auto expire = [&](const std::string& id, TimePoint idle_before) {
    return await<bool>([&](auto cb) { engine_->expire_conversation(id, idle_before, cb); });
  };
  auto loaded = [&] {
    return *await<std::size_t>(
        [&](auto cb) { engine_->loaded_count([cb](std::size_t n) { cb(n); }); });
  };
  ASSERT_TRUE(start("cold", true).ok());
  ASSERT_TRUE(say("cold", "hello").ok());
  ASSERT_TRUE(start("warm", true).ok());
  close();
  open();
  clock_.advance(std::chrono::hours(2));
  ASSERT_TRUE(start("recent", true).ok());
  ASSERT_TRUE(say("warm", "hello").ok());  // loaded now, and updated now
  EXPECT_EQ(loaded(), 2u);

  const TimePoint hour_ago = clock_.now() - std::chrono::hours(1);
  EXPECT_FALSE(*expire("warm", hour_ago));
  EXPECT_FALSE(*expire("recent", hour_ago));
  auto cold = expire("cold", hour_ago);
  ASSERT_TRUE(cold.ok()) << cold.error().message;
  EXPECT_TRUE(*cold);
  EXPECT_EQ(loaded(), 2u) << "the cold one was never loaded";
  EXPECT_EQ(store_->get_conversation("cold").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->read_transcript("cold")->empty());
  EXPECT_EQ(say("cold", "anyone?").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(expire("cold", hour_ago).error().code, ErrorCode::kNotFound);

  clock_.advance(std::chrono::hours(2));
  auto warm = expire("warm", clock_.now() - std::chrono::hours(1));
  ASSERT_TRUE(warm.ok());
  EXPECT_TRUE(*warm) << "a loaded one goes through its queue";
  EXPECT_EQ(loaded(), 1u);
  EXPECT_TRUE(store_->get_conversation("recent").ok());
}

// An abandoned wait is stored as such (status and outcome), while the flow resumes the way the
// Engagement asks (here: cancelled, as for a customer gone silent).
TEST_F(EngineTest, AbandonedHandoffIsRecordedAsAbandoned) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto ended = await<Ownership>([&](auto cb) {
    engine_->change_ownership({"c1", 1, OwnershipEvent::kHandoffEnded,
                               dialog::HandoffOutcome::kCancelled, HandoffEnd{"", "silent"}},
                              cb);
  });
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_EQ(ended->owner, Owner::kBot);
  auto h = (*store_->handoffs_for_conversation("c1"))[0];
  EXPECT_EQ(h.status, "abandoned");
  auto outcome = json::parse(h.outcome_json);
  EXPECT_EQ(outcome->at("outcome"), "cancelled");
  EXPECT_EQ(outcome->at("abandoned"), "silent");
  bool event_found = false;
  const auto events = store_->read_events("c1", 0, 100);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) {
    if (e.kind == "handoff.ended") {
      event_found = json::parse(e.payload_json)->at("abandoned") == "silent";
    }
  }
  EXPECT_TRUE(event_found);
}

TEST_F(EngineTest, HandoffStatusEventsMarkAcceptedAndCompleted) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  auto move = [&](Ownership claim, OwnershipEvent e) {
    return await<Ownership>([&](auto cb) {
      engine_->change_ownership(
          {"c1", claim.epoch, e, dialog::HandoffOutcome::kCompleted, HandoffEnd{"sam", ""}}, cb);
    });
  };
  ASSERT_TRUE(move({Owner::kQueued, 1}, OwnershipEvent::kOffered).ok());
  ASSERT_TRUE(move({Owner::kOffered, 2}, OwnershipEvent::kAccepted).ok());
  ASSERT_TRUE(move({Owner::kAgent, 3}, OwnershipEvent::kRequeued).ok());
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "pending");
  ASSERT_TRUE(move({Owner::kQueued, 4}, OwnershipEvent::kOffered).ok());
  ASSERT_TRUE(move({Owner::kOffered, 5}, OwnershipEvent::kAccepted).ok());
  ASSERT_TRUE(move({Owner::kAgent, 6}, OwnershipEvent::kHandoffEnded).ok());
  std::vector<std::string> states;
  for (const auto& a : log("c1")) {
    if (a.type == "event" && a.name == "handoff.status") {
      states.emplace_back(a.value.at("state").as_string());
    }
  }
  EXPECT_EQ(states, (std::vector<std::string>{"accepted", "accepted", "completed"}));
  EXPECT_EQ(bot_texts("c1").back(), "Thanks for chatting with us.")
      << "the bot speaks after the handoff.status event";
}

TEST_F(EngineTest, AgentsOfflineTakesTheOfflinePathAtOnce) {
  engine_->set_agents_online({false});
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  auto texts = bot_texts("c1");
  EXPECT_NE(std::find(texts.begin(), texts.end(), "There are no agents available at this time."),
            texts.end());
  EXPECT_EQ(texts.back(), "Sorry, nobody can take your chat right now.");
  EXPECT_EQ(std::find(texts.begin(), texts.end(), "Let's send you to an available agent."),
            texts.end());

  // Back online: the flag reaches conversations already loaded (and their snapshots).
  engine_->set_agents_online({true});
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);
  EXPECT_EQ(bot_texts("c1").back(), "Let's send you to an available agent.");
}

TEST_F(EngineTest, UnsupportedChannelTakesTheUnsupportedPathAndReloadsWithTodaysSetting) {
  ASSERT_TRUE(start("c0", true).ok());  // written while live chat was supported
  close();
  EngineOptions options;
  options.live_chat_supported = false;
  open(options);
  for (const char* id : {"c0", "c1"}) {
    if (std::string(id) == "c1") {
      ASSERT_TRUE(start(id, true).ok());
    }
    ASSERT_TRUE(say(id, "talk to an agent").ok());
    EXPECT_EQ(status(id)->ownership.owner, Owner::kBot) << id;
    auto texts = bot_texts(id);
    EXPECT_NE(
        std::find(texts.begin(), texts.end(), "Sorry, live chat is not available on this channel."),
        texts.end())
        << id;
    auto handoffs = store_->handoffs_for_conversation(id);
    ASSERT_TRUE(handoffs.ok());
    for (const auto& h : *handoffs) {
      EXPECT_EQ(h.status, "unsupported") << id;
    }
  }
}

}  // namespace
}  // namespace baton::engine
