#pragma once
// The Store conformance suite, part 1: every record kind, ordering, paging and constraint errors.
// Every Store implementation instantiates it (and store_durability_suite.hpp) with a Factory:
//
//   struct MyFactory {
//     // Opens the store whose data lives under `dir`; reopening the same dir sees the same data.
//     static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir);
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreSuite, MyFactory);

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

template <class Factory>
class StoreSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Factory::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  void reopen() {
    ASSERT_TRUE(store_->close().ok());
    store_.reset();
    auto opened = Factory::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  void create(const std::string& id) {
    Status s = store_->write(std::move(WriteBatch().insert_conversation(make_conversation(id))));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  void append(const std::string& id, std::uint64_t from, std::uint64_t to) {
    WriteBatch batch;
    for (std::uint64_t seq = from; seq <= to; ++seq) {
      batch.append_activity(make_activity(id, seq));
    }
    Status s = store_->write(std::move(batch));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  static std::vector<std::uint64_t> seqs(const std::vector<ActivityRecord>& rows) {
    std::vector<std::uint64_t> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      out.push_back(r.seq);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreSuite);

TYPED_TEST_P(StoreSuite, ConversationRoundTripAndUpdate) {
  Conversation c = make_conversation("c1");
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().insert_conversation(c))).ok());
  auto read = this->store_->get_conversation("c1");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, c);

  c.ownership = "queued";
  c.epoch = 1;
  c.next_seq = 7;
  c.closed = true;
  c.updated = at_ms(1'700'000'005'000);
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().update_conversation(c, 0))).ok());
  EXPECT_EQ(*this->store_->get_conversation("c1"), c);

  EXPECT_EQ(this->store_->get_conversation("nope").error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreSuite, ConversationErrors) {
  this->create("c1");
  Status dup =
      this->store_->write(std::move(WriteBatch().insert_conversation(make_conversation("c1"))));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_THAT(dup.error().message, ::testing::HasSubstr("c1"));

  Status missing =
      this->store_->write(std::move(WriteBatch().update_conversation(make_conversation("ghost"))));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  // A stale fencing token is refused and changes nothing.
  Conversation c = make_conversation("c1");
  c.ownership = "agent";
  c.epoch = 5;
  Status stale = this->store_->write(std::move(WriteBatch().update_conversation(c, 3)));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_THAT(stale.error().message, ::testing::HasSubstr("stale epoch"));
  EXPECT_EQ(this->store_->get_conversation("c1")->ownership, "bot");
}

TYPED_TEST_P(StoreSuite, ListConversationsPagesInIdOrder) {
  for (const char* id : {"c3", "c1", "c4", "c2"}) {
    this->create(id);
  }
  Conversation closed = make_conversation("c2");
  closed.closed = true;
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().update_conversation(closed))).ok());

  auto first = this->store_->list_conversations("", 2, false);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, "c1");
  EXPECT_EQ((*first)[1].id, "c2");
  auto second = this->store_->list_conversations("c2", 10, false);
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].id, "c3");
  auto open = this->store_->list_conversations("", 10, true);
  ASSERT_EQ(open->size(), 3u);
  EXPECT_EQ((*open)[1].id, "c3");
}

TYPED_TEST_P(StoreSuite, ConversationsOfOneCustomerPageInIdOrder) {
  for (const auto& [id, user] : std::vector<std::pair<std::string, std::string>>{
           {"c3", "ann"}, {"c1", "ann"}, {"c2", "bob"}, {"c4", "ann"}, {"c5", "anne"}}) {
    Conversation row = make_conversation(id);
    row.user_id = user;
    ASSERT_TRUE(this->store_->write(std::move(WriteBatch().insert_conversation(row))).ok());
  }
  auto first = this->store_->conversations_of_user("ann", "", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, "c1");
  EXPECT_EQ((*first)[1].id, "c3");
  EXPECT_EQ((*first)[1].user_id, "ann");
  auto rest = this->store_->conversations_of_user("ann", "c3", 10);
  ASSERT_EQ(rest->size(), 1u) << "another customer's, or a longer id's, are not included";
  EXPECT_EQ((*rest)[0].id, "c4");
  EXPECT_TRUE(this->store_->conversations_of_user("nobody", "", 10)->empty());
}

