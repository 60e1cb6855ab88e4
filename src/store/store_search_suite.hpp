#pragma once
// The Store conformance suite for the search over ended handoffs (search_ended_handoffs): each
// condition, newest-first order, keyset paging, the scan limit, and bad conditions. Instantiated
// like store_suite.hpp:
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreSearchSuite, MyFactory);

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

template <class Factory>
class StoreSearchSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Factory::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  static Conversation customer_conversation(const std::string& id, const std::string& user) {
    Conversation c = make_conversation(id);
    c.user_id = user;
    return c;
  }
  static ActivityRecord message(const std::string& conversation, std::uint64_t seq,
                                const std::string& text) {
    ActivityRecord a = make_activity(conversation, seq);
    a.type = "message";
    a.name = "";
    // The engine's form (packed by the store): type, id and timestamp first.
    a.json = R"({"type":"message","id":")" + a.activity_id +
             R"(","timestamp":"2023-11-14T22:13:20.001Z","text":")" + text + R"("})";
    return a;
  }
  static HandoffRecord ended(const std::string& id, const std::string& conversation,
                             std::int64_t created, const std::string& status,
                             const std::string& queue, const std::string& agent) {
    HandoffRecord h = make_handoff(id, conversation, created);
    h.status = status;
    h.queue = queue;
    h.updated = at_ms(created + 10);
    h.outcome_json = agent.empty()
                         ? R"({"outcome":"cancelled"})"
                         : R"({"outcome":"completed","agent":")" + agent +
                               R"(","wrapUp":{"agent":")" + agent + R"(","disposition":"solved"}})";
    return h;
  }
  std::vector<std::string> ids(const HandoffSearch& search, std::size_t limit = 100) {
    auto page = store_->search_ended_handoffs(search, std::nullopt, limit);
    EXPECT_TRUE(page.ok()) << page.error().message;
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& hit : page->hits) {
        out.push_back(hit.handoff.id);
      }
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreSearchSuite);

TYPED_TEST_P(StoreSearchSuite, MatchesEachConditionNewestFirst) {
  WriteBatch batch;
  batch.insert_conversation(this->customer_conversation("c1", "ann"))
      .insert_conversation(this->customer_conversation("c2", "ann"))
      .insert_conversation(this->customer_conversation("c3", "bob"))
      .append_activity(this->message("c1", 1, "My REFUND please"))
      .append_activity(this->message("c2", 1, R"(a \"quoted\" word)"))
      .append_activity(this->message("c3", 1, "hello"))
      .insert_handoff(this->ended("h1", "c1", 1000, "completed", "billing", "alice"))
      .insert_handoff(this->ended("h2", "c2", 2000, "completed", "", "bob.smith"))
      .insert_handoff(this->ended("h3", "c3", 3000, "cancelled", "billing", ""))
      .insert_handoff(make_handoff("h4-open", "c3", 4000));  // pending: never a hit
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());

  EXPECT_EQ(this->ids({}), (std::vector<std::string>{"h3", "h2", "h1"}));
  HandoffSearch s;
  s.user_id = "ann";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h2", "h1"}));
  s = {};
  s.from = at_ms(2000);
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h3", "h2"}));
  s.to = at_ms(3000);
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h2"}));
  s = {};
  s.queue = "";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h2"})) << "the default queue";
  s.queue = "billing";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h3", "h1"}));
  s = {};
  s.agent = "alice";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h1"}));
  s.agent = "bob";
  EXPECT_TRUE(this->ids(s).empty()) << "a whole id, not a prefix of bob.smith";
  s = {};
  s.status = "cancelled";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h3"}));
  s = {};
  s.text = "refund";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h1"})) << "ASCII case does not matter";
  s.text = R"("quoted")";
  EXPECT_EQ(this->ids(s), (std::vector<std::string>{"h2"})) << "quotes as JSON escapes them";
  s.text = "nowhere";
  EXPECT_TRUE(this->ids(s).empty());
  s = {};
  s.user_id = "ann";
  s.queue = "billing";
  s.agent = "alice";
  s.text = "refund";
  auto page = this->store_->search_ended_handoffs(s, std::nullopt, 10);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->hits.size(), 1u);
  EXPECT_EQ(page->hits[0].user_id, "ann");
  EXPECT_EQ(page->hits[0].handoff.conversation_id, "c1");
  EXPECT_EQ(page->hits[0].handoff.status, "completed");
  EXPECT_EQ(page->hits[0].handoff.created, at_ms(1000));
  EXPECT_THAT(page->hits[0].handoff.outcome_json, ::testing::HasSubstr("solved"));
  EXPECT_EQ(page->hits[0].handoff.request_json, "");
  EXPECT_FALSE(page->next.has_value());
}

