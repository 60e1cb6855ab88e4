#pragma once
// The Store conformance suite for analytics: hourly cells (upserts that add up, every grouping and
// filter, period bounds, the row cap), ended sessions (replace, keyset paging), open sessions (put,
// delete, the idle query), what deleting a conversation removes and keeps, and validation.
// Instantiated like store_suite.hpp:
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreAnalyticsSuite, MyFactory);

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

inline AnalyticsCell make_cell(std::int64_t period, std::string metric, std::int64_t count,
                               double sum, std::string topic = "", std::string queue = "",
                               std::string agent = "") {
  AnalyticsCell c;
  c.period = period;
  c.metric = std::move(metric);
  c.topic = std::move(topic);
  c.queue = std::move(queue);
  c.agent = std::move(agent);
  c.count = count;
  c.sum = sum;
  return c;
}

inline AnalyticsSession make_session(const std::string& conversation_id, std::uint32_t number,
                                     std::int64_t ended_ms) {
  AnalyticsSession s;
  s.conversation_id = conversation_id;
  s.number = number;
  s.started = at_ms(ended_ms - 60'000);
  s.ended = at_ms(ended_ms);
  s.outcome = "resolved";
  s.topic = "Billing";
  return s;
}

template <class Factory>
class StoreAnalyticsSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Factory::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  void write(WriteBatch&& batch) {
    Status s = store_->write(std::move(batch));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  void create(const std::string& id, std::int64_t updated_ms = 1'700'000'000'000) {
    write(std::move(WriteBatch().insert_conversation(make_conversation(id, updated_ms))));
  }

  std::vector<AnalyticsCell> read(std::int64_t from, std::int64_t to, AnalyticsGroup group,
                                  const AnalyticsFilter& filter = {}) {
    auto rows = store_->read_analytics(from, to, filter, group);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? *rows : std::vector<AnalyticsCell>{};
  }

  std::vector<std::string> conversation_ids(const std::vector<OpenSession>& rows) {
    std::vector<std::string> ids;
    ids.reserve(rows.size());
    for (const OpenSession& row : rows) {
      ids.push_back(row.conversation_id);
    }
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreAnalyticsSuite);

TYPED_TEST_P(StoreAnalyticsSuite, CellsAddUpWithinAnOpABatchAndAcrossBatches) {
  this->write(std::move(
      WriteBatch()
          .add_analytics({make_cell(10, "session", 1, 0.5), make_cell(10, "session", 2, 1.25)})
          .add_analytics({make_cell(10, "session", 1, 0.25)})));
  EXPECT_EQ(this->read(0, 100, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "session", 4, 2.0)});

  // Many batches committed together (group commit) still add up.
  constexpr int kBatches = 40;
  std::vector<std::promise<Status>> done(kBatches);
  for (int i = 0; i < kBatches; ++i) {
    WriteBatch batch;
    batch.add_analytics({make_cell(10, "session", 1, 0.5), make_cell(11, "session", 1, 1)});
    ASSERT_TRUE(this->store_
                    ->submit(std::move(batch),
                             [&done, i](Status s) {
                               done[static_cast<std::size_t>(i)].set_value(std::move(s));
                             })
                    .ok());
  }
  for (auto& d : done) {
    ASSERT_TRUE(d.get_future().get().ok());
  }
  EXPECT_EQ(
      this->read(0, 100, AnalyticsGroup::kPeriod),
      (std::vector<AnalyticsCell>{make_cell(10, "session", 4 + kBatches, 2.0 + kBatches * 0.5),
                                  make_cell(11, "session", kBatches, kBatches)}));
  // A non-integral sum of two cells comes back as the same double the same additions give.
  this->write(std::move(WriteBatch().add_analytics({make_cell(20, "wait", 1, 0.1)})));
  this->write(std::move(WriteBatch().add_analytics({make_cell(20, "wait", 1, 0.2)})));
  const double expected = 0.1 + 0.2;
  EXPECT_EQ(this->read(20, 21, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "wait", 2, expected)});
  // Zero cells is no change and no error.
  this->write(std::move(WriteBatch().add_analytics({})));
}