TYPED_TEST_P(StoreSuite, DeleteConversationRemovesEverythingUnderItAndNothingElse) {
  for (const char* id : {"c1", "c2"}) {
    this->create(id);
    this->append(id, 1, 3);
    WriteBatch batch;
    batch.put_snapshot({id, 3, at_ms(1'700'000'000'003), R"({"vars":{}})"});
    batch.insert_handoff(make_handoff(std::string(id) + "|h2", id, 1'700'000'000'002));
    batch.append_event(make_event(id, 1, "handoff.requested"));
    ASSERT_TRUE(this->store_->write(std::move(batch)).ok());
  }
  AuditRecord audit;
  audit.actor = "sue";
  audit.action = "transcript.read";
  audit.conversation_id = "c1";
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().append_audit(audit))).ok());

  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().delete_conversation("c1"))).ok());
  EXPECT_EQ(this->store_->get_conversation("c1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->store_->read_activities("c1", 0, 10)->empty());
  EXPECT_EQ(this->store_->find_activity("c1|1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->get_snapshot("c1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->get_handoff("c1|h2").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->store_->handoffs_for_conversation("c1")->empty());
  EXPECT_TRUE(this->store_->read_events("c1", 0, 10)->empty());
  EXPECT_EQ(this->store_->read_audit(0, 10, "c1")->size(), 1u) << "the audit log stays";

  EXPECT_EQ(this->store_->read_activities("c2", 0, 10)->size(), 3u) << "the other one stays";
  EXPECT_TRUE(this->store_->get_snapshot("c2").ok());
  EXPECT_TRUE(this->store_->get_handoff("c2|h2").ok());
  EXPECT_EQ(this->store_->read_events("c2", 0, 10)->size(), 1u);

  Status again = this->store_->write(std::move(WriteBatch().delete_conversation("c1")));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  this->create("c1");  // the id is free again
  this->append("c1", 1, 1);
  EXPECT_EQ(this->store_->read_activities("c1", 0, 10)->size(), 1u);
}

// The store keeps a server-stamped body without the prefix that repeats its columns
// (activity_body.hpp); every read gives back the bytes written, and other bodies stay whole.
TYPED_TEST_P(StoreSuite, ActivityBodiesReadBackByteForByte) {
  this->create("c1");
  std::vector<ActivityRecord> rows;
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    ActivityRecord a = make_activity("c1", seq);
    const std::string stamped = format_iso8601(seq == 3 ? at_ms(1) : a.timestamp);
    a.json = std::string(R"({"type":")") + a.type + R"(","id":")" + a.activity_id +
             R"(","timestamp":")" + stamped + R"(","channelId":"directline","text":"n)" +
             std::to_string(seq) + "\"}";
    rows.push_back(a);
  }
  rows.push_back(make_activity("c1", 5));  // no prefix at all
  WriteBatch batch;
  for (const auto& a : rows) {
    batch.append_activity(a);
  }
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());
  auto page = this->store_->read_activities("c1", 0, 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page, rows);
  EXPECT_EQ(*this->store_->read_transcript("c1"), rows);
  EXPECT_EQ(*this->store_->find_activity(rows[1].activity_id), rows[1]);
  EXPECT_EQ(*this->store_->find_activity(rows[2].activity_id), rows[2]) << "kept whole";
  auto history = this->store_->read_history_before("c1", 6, 10);
  ASSERT_TRUE(history.ok());
  ASSERT_FALSE(history->empty());
  EXPECT_EQ(history->back().json, rows[0].json);
}

TYPED_TEST_P(StoreSuite, ActivitiesPageAfterWatermark) {
  this->create("c1");
  this->create("c2");
  this->append("c1", 1, 12);
  this->append("c2", 1, 3);
  this->append("c1", 13, 25);

  auto p1 = this->store_->read_activities("c1", 0, 10);
  ASSERT_TRUE(p1.ok()) << p1.error().message;
  EXPECT_EQ(this->seqs(*p1), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ((*p1)[0], make_activity("c1", 1));
  auto p3 = this->store_->read_activities("c1", 20, 10);
  EXPECT_EQ(this->seqs(*p3), (std::vector<std::uint64_t>{21, 22, 23, 24, 25}));
  EXPECT_TRUE(this->store_->read_activities("c1", 25, 10)->empty());
  EXPECT_TRUE(this->store_->read_activities("unknown", 0, 10)->empty());
  // A huge watermark or limit is clamped, not an error.
  EXPECT_TRUE(this->store_->read_activities("c1", UINT64_MAX, 10)->empty());
  EXPECT_EQ(this->store_->read_activities("c1", 0, 1'000'000)->size(), 25u);

  auto transcript = this->store_->read_transcript("c1");
  ASSERT_TRUE(transcript.ok());
  ASSERT_EQ(transcript->size(), 25u);
  EXPECT_EQ(transcript->back(), make_activity("c1", 25));
  EXPECT_EQ(this->store_->read_transcript("c2")->size(), 3u);

  auto found = this->store_->find_activity("c2|2");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, make_activity("c2", 2));
  EXPECT_EQ(this->store_->find_activity("c2|9").error().code, ErrorCode::kNotFound);
}