TYPED_TEST_P(StoreSearchSuite, PagesNeitherSkipNorRepeat) {
  WriteBatch batch;
  batch.insert_conversation(this->customer_conversation("c1", "ann"));
  // Two pairs share a creation time: ties are ordered by id.
  const std::vector<std::pair<std::string, std::int64_t>> rows = {
      {"a", 100}, {"b", 200}, {"c", 200}, {"d", 300}, {"e", 300}};
  for (const auto& [id, ms] : rows) {
    batch.insert_handoff(this->ended(id, "c1", ms, "completed", "billing", "alice"));
  }
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());
  std::vector<std::string> seen;
  std::optional<HandoffSearchKey> after;
  int pages = 0;
  do {
    auto page = this->store_->search_ended_handoffs({}, after, 2);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_LE(page->hits.size(), 2u);
    for (const auto& hit : page->hits) {
      seen.push_back(hit.handoff.id);
    }
    after = page->next;
    ++pages;
  } while (after && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"e", "d", "c", "b", "a"}));
  EXPECT_EQ(pages, 3);
}

TYPED_TEST_P(StoreSearchSuite, APageExaminesAtMostTheScanLimit) {
  WriteBatch batch;
  batch.insert_conversation(this->customer_conversation("many", "ann"))
      .insert_conversation(this->customer_conversation("old", "ann"))
      .append_activity(this->message("many", 1, "nothing here"))
      .append_activity(this->message("old", 1, "the needle"))
      .insert_handoff(this->ended("old-h", "old", 10, "completed", "billing", "alice"));
  for (std::size_t i = 0; i < kSearchScanLimit + 5; ++i) {
    batch.insert_handoff(this->ended(fmt::format("m{:05}", i), "many",
                                     1000 + static_cast<std::int64_t>(i), "completed", "billing",
                                     "alice"));
  }
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());
  HandoffSearch s;
  s.text = "needle";
  auto first = this->store_->search_ended_handoffs(s, std::nullopt, 10);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->hits.empty());
  ASSERT_TRUE(first->next.has_value()) << "stopped at the scan limit, not at the end";
  auto second = this->store_->search_ended_handoffs(s, first->next, 10);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(second->hits.size(), 1u);
  EXPECT_EQ(second->hits[0].handoff.id, "old-h");
  EXPECT_FALSE(second->next.has_value());
}

TYPED_TEST_P(StoreSearchSuite, RefusesBadConditions) {
  HandoffSearch s;
  s.text = std::string(kMaxSearchTextLength + 1, 'a');
  EXPECT_EQ(this->store_->search_ended_handoffs(s, std::nullopt, 10).error().code,
            ErrorCode::kInvalidArgument);
  s.text = "line\nbreak";
  EXPECT_EQ(this->store_->search_ended_handoffs(s, std::nullopt, 10).error().code,
            ErrorCode::kInvalidArgument);
  s = {};
  s.status = "pending";
  EXPECT_EQ(this->store_->search_ended_handoffs(s, std::nullopt, 10).error().code,
            ErrorCode::kInvalidArgument);
  s = {};
  s.text = "Robert'); DROP TABLE handoffs;--";
  auto page = this->store_->search_ended_handoffs(s, std::nullopt, 10);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_TRUE(page->hits.empty());
}

REGISTER_TYPED_TEST_SUITE_P(StoreSearchSuite, MatchesEachConditionNewestFirst,
                            PagesNeitherSkipNorRepeat, APageExaminesAtMostTheScanLimit,
                            RefusesBadConditions);

}  // namespace baton::store::testing