TYPED_TEST_P(StoreAnalyticsSuite, EveryGroupingAndFilter) {
  this->write(std::move(WriteBatch().add_analytics({
      make_cell(5, "session", 1, 0, "Billing"),
      make_cell(5, "session", 2, 0, "Returns"),
      make_cell(6, "session", 4, 0, "Billing"),
      make_cell(5, "handoff.accepted", 1, 1000, "Billing", "billing", "ann"),
      make_cell(6, "handoff.accepted", 1, 3000, "Billing", "billing", "bob"),
      make_cell(6, "handoff.accepted", 1, 5000, "Returns", "returns", "ann"),
      make_cell(6, "csat", 2, 9, "", "returns", "ann"),
  })));
  using G = AnalyticsGroup;
  // Ordered by metric (bytewise: "csat" < "handoff.accepted" < "session"), then the group value.
  EXPECT_EQ(this->read(0, 100, G::kNone),
            (std::vector<AnalyticsCell>{make_cell(0, "csat", 2, 9),
                                        make_cell(0, "handoff.accepted", 3, 9000),
                                        make_cell(0, "session", 7, 0)}));
  EXPECT_EQ(this->read(0, 100, G::kPeriod),
            (std::vector<AnalyticsCell>{
                make_cell(6, "csat", 2, 9), make_cell(5, "handoff.accepted", 1, 1000),
                make_cell(6, "handoff.accepted", 2, 8000), make_cell(5, "session", 3, 0),
                make_cell(6, "session", 4, 0)}));
  EXPECT_EQ(
      this->read(0, 100, G::kTopic),
      (std::vector<AnalyticsCell>{
          make_cell(0, "csat", 2, 9), make_cell(0, "handoff.accepted", 2, 4000, "Billing"),
          make_cell(0, "handoff.accepted", 1, 5000, "Returns"),
          make_cell(0, "session", 5, 0, "Billing"), make_cell(0, "session", 2, 0, "Returns")}));
  EXPECT_EQ(this->read(0, 100, G::kQueue),
            (std::vector<AnalyticsCell>{make_cell(0, "csat", 2, 9, "", "returns"),
                                        make_cell(0, "handoff.accepted", 2, 4000, "", "billing"),
                                        make_cell(0, "handoff.accepted", 1, 5000, "", "returns"),
                                        make_cell(0, "session", 7, 0)}));
  EXPECT_EQ(this->read(0, 100, G::kAgent),
            (std::vector<AnalyticsCell>{make_cell(0, "csat", 2, 9, "", "", "ann"),
                                        make_cell(0, "handoff.accepted", 2, 6000, "", "", "ann"),
                                        make_cell(0, "handoff.accepted", 1, 3000, "", "", "bob"),
                                        make_cell(0, "session", 7, 0)}));

  EXPECT_EQ(this->read(0, 100, G::kNone, AnalyticsFilter{"Billing", "", ""}),
            (std::vector<AnalyticsCell>{make_cell(0, "handoff.accepted", 2, 4000),
                                        make_cell(0, "session", 5, 0)}));
  EXPECT_EQ(this->read(0, 100, G::kAgent, AnalyticsFilter{"", "returns", ""}),
            (std::vector<AnalyticsCell>{make_cell(0, "csat", 2, 9, "", "", "ann"),
                                        make_cell(0, "handoff.accepted", 1, 5000, "", "", "ann")}));
  EXPECT_EQ(this->read(0, 100, G::kPeriod, AnalyticsFilter{"", "", "ann"}),
            (std::vector<AnalyticsCell>{make_cell(6, "csat", 2, 9),
                                        make_cell(5, "handoff.accepted", 1, 1000),
                                        make_cell(6, "handoff.accepted", 1, 5000)}));
  EXPECT_EQ(this->read(0, 100, G::kTopic, AnalyticsFilter{"Billing", "billing", "bob"}),
            (std::vector<AnalyticsCell>{make_cell(0, "handoff.accepted", 1, 3000, "Billing")}));
  EXPECT_TRUE(this->read(0, 100, G::kNone, AnalyticsFilter{"", "", "nobody"}).empty());
}