// The history a handoff's transcript is built from: newest first, without typing and without the
// handoff protocol's events; other events (startConversation, a hub's) stay.
TYPED_TEST_P(StoreSuite, HistoryLeavesOutTypingAndHandoffEvents) {
  this->create("c");
  this->create("other");
  this->append("other", 1, 3);
  const std::vector<std::pair<std::string, std::string>> kinds = {{"event", "startConversation"},
                                                                  {"message", ""},
                                                                  {"typing", ""},
                                                                  {"event", "handoff.initiate"},
                                                                  {"event", "handoff.status"},
                                                                  {"message", ""},
                                                                  {"event", "handoffs.custom"},
                                                                  {"message", ""}};
  WriteBatch batch;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    ActivityRecord a = make_activity("c", i + 1);
    a.type = kinds[i].first;
    a.name = kinds[i].second;
    batch.append_activity(a);
  }
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());
  auto all = this->store_->read_history_before("c", 100, 100);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(this->seqs(*all), (std::vector<std::uint64_t>{8, 7, 6, 2, 1}));
  EXPECT_EQ(all->back().name, "startConversation");
  EXPECT_EQ(all->front().json, make_activity("c", 8).json);
  EXPECT_EQ(this->seqs(*this->store_->read_history_before("c", 6, 100)),
            (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(this->seqs(*this->store_->read_history_before("c", 100, 2)),
            (std::vector<std::uint64_t>{8, 7}));
  EXPECT_TRUE(this->store_->read_history_before("c", 1, 10)->empty());
  EXPECT_TRUE(this->store_->read_history_before("unknown", 10, 10)->empty());
  EXPECT_EQ(this->store_->read_history_before("c", UINT64_MAX, 1'000'000)->size(), 5u);
}

TYPED_TEST_P(StoreSuite, TranscriptLongerThanOnePage) {
  this->create("c1");
  for (std::uint64_t from = 1; from <= 2 * kMaxPageSize + 5; from += 500) {
    this->append("c1", from, from + 499);
  }
  auto transcript = this->store_->read_transcript("c1");
  ASSERT_TRUE(transcript.ok());
  ASSERT_EQ(transcript->size(), 2500u);
  for (std::size_t i = 0; i < transcript->size(); ++i) {
    ASSERT_EQ((*transcript)[i].seq, i + 1);
  }
}

TYPED_TEST_P(StoreSuite, ActivityConstraintsFailOnlyThatBatch) {
  this->create("c1");
  this->append("c1", 1, 2);

  // Duplicate (conversation, seq): the conversation update in the same batch is undone too.
  Conversation c = make_conversation("c1");
  c.next_seq = 3;
  ActivityRecord dup_seq = make_activity("c1", 2);
  dup_seq.activity_id = "fresh-id";
  Status s =
      this->store_->write(std::move(WriteBatch().update_conversation(c).append_activity(dup_seq)));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("fresh-id"));
  EXPECT_EQ(this->store_->get_conversation("c1")->next_seq, 1u);

  ActivityRecord dup_id = make_activity("c1", 3);
  dup_id.activity_id = "c1|1";
  s = this->store_->write(std::move(WriteBatch().append_activity(dup_id)));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);

  s = this->store_->write(std::move(WriteBatch().append_activity(make_activity("ghost", 1))));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);

  EXPECT_EQ(this->store_->read_transcript("c1")->size(), 2u);
  this->append("c1", 3, 3);  // the store still accepts writes
  EXPECT_EQ(this->store_->read_transcript("c1")->size(), 3u);
}

TYPED_TEST_P(StoreSuite, InvalidBatchesRejectedAtSubmit) {
  bool called = false;
  auto cb = [&called](const Status&) { called = true; };
  Status empty = this->store_->submit(WriteBatch(), cb);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  Status zero =
      this->store_->submit(std::move(WriteBatch().append_activity(make_activity("c", 0))), cb);
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(zero.error().message, ::testing::HasSubstr("seq"));
  ActivityRecord huge = make_activity("c", 1);
  huge.seq = kMaxSeq + 1;
  EXPECT_FALSE(this->store_->submit(std::move(WriteBatch().append_activity(huge)), cb).ok());
  ActivityRecord no_id = make_activity("c", 1);
  no_id.activity_id.clear();
  Status missing = this->store_->submit(std::move(WriteBatch().append_activity(no_id)), cb);
  EXPECT_THAT(missing.error().message, ::testing::HasSubstr("activity id"));
  EXPECT_FALSE(called);
}

