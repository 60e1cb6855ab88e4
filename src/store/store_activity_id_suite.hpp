#pragma once
// The Store conformance suite, part 3: activity ids. The engine names activities
// "<conversation id>|<seq zero-padded to 7 digits>"; any other id is legal too, and all of them
// share one store-wide id space (an implementation may store the engine's form implicitly, as the
// SQLite store does, but must keep that invisible). Instantiate like store_suite.hpp.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "store/store_suite.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

// The fixture of store_suite.hpp (store_, create, reopen) plus id helpers.
template <class Factory>
class StoreActivityIdSuite : public StoreSuite<Factory> {
 protected:
  // Appends (conversation, seq) under `activity_id`; nullopt when stored, else the error code.
  std::optional<ErrorCode> append(const std::string& conversation, std::uint64_t seq,
                                  const std::string& activity_id) {
    ActivityRecord a = make_activity(conversation, seq);
    a.activity_id = activity_id;
    Status s = this->store_->write(std::move(WriteBatch().append_activity(a)));
    if (s.ok()) {
      return std::nullopt;
    }
    return s.error().code;
  }

  // "conversation#seq" of what find_activity returns, "not found", or the error message.
  std::string found(const std::string& activity_id) {
    auto a = this->store_->find_activity(activity_id);
    if (!a.ok()) {
      return a.error().code == ErrorCode::kNotFound ? "not found" : a.error().message;
    }
    EXPECT_EQ(a->activity_id, activity_id);
    return a->conversation_id + "#" + std::to_string(a->seq);
  }
};

TYPED_TEST_SUITE_P(StoreActivityIdSuite);

TYPED_TEST_P(StoreActivityIdSuite, EngineAndOtherIdsShareOneSpace) {
  this->create("c1");
  this->create("c|2");  // conversation ids may contain the separator
  const auto conflict = std::optional<ErrorCode>(ErrorCode::kConflict);
  EXPECT_EQ(this->append("c1", 1, "c1|0000001"), std::nullopt);    // the engine's form
  EXPECT_EQ(this->append("c|2", 1, "c|2|0000001"), std::nullopt);  // split at the last '|'
  EXPECT_EQ(this->append("c1", 2, "c1|0000003"), std::nullopt);    // seq 3's form, used by seq 2
  EXPECT_EQ(this->append("c1", 3, "c1|0000003"), conflict);        // ... so seq 3 cannot have it
  EXPECT_EQ(this->append("c1", 3, "c1|0000001"), conflict);        // seq 1's id
  EXPECT_EQ(this->append("c1", 3, "c|2|0000001"), conflict);       // another conversation's id
  EXPECT_EQ(this->append("c1", 3, "c1|1"), std::nullopt);          // other spellings are other ids
  EXPECT_EQ(this->append("c1", 4, "c1|00000004"), std::nullopt);   // 8 digits: not the form
  EXPECT_EQ(this->append("c1", 5, "c1|1"), conflict);              // duplicate of a free-form id
  EXPECT_EQ(this->append("c1", 5, "c1|00000004"), conflict);
  EXPECT_EQ(this->append("c1", 12'345'678, "c1|12345678"), std::nullopt);   // past 7 digits
  EXPECT_EQ(this->append("c1", 12'345'679, "c1|012345678"), std::nullopt);  // not the form
  for (int round = 0; round < 2; ++round) {  // the same after a reopen
    EXPECT_EQ(this->found("c1|0000001"), "c1#1");
    EXPECT_EQ(this->found("c|2|0000001"), "c|2#1");
    EXPECT_EQ(this->found("c1|0000003"), "c1#2");
    EXPECT_EQ(this->found("c1|1"), "c1#3");
    EXPECT_EQ(this->found("c1|00000004"), "c1#4");
    EXPECT_EQ(this->found("c1|12345678"), "c1#12345678");
    EXPECT_EQ(this->found("c1|012345678"), "c1#12345679");
    EXPECT_EQ(this->found("c1|0000002"), "not found");  // seq 2 has another id
    EXPECT_EQ(this->found("c1|0000004"), "not found");
    EXPECT_EQ(this->found("c1|"), "not found");
    EXPECT_EQ(this->found("|"), "not found");
    EXPECT_EQ(this->found("c1|99999999999999999999"), "not found");
    std::vector<std::string> ids;
    auto transcript = this->store_->read_transcript("c1");
    ASSERT_TRUE(transcript.ok());
    for (const ActivityRecord& a : *transcript) {
      ids.push_back(a.activity_id);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"c1|0000001", "c1|0000003", "c1|1", "c1|00000004",
                                             "c1|12345678", "c1|012345678"}));
    this->reopen();
  }
}

REGISTER_TYPED_TEST_SUITE_P(StoreActivityIdSuite, EngineAndOtherIdsShareOneSpace);

}  // namespace baton::store::testing