TYPED_TEST_P(StoreAnalyticsSuite, HourRangeIncludesFromAndExcludesTo) {
  this->write(std::move(WriteBatch().add_analytics(
      {make_cell(-1, "m", 1, 0), make_cell(0, "m", 2, 0), make_cell(9, "m", 4, 0),
       make_cell(10, "m", 8, 0), make_cell(493'000, "m", 16, 0)})));
  EXPECT_EQ(this->read(0, 10, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "m", 6, 0)});
  EXPECT_EQ(this->read(9, 10, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "m", 4, 0)});
  EXPECT_TRUE(this->read(10, 10, AnalyticsGroup::kNone).empty());
  EXPECT_TRUE(this->read(11, 10, AnalyticsGroup::kNone).empty());
  EXPECT_EQ(this->read(-1, 493'001, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "m", 31, 0)});
}

TYPED_TEST_P(StoreAnalyticsSuite, TooManyRowsIsAnError) {
  std::vector<AnalyticsCell> cells;
  const auto rows = static_cast<std::int64_t>(kMaxAnalyticsRows);
  for (std::int64_t period = 0; period <= rows; ++period) {
    cells.push_back(make_cell(period, "session", 1, 0));
  }
  this->write(std::move(WriteBatch().add_analytics(std::move(cells))));
  EXPECT_EQ(this->read(0, rows, AnalyticsGroup::kPeriod).size(), kMaxAnalyticsRows);
  auto too_many = this->store_->read_analytics(0, rows + 1, {}, AnalyticsGroup::kPeriod);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(too_many.error().message, ::testing::HasSubstr("100000"));
  EXPECT_EQ(this->read(0, rows + 1, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "session", rows + 1, 0)});
}

TYPED_TEST_P(StoreAnalyticsSuite, SessionsRoundTripAndReplace) {
  this->create("c1");
  AnalyticsSession full = make_session("c1", 1, 1'700'000'100'000);
  full.outcome = "escalated";
  full.reason = "requested";
  full.queue = "billing";
  full.agent = "ann";
  full.wait_ms = 42'000;
  full.rating = 4;
  full.resolved = false;
  full.surveyed = true;
  AnalyticsSession bare = make_session("c1", 2, 1'700'000'200'000);
  bare.outcome = "unengaged";
  bare.topic = "";
  this->write(std::move(WriteBatch().put_analytics_session(full).put_analytics_session(bare)));
  const TimePoint from = at_ms(0);
  const TimePoint to = at_ms(2'000'000'000'000);
  EXPECT_EQ(*this->store_->read_analytics_sessions(from, to, std::nullopt, 10),
            (std::vector<AnalyticsSession>{full, bare}));

  full.resolved = true;
  full.rating = std::nullopt;
  full.outcome = "resolved";
  full.ended = at_ms(1'700'000'300'000);
  this->write(std::move(WriteBatch().put_analytics_session(full)));
  EXPECT_EQ(*this->store_->read_analytics_sessions(from, to, std::nullopt, 10),
            (std::vector<AnalyticsSession>{bare, full}))
      << "replaced, not added, and ordered by its new end";

  Status unknown = this->store_->write(
      std::move(WriteBatch().put_analytics_session(make_session("ghost", 1, 5))));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(unknown.error().message, ::testing::HasSubstr("ghost"));
}

TYPED_TEST_P(StoreAnalyticsSuite, SessionsPageByKeyWithinBounds) {
  for (const char* id : {"a", "b", "c"}) {
    this->create(id);
  }
  const std::int64_t t = 1'700'000'000'000;
  WriteBatch batch;
  // Inserted out of order; three share one end time.
  for (const auto& [id, number, ended] :
       std::vector<std::tuple<std::string, std::uint32_t, std::int64_t>>{{"c", 1, t + 5},
                                                                         {"b", 2, t + 5},
                                                                         {"a", 1, t + 9},
                                                                         {"b", 1, t + 5},
                                                                         {"a", 2, t + 1},
                                                                         {"c", 2, t + 20}}) {
    batch.put_analytics_session(make_session(id, number, ended));
  }
  this->write(std::move(batch));
  auto keys = [](const std::vector<AnalyticsSession>& rows) {
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const AnalyticsSession& s : rows) {
      out.push_back(s.conversation_id + std::to_string(s.number));
    }
    return out;
  };
  auto all = this->store_->read_analytics_sessions(at_ms(t), at_ms(t + 100), std::nullopt, 100);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(keys(*all), (std::vector<std::string>{"a2", "b1", "b2", "c1", "a1", "c2"}));

  // Pages of two, each after the last key of the one before.
  std::vector<std::string> paged;
  std::optional<SessionKey> after;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = this->store_->read_analytics_sessions(at_ms(t), at_ms(t + 100), after, 2);
    ASSERT_TRUE(page.ok()) << page.error().message;
    if (page->empty()) {
      break;
    }
    EXPECT_LE(page->size(), 2u);
    for (const std::string& key : keys(*page)) {
      paged.push_back(key);
    }
    after = SessionKey{page->back().ended, page->back().conversation_id, page->back().number};
  }
  EXPECT_EQ(paged, keys(*all));

  // from is inclusive, to exclusive.
  EXPECT_EQ(
      keys(*this->store_->read_analytics_sessions(at_ms(t + 5), at_ms(t + 20), std::nullopt, 100)),
      (std::vector<std::string>{"b1", "b2", "c1", "a1"}));
  EXPECT_EQ(keys(*this->store_->read_analytics_sessions(at_ms(t + 5), at_ms(t + 20),
                                                        SessionKey{at_ms(t + 5), "b", 2}, 100)),
            (std::vector<std::string>{"c1", "a1"}));
  EXPECT_TRUE(
      this->store_->read_analytics_sessions(at_ms(t + 21), at_ms(t + 100), std::nullopt, 100)
          ->empty());
}

TYPED_TEST_P(StoreAnalyticsSuite, OpenSessionPutReplaceDeleteGet) {
  this->create("c1", 1'700'000'000'123);
  EXPECT_EQ(this->store_->get_open_session("c1").error().code, ErrorCode::kNotFound);
  OpenSession open{"c1", R"({"n":1})", at_ms(5)};  // `last` is ignored on write
  this->write(std::move(WriteBatch().put_open_session(open)));
  EXPECT_EQ(*this->store_->get_open_session("c1"),
            (OpenSession{"c1", R"({"n":1})", at_ms(1'700'000'000'123)}));

  open.state_json = R"({"n":2})";
  Conversation later = make_conversation("c1", 1'700'000'000'456);
  this->write(std::move(WriteBatch().put_open_session(open).update_conversation(later)));
  EXPECT_EQ(*this->store_->get_open_session("c1"),
            (OpenSession{"c1", R"({"n":2})", at_ms(1'700'000'000'456)}));

  this->write(std::move(WriteBatch().delete_open_session("c1")));
  EXPECT_EQ(this->store_->get_open_session("c1").error().code, ErrorCode::kNotFound);
  this->write(std::move(WriteBatch().delete_open_session("c1")));  // missing: not an error

  Status unknown =
      this->store_->write(std::move(WriteBatch().put_open_session(OpenSession{"ghost", "{}", {}})));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->get_open_session("ghost").error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreAnalyticsSuite, IdleOpenSessionsOldestFirstWithinLimit) {
  const std::int64_t t = 1'700'000'000'000;
  // e has no open session however idle it is; d was updated after the cut.
  for (const auto& [id, updated] : std::vector<std::pair<std::string, std::int64_t>>{
           {"a", t + 30}, {"b", t + 10}, {"c", t + 10}, {"d", t + 100}, {"e", t}}) {
    this->create(id, updated);
  }
  WriteBatch batch;
  for (const char* id : {"a", "b", "c", "d"}) {
    batch.put_open_session(OpenSession{id, std::string(R"({"id":")") + id + "\"}", {}});
  }
  this->write(std::move(batch));

  auto idle = this->store_->open_sessions_idle_before(at_ms(t + 100), 10);
  ASSERT_TRUE(idle.ok()) << idle.error().message;
  EXPECT_EQ(this->conversation_ids(*idle), (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ((*idle)[2], (OpenSession{"a", R"({"id":"a"})", at_ms(t + 30)}));
  EXPECT_EQ(this->conversation_ids(*this->store_->open_sessions_idle_before(at_ms(t + 100), 2)),
            (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(this->conversation_ids(*this->store_->open_sessions_idle_before(at_ms(t + 10), 10)),
            std::vector<std::string>{});
  EXPECT_EQ(this->conversation_ids(*this->store_->open_sessions_idle_before(at_ms(t + 11), 10)),
            (std::vector<std::string>{"b", "c"}));

  // A turn moves a conversation to the back; an ended session leaves the sweep.
  this->write(std::move(
      WriteBatch().update_conversation(make_conversation("b", t + 50)).delete_open_session("c")));
  EXPECT_EQ(this->conversation_ids(*this->store_->open_sessions_idle_before(at_ms(t + 100), 10)),
            (std::vector<std::string>{"a", "b"}));
}

TYPED_TEST_P(StoreAnalyticsSuite, DeleteConversationTakesSessionsAndKeepsCells) {
  this->create("c1");
  this->create("c2");
  for (const char* id : {"c1", "c2"}) {
    this->write(std::move(WriteBatch()
                              .put_analytics_session(make_session(id, 1, 1'700'000'000'000))
                              .put_open_session(OpenSession{id, "{}", {}})
                              .add_analytics({make_cell(7, "session", 1, 0)})));
  }
  this->write(std::move(WriteBatch().delete_conversation("c1")));
  auto sessions =
      this->store_->read_analytics_sessions(at_ms(0), at_ms(2'000'000'000'000), std::nullopt, 10);
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].conversation_id, "c2");
  EXPECT_EQ(this->store_->get_open_session("c1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->store_->get_open_session("c2").ok());
  EXPECT_EQ(this->read(0, 100, AnalyticsGroup::kNone),
            std::vector<AnalyticsCell>{make_cell(0, "session", 2, 0)})
      << "counts outlive the conversations they count";
  this->create("c1");  // the id is free again, with no session of its own
  EXPECT_EQ(this->store_->get_open_session("c1").error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreAnalyticsSuite, InvalidAnalyticsRejectedAtSubmit) {
  this->create("c1");
  auto rejected = [this](WriteBatch batch, const std::string& message) {
    Status s = this->store_->submit(std::move(batch), [](const Status&) {
      ADD_FAILURE() << "a rejected batch has no callback";
    });
    ASSERT_FALSE(s.ok()) << message;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(s.error().message, ::testing::HasSubstr(message));
  };
  const std::string long_text(257, 'x');
  WriteBatch first;
  first.put_meta("k", "v");
  rejected(std::move(first.add_analytics({make_cell(1, "ok", 1, 0), make_cell(1, "", 1, 0)})),
           "operation 1: cell 1 metric must not be empty");
  rejected(std::move(WriteBatch().add_analytics({make_cell(1, std::string(65, 'm'), 1, 0)})),
           "cell 0 metric is 65 bytes, more than 64");
  rejected(std::move(WriteBatch().add_analytics({make_cell(1, "m", 1, 0, long_text)})),
           "cell 0 topic is 257 bytes");
  rejected(std::move(WriteBatch().add_analytics({make_cell(1, "m", 1, 0, "", long_text)})),
           "cell 0 queue is 257 bytes");
  rejected(std::move(WriteBatch().add_analytics({make_cell(1, "m", 1, 0, "", "", long_text)})),
           "cell 0 agent is 257 bytes");
  rejected(std::move(WriteBatch().add_analytics({make_cell(1, "m", -1, 0)})),
           "cell 0 count -1 is negative");
  rejected(std::move(WriteBatch().add_analytics(
               {make_cell(1, "m", 1, std::numeric_limits<double>::infinity())})),
           "cell 0 sum is not a finite number");
  rejected(std::move(WriteBatch().add_analytics(
               {make_cell(1, "m", 1, std::numeric_limits<double>::quiet_NaN())})),
           "cell 0 sum is not a finite number");

  auto session = [](auto change) {
    AnalyticsSession s = make_session("c1", 1, 1'700'000'000'000);
    change(s);
    return std::move(WriteBatch().put_analytics_session(s));
  };
  rejected(session([](AnalyticsSession& s) { s.conversation_id.clear(); }),
           "operation 0: conversation id must not be empty");
  rejected(session([](AnalyticsSession& s) { s.number = 0; }), "session number");
  rejected(session([](AnalyticsSession& s) { s.outcome = "won"; }), "outcome \"won\"");
  rejected(session([](AnalyticsSession& s) { s.rating = 0; }), "rating 0 is outside 1..5");
  rejected(session([](AnalyticsSession& s) { s.rating = 6; }), "rating 6 is outside 1..5");
  rejected(session([](AnalyticsSession& s) { s.wait_ms = -1; }), "wait_ms is negative");
  rejected(session([](AnalyticsSession& s) { s.ended = s.started - std::chrono::milliseconds(1); }),
           "ended before it started");
  rejected(session([&](AnalyticsSession& s) { s.reason = long_text; }), "reason is 257 bytes");

  rejected(std::move(WriteBatch().put_open_session(OpenSession{"", "{}", {}})),
           "conversation id must not be empty");
  rejected(std::move(WriteBatch().put_open_session(
               OpenSession{"c1", std::string(kMaxOpenSessionStateLength + 1, ' '), {}})),
           "state_json is 16385 bytes, more than 16384");
  rejected(std::move(WriteBatch().delete_open_session("")), "conversation id must not be empty");

  // The limits themselves are accepted.
  AnalyticsSession edge = make_session("c1", 1, 1'700'000'000'000);
  edge.started = edge.ended;
  edge.rating = 5;
  edge.wait_ms = 0;
  edge.agent = std::string(256, 'a');
  this->write(std::move(
      WriteBatch()
          .add_analytics({make_cell(1, std::string(64, 'm'), 0, -2.5, std::string(256, 't'))})
          .put_analytics_session(edge)
          .put_open_session(OpenSession{"c1", std::string(kMaxOpenSessionStateLength, ' '), {}})));
  EXPECT_EQ(this->store_->get_open_session("c1")->state_json.size(), kMaxOpenSessionStateLength);
}

TYPED_TEST_P(StoreAnalyticsSuite, ReopenKeepsAnalytics) {
  this->create("c1");
  this->write(std::move(WriteBatch()
                            .add_analytics({make_cell(3, "session", 2, 1.5, "Billing")})
                            .put_analytics_session(make_session("c1", 1, 1'700'000'000'000))
                            .put_open_session(OpenSession{"c1", R"({"s":1})", {}})));
  ASSERT_TRUE(this->store_->close().ok());
  this->store_.reset();
  auto opened = TypeParam::open(this->dir_.path());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  this->store_ = std::move(opened).value();
  EXPECT_EQ(this->read(0, 10, AnalyticsGroup::kTopic),
            std::vector<AnalyticsCell>{make_cell(0, "session", 2, 1.5, "Billing")});
  EXPECT_EQ(
      this->store_->read_analytics_sessions(at_ms(0), at_ms(2'000'000'000'000), std::nullopt, 10)
          ->size(),
      1u);
  EXPECT_EQ(this->store_->get_open_session("c1")->state_json, R"({"s":1})");
}

REGISTER_TYPED_TEST_SUITE_P(StoreAnalyticsSuite, CellsAddUpWithinAnOpABatchAndAcrossBatches,
                            EveryGroupingAndFilter, HourRangeIncludesFromAndExcludesTo,
                            TooManyRowsIsAnError, SessionsRoundTripAndReplace,
                            SessionsPageByKeyWithinBounds, OpenSessionPutReplaceDeleteGet,
                            IdleOpenSessionsOldestFirstWithinLimit,
                            DeleteConversationTakesSessionsAndKeepsCells,
                            InvalidAnalyticsRejectedAtSubmit, ReopenKeepsAnalytics);

}  // namespace baton::store::testing