TYPED_TEST_P(StoreSuite, SnapshotKeepsLatest) {
  this->create("c1");
  EXPECT_EQ(this->store_->get_snapshot("c1").error().code, ErrorCode::kNotFound);
  DialogSnapshot snap{"c1", 4, at_ms(1'700'000'000'004), R"({"topic":"Greeting"})"};
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_snapshot(snap))).ok());
  EXPECT_EQ(*this->store_->get_snapshot("c1"), snap);
  DialogSnapshot later{"c1", 9, at_ms(1'700'000'000'009), R"({"topic":"Billing"})"};
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_snapshot(later))).ok());
  EXPECT_EQ(*this->store_->get_snapshot("c1"), later);
  Status orphan = this->store_->write(
      std::move(WriteBatch().put_snapshot(DialogSnapshot{"ghost", 1, at_ms(1), "{}"})));
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreSuite, HandoffLifecycle) {
  this->create("c1");
  this->create("c2");
  HandoffRecord h1 = make_handoff("h1", "c1", 1'700'000'000'100);
  HandoffRecord h2 = make_handoff("h2", "c2", 1'700'000'000'050);
  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().insert_handoff(h1).insert_handoff(h2))).ok());
  EXPECT_EQ(*this->store_->get_handoff("h1"), h1);

  auto pending = this->store_->list_handoffs("pending", 10);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, "h2");  // oldest first

  h1.status = "completed";
  h1.updated = at_ms(1'700'000'009'000);
  h1.outcome_json = R"({"agent":"bob"})";
  HandoffRecord changed_request = h1;
  changed_request.request_json = R"({"context":{"va_LastTopic":"Changed"}})";
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().update_handoff(changed_request))).ok());
  EXPECT_EQ(*this->store_->get_handoff("h1"), h1) << "status changed; the request is immutable";
  EXPECT_EQ(this->store_->list_handoffs("pending", 10)->size(), 1u);
  EXPECT_EQ(this->store_->list_handoffs("completed", 10)->front(), h1);
  EXPECT_EQ(this->store_->handoffs_for_conversation("c1")->size(), 1u);

  EXPECT_EQ(this->store_->write(std::move(WriteBatch().insert_handoff(h1))).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(this->store_->write(std::move(WriteBatch().update_handoff(make_handoff("h9", "c1", 1))))
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      this->store_->write(std::move(WriteBatch().insert_handoff(make_handoff("h9", "ghost", 1))))
          .error()
          .code,
      ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->get_handoff("h9").error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreSuite, EventLogOrderedPerConversationAndGlobally) {
  this->create("c1");
  this->create("c2");
  ASSERT_TRUE(this->store_
                  ->write(std::move(WriteBatch()
                                        .append_event(make_event("c1", 1, "handoff.requested"))
                                        .append_event(make_event("c2", 1, "handoff.requested"))
                                        .append_event(make_event("c1", 2, "ownership.changed"))))
                  .ok());
  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().append_event(make_event("c2", 2, "closed"))))
          .ok());

  auto c1 = this->store_->read_events("c1", 0, 10);
  ASSERT_TRUE(c1.ok());
  ASSERT_EQ(c1->size(), 2u);
  EXPECT_EQ((*c1)[1].kind, "ownership.changed");
  EXPECT_EQ((*c1)[1].payload_json, make_event("c1", 2, "").payload_json);
  EXPECT_EQ(this->store_->read_events("c1", 1, 10)->size(), 1u);

  auto all = this->store_->read_all_events(0, 10);
  ASSERT_EQ(all->size(), 4u);
  std::vector<std::string> order;
  for (std::size_t i = 0; i < all->size(); ++i) {
    order.push_back((*all)[i].conversation_id + "/" + std::to_string((*all)[i].seq));
    if (i > 0) {
      EXPECT_GT((*all)[i].position, (*all)[i - 1].position);
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"c1/1", "c2/1", "c1/2", "c2/2"}));
  auto rest = this->store_->read_all_events((*all)[1].position, 10);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].conversation_id, "c1");

  Status dup =
      this->store_->write(std::move(WriteBatch().append_event(make_event("c1", 2, "again"))));
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
}

TYPED_TEST_P(StoreSuite, AgentsUpsertListDelete) {
  EXPECT_EQ(this->store_->get_agent("alice").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->store_->list_agents()->empty());
  AgentRecord bob = make_agent("bob", 1'700'000'000'000);
  AgentRecord alice = make_agent("alice", 1'700'000'000'100);
  alice.role = "supervisor";
  alice.skills = {};
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_agent(bob).put_agent(alice))).ok());
  auto read = this->store_->get_agent("bob");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, bob);
  EXPECT_EQ(*this->store_->get_agent("alice"), alice);

  // Replacing changes everything but the creation time.
  AgentRecord changed = bob;
  changed.display_name = "Robert";
  changed.role = "admin";
  changed.skills = {"fr"};
  changed.capacity = 5;
  changed.password_hash = "$argon2id$other";
  changed.disabled = true;
  changed.created = at_ms(1'800'000'000'000);
  changed.updated = at_ms(1'800'000'000'000);
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_agent(changed))).ok());
  AgentRecord expected = changed;
  expected.created = bob.created;
  EXPECT_EQ(*this->store_->get_agent("bob"), expected);

  auto all = this->store_->list_agents();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "alice");  // id order, not insertion order
  EXPECT_EQ((*all)[1], expected);

  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().delete_agent("alice"))).ok());
  EXPECT_EQ(this->store_->get_agent("alice").error().code, ErrorCode::kNotFound);
  Status again = this->store_->write(std::move(WriteBatch().delete_agent("alice")));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(again.error().message, ::testing::HasSubstr("alice"));
  // A failed delete undoes the rest of its batch.
  Status mixed = this->store_->write(
      std::move(WriteBatch().put_agent(make_agent("carol")).delete_agent("ghost")));
  EXPECT_EQ(mixed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->get_agent("carol").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->list_agents()->size(), 1u);
}

TYPED_TEST_P(StoreSuite, InvalidAgentsRejectedAtSubmit) {
  auto rejected = [this](AgentRecord agent) -> std::string {
    Status s = this->store_->submit(std::move(WriteBatch().put_agent(std::move(agent))),
                                    [](const Status&) { ADD_FAILURE() << "callback ran"; });
    if (s.ok()) {
      return "accepted";
    }
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    return s.error().message;
  };
  AgentRecord a = make_agent("x");
  a.id = "";
  EXPECT_THAT(rejected(a), ::testing::HasSubstr("agent id"));
  a.id = std::string(65, 'a');
  EXPECT_THAT(rejected(a), ::testing::HasSubstr("64"));
  a.id = std::string(64, 'a');
  a.capacity = 0;
  EXPECT_THAT(rejected(a), ::testing::HasSubstr("capacity"));
  for (const char* bad : {"al ice", "alice/1", "al\xc3\xa9", "a:b", "a\nb"}) {
    AgentRecord b = make_agent(bad);
    EXPECT_THAT(rejected(b), ::testing::HasSubstr("agent id")) << bad;
  }
  AgentRecord role = make_agent("ok.id_1@x-y");
  role.role = "root";
  EXPECT_THAT(rejected(role), ::testing::HasSubstr("root"));
  role.role = "Agent";  // roles are exact
  EXPECT_THAT(rejected(role), ::testing::HasSubstr("role"));
  AgentRecord no_hash = make_agent("ok");
  no_hash.password_hash.clear();
  EXPECT_THAT(rejected(no_hash), ::testing::HasSubstr("password_hash"));
  EXPECT_EQ(this->store_->submit(std::move(WriteBatch().delete_agent("")), [](const Status&) {})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(this->store_
                ->submit(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(1), ""})),
                         [](const Status&) {})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(this->store_
                ->submit(std::move(WriteBatch().append_audit(make_audit("", "login", "", 1))),
                         [](const Status&) {})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  // Every allowed character, at the longest length, is accepted.
  AgentRecord good = make_agent("Az09._@-" + std::string(56, 'z'));
  for (const char* r : {"agent", "supervisor", "admin"}) {
    good.role = r;
    ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_agent(good))).ok()) << r;
  }
  EXPECT_EQ(this->store_->get_agent(good.id)->role, "admin");
}

TYPED_TEST_P(StoreSuite, HubLogIsOrderedByStorePosition) {
  EXPECT_TRUE(this->store_->read_hub_log(0, 10)->empty());
  ASSERT_TRUE(this->store_
                  ->write(std::move(WriteBatch()
                                        .append_hub_log(HubLogRecord{77, at_ms(5), R"({"i":1})"})
                                        .append_hub_log(HubLogRecord{0, at_ms(3), R"({"i":2})"})))
                  .ok());
  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(9), "3"})))
          .ok());
  auto log = this->store_->read_hub_log(0, 10);
  ASSERT_TRUE(log.ok()) << log.error().message;
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].json, R"({"i":1})");  // the given position is ignored
  EXPECT_EQ((*log)[0].time, at_ms(5));
  EXPECT_EQ((*log)[1].json, R"({"i":2})");
  EXPECT_EQ((*log)[2].json, "3");
  EXPECT_GT((*log)[0].position, 0u);
  EXPECT_GT((*log)[1].position, (*log)[0].position);
  EXPECT_GT((*log)[2].position, (*log)[1].position);

  auto rest = this->store_->read_hub_log((*log)[0].position, 10);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ(rest->front(), (*log)[1]);
  EXPECT_EQ(this->store_->read_hub_log(0, 1)->size(), 1u);
  EXPECT_TRUE(this->store_->read_hub_log(UINT64_MAX, 10)->empty());

  // A rolled-back batch leaves no entry behind, and later positions still increase.
  Status failed = this->store_->write(std::move(
      WriteBatch().append_hub_log(HubLogRecord{0, at_ms(10), "lost"}).delete_agent("ghost")));
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(11), "4"})))
          .ok());
  auto after = this->store_->read_hub_log((*log)[2].position, 10);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().json, "4");
  EXPECT_GT(after->front().position, (*log)[2].position);
}

TYPED_TEST_P(StoreSuite, ClearHubLogDropsWhatCameBeforeItOnly) {
  auto append = [](WriteBatch& batch, const char* json) {
    batch.append_hub_log(HubLogRecord{0, at_ms(1), json});
  };
  WriteBatch first;
  append(first, "1");
  append(first, "2");
  ASSERT_TRUE(this->store_->write(std::move(first)).ok());
  const std::uint64_t last_before = this->store_->read_hub_log(0, 10)->back().position;

  // Batches queued back to back (committed in one group where the store groups them): the clear
  // takes what its own batch appended before it, not what comes after it or in later batches.
  std::vector<std::future<Status>> outcomes;
  auto submit = [&](WriteBatch&& batch) {
    auto promise = std::make_shared<std::promise<Status>>();
    outcomes.push_back(promise->get_future());
    ASSERT_TRUE(this->store_
                    ->submit(std::move(batch),
                             [promise](Status status) { promise->set_value(std::move(status)); })
                    .ok());
  };
  WriteBatch before;
  append(before, "3");
  submit(std::move(before));
  WriteBatch clearing;
  append(clearing, "4");
  clearing.clear_hub_log().put_meta("hub.snapshot", "S");
  append(clearing, "5");
  submit(std::move(clearing));
  WriteBatch after;
  append(after, "6");
  submit(std::move(after));
  for (auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.get().ok());
  }
  auto log = this->store_->read_hub_log(0, 10);
  ASSERT_TRUE(log.ok()) << log.error().message;
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].json, "5");
  EXPECT_EQ((*log)[1].json, "6");
  EXPECT_GT((*log)[0].position, last_before);
  EXPECT_EQ(*this->store_->get_meta("hub.snapshot"), "S");

  // A batch that fails takes its clear with it.
  Status failed = this->store_->write(
      std::move(WriteBatch().clear_hub_log().put_meta("hub.snapshot", "T").delete_agent("ghost")));
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->read_hub_log(0, 10)->size(), 2u);
  EXPECT_EQ(*this->store_->get_meta("hub.snapshot"), "S");

  // Emptied, across a reopen, positions still only increase.
  const std::uint64_t last = this->store_->read_hub_log(0, 10)->back().position;
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().clear_hub_log())).ok());
  EXPECT_TRUE(this->store_->read_hub_log(0, 10)->empty());
  this->reopen();
  WriteBatch next;
  append(next, "7");
  ASSERT_TRUE(this->store_->write(std::move(next)).ok());
  auto again = this->store_->read_hub_log(0, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_GT(again->front().position, last);
}

TYPED_TEST_P(StoreSuite, AuditLogFiltersByConversation) {
  // Audit entries need no conversation row: they may name none, or one that is gone.
  ASSERT_TRUE(
      this->store_
          ->write(std::move(WriteBatch()
                                .append_audit(make_audit("alice", "login", "", 1))
                                .append_audit(make_audit("alice", "transcript.read", "c1", 2))
                                .append_audit(make_audit("bob", "transcript.read", "c2", 3))))
          .ok());
  ASSERT_TRUE(this->store_
                  ->write(std::move(WriteBatch().append_audit(
                      make_audit("sue", "conversation.force_close", "c1", 4))))
                  .ok());
  auto all = this->store_->read_audit(0, 10, "");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 4u);
  AuditRecord expected = make_audit("alice", "transcript.read", "c1", 2);
  expected.position = (*all)[1].position;
  EXPECT_EQ((*all)[1], expected);
  for (std::size_t i = 1; i < all->size(); ++i) {
    EXPECT_GT((*all)[i].position, (*all)[i - 1].position);
  }
  auto c1 = this->store_->read_audit(0, 10, "c1");
  ASSERT_EQ(c1->size(), 2u);
  EXPECT_EQ((*c1)[0].actor, "alice");
  EXPECT_EQ((*c1)[1].action, "conversation.force_close");
  auto c1_later = this->store_->read_audit((*c1)[0].position, 10, "c1");
  ASSERT_EQ(c1_later->size(), 1u);
  EXPECT_EQ(c1_later->front().actor, "sue");
  EXPECT_EQ(this->store_->read_audit(0, 1, "c1")->size(), 1u);
  EXPECT_EQ(this->store_->read_audit((*all)[1].position, 10, "")->size(), 2u);
  EXPECT_TRUE(this->store_->read_audit(0, 10, "nope")->empty());
}

// Retention of handoff records: only ended ones last updated before the cut go, per conversation;
// open ones stay however old, and the conversation keeps the rest of what it holds.
TYPED_TEST_P(StoreSuite, DeleteEndedHandoffsKeepsOpenAndRecentOnes) {
  this->create("c1");
  this->create("c2");
  this->create("c3");
  auto handoff = [](const std::string& id, const std::string& conversation, std::int64_t created,
                    std::int64_t updated, const std::string& status) {
    HandoffRecord h = make_handoff(id, conversation, created);
    h.updated = at_ms(updated);
    h.status = status;
    h.outcome_json = status == "pending" ? "" : R"({"agent":"bob"})";
    return h;
  };
  WriteBatch batch;
  batch.insert_handoff(handoff("old-done", "c1", 100, 200, "completed"))
      .insert_handoff(handoff("old-open", "c1", 100, 150, "pending"))
      .insert_handoff(handoff("ended-late", "c1", 100, 900, "cancelled"))
      .insert_handoff(handoff("c2-timed-out", "c2", 50, 300, "timed_out"))
      .insert_handoff(handoff("c3-accepted", "c3", 50, 60, "accepted"));
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());

  auto listed = this->store_->conversations_with_ended_handoffs(at_ms(500), 100);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  std::sort(listed->begin(), listed->end());
  EXPECT_EQ(*listed, (std::vector<std::string>{"c1", "c2"})) << "c3's only handoff is open";
  EXPECT_EQ(this->store_->conversations_with_ended_handoffs(at_ms(500), 1)->size(), 1u);
  EXPECT_TRUE(this->store_->conversations_with_ended_handoffs(at_ms(200), 100)->empty());

  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().delete_ended_handoffs("c1", at_ms(500)))).ok());
  std::vector<std::string> left;
  auto c1 = this->store_->handoffs_for_conversation("c1");
  ASSERT_TRUE(c1.ok());
  for (const auto& h : *c1) {
    left.push_back(h.id);
  }
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"ended-late", "old-open"}));
  EXPECT_EQ(this->store_->get_handoff("old-done").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->store_->get_handoff("c2-timed-out").ok()) << "another conversation's";
  EXPECT_EQ(*this->store_->conversations_with_ended_handoffs(at_ms(500), 100),
            (std::vector<std::string>{"c2"}));
  EXPECT_TRUE(this->store_->get_conversation("c1").ok());
  // Nothing to delete, or no such conversation: not an error.
  EXPECT_TRUE(
      this->store_->write(std::move(WriteBatch().delete_ended_handoffs("c1", at_ms(500)))).ok());
  EXPECT_TRUE(
      this->store_->write(std::move(WriteBatch().delete_ended_handoffs("nope", at_ms(500)))).ok());
}

TYPED_TEST_P(StoreSuite, DeleteAuditBeforeTakesTheOldestInBatches) {
  WriteBatch batch;
  for (std::int64_t t = 1; t <= 7; ++t) {
    batch.append_audit(make_audit("alice", "login", "", t));
  }
  ASSERT_TRUE(this->store_->write(std::move(batch)).ok());
  auto remaining = [&] {
    std::vector<std::string> details;
    auto page = this->store_->read_audit(0, 100, "");
    for (const auto& a : *page) {
      details.push_back(a.detail_json);
    }
    return details;
  };
  // Two per call: records 1..4 (older than t=5) go in two calls, the third finds 5 and 6 too new.
  for (int call = 0; call < 3; ++call) {
    ASSERT_TRUE(this->store_->write(std::move(WriteBatch().delete_audit_before(at_ms(5), 2))).ok());
  }
  EXPECT_EQ(remaining(), (std::vector<std::string>{R"({"t":5})", R"({"t":6})", R"({"t":7})"}));
  Status zero = this->store_->submit(std::move(WriteBatch().delete_audit_before(at_ms(9), 0)),
                                     [](const Status&) {});
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
}

TYPED_TEST_P(StoreSuite, MetaKeyValue) {
  EXPECT_EQ(this->store_->get_meta("secret").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_meta("secret", "s1"))).ok());
  EXPECT_EQ(*this->store_->get_meta("secret"), "s1");
  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().put_meta("secret", "s2"))).ok());
  EXPECT_EQ(*this->store_->get_meta("secret"), "s2");
  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().delete_meta("secret").delete_meta("never-set")))
          .ok());
  EXPECT_EQ(this->store_->get_meta("secret").error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreSuite, ReopenKeepsEverything) {
  this->create("c1");
  this->append("c1", 1, 5);
  DialogSnapshot snap{"c1", 5, at_ms(1'700'000'000'005), R"({"s":1})"};
  HandoffRecord h = make_handoff("h1", "c1", 1'700'000'000'006);
  ASSERT_TRUE(this->store_
                  ->write(std::move(WriteBatch()
                                        .put_snapshot(snap)
                                        .insert_handoff(h)
                                        .append_event(make_event("c1", 1, "handoff.requested"))
                                        .put_meta("k", "v")
                                        .put_agent(make_agent("alice"))
                                        .append_hub_log(HubLogRecord{0, at_ms(7), "{}"})
                                        .append_audit(make_audit("alice", "login", "", 8))))
                  .ok());
  auto hub_log = this->store_->read_hub_log(0, 10);
  ASSERT_EQ(hub_log->size(), 1u);
  this->reopen();
  EXPECT_EQ(*this->store_->get_conversation("c1"), make_conversation("c1"));
  EXPECT_EQ(this->store_->read_transcript("c1")->size(), 5u);
  EXPECT_EQ(*this->store_->get_snapshot("c1"), snap);
  EXPECT_EQ(*this->store_->get_handoff("h1"), h);
  EXPECT_EQ(this->store_->read_events("c1", 0, 10)->front().kind, "handoff.requested");
  EXPECT_EQ(*this->store_->get_meta("k"), "v");
  EXPECT_EQ(*this->store_->get_agent("alice"), make_agent("alice"));
  EXPECT_EQ(*this->store_->read_hub_log(0, 10), *hub_log);
  EXPECT_EQ(this->store_->read_audit(0, 10, "")->front().action, "login");
  // Positions continue after a reopen.
  ASSERT_TRUE(
      this->store_->write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(9), "2"})))
          .ok());
  EXPECT_GT(this->store_->read_hub_log(0, 10)->back().position, hub_log->front().position);
  this->append("c1", 6, 6);  // and keeps accepting writes
  EXPECT_EQ(this->store_->read_transcript("c1")->size(), 6u);
}

TYPED_TEST_P(StoreSuite, CommitHistogramsCountEveryDurableCommit) {
  const StoreStats before = this->store_->stats();
  constexpr int kBatches = 40;
  std::vector<std::promise<Status>> done(kBatches);
  for (int i = 0; i < kBatches; ++i) {
    // Submitted without waiting, so the writer may group several in one transaction.
    ASSERT_TRUE(this->store_
                    ->submit(std::move(WriteBatch().put_meta("k" + std::to_string(i), "v")),
                             [&done, i](const Status& s) { done[i].set_value(s); })
                    .ok());
  }
  for (auto& d : done) {
    ASSERT_TRUE(d.get_future().get().ok());
  }
  const StoreStats after = this->store_->stats();
  const std::uint64_t transactions = after.transactions - before.transactions;
  EXPECT_GE(transactions, 1u);
  EXPECT_LE(transactions, static_cast<std::uint64_t>(kBatches));
  // One observation of each per durable commit; the sizes add up to the batches committed.
  EXPECT_EQ(after.commit_seconds.count() - before.commit_seconds.count(), transactions);
  EXPECT_EQ(after.commit_batches.count() - before.commit_batches.count(), transactions);
  EXPECT_DOUBLE_EQ(after.commit_batches.sum - before.commit_batches.sum, kBatches);
  EXPECT_GT(after.commit_seconds.sum, before.commit_seconds.sum);
  EXPECT_EQ(after.commit_seconds.upper_bounds.size(), metrics::kLatencyBuckets.size());
  EXPECT_EQ(after.commit_batches.upper_bounds.size(), metrics::kSizeBuckets.size());
}

TYPED_TEST_P(StoreSuite, ClosedStoreRefusesWork) {
  ASSERT_TRUE(this->store_->close().ok());
  ASSERT_TRUE(this->store_->close().ok());  // idempotent
  Status s = this->store_->submit(std::move(WriteBatch().put_meta("k", "v")), [](const Status&) {});
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(this->store_->get_meta("k").error().code, ErrorCode::kUnavailable);
}

REGISTER_TYPED_TEST_SUITE_P(StoreSuite, ConversationRoundTripAndUpdate, ConversationErrors,
                            ListConversationsPagesInIdOrder,
                            ConversationsOfOneCustomerPageInIdOrder,
                            DeleteConversationRemovesEverythingUnderItAndNothingElse,
                            ActivityBodiesReadBackByteForByte, ActivitiesPageAfterWatermark,
                            HistoryLeavesOutTypingAndHandoffEvents, TranscriptLongerThanOnePage,
                            ActivityConstraintsFailOnlyThatBatch, InvalidBatchesRejectedAtSubmit,
                            SnapshotKeepsLatest, HandoffLifecycle,
                            EventLogOrderedPerConversationAndGlobally, AgentsUpsertListDelete,
                            InvalidAgentsRejectedAtSubmit, HubLogIsOrderedByStorePosition,
                            ClearHubLogDropsWhatCameBeforeItOnly, AuditLogFiltersByConversation,
                            DeleteAuditBeforeTakesTheOldestInBatches,
                            DeleteEndedHandoffsKeepsOpenAndRecentOnes, MetaKeyValue,
                            ReopenKeepsEverything, CommitHistogramsCountEveryDurableCommit,
                            ClosedStoreRefusesWork);

}  // namespace baton::store::testing
