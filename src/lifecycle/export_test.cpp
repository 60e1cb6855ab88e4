#include "lifecycle/export.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "core/json.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_test_util.hpp"

namespace baton::lifecycle {
namespace {

namespace bj = boost::json;
using store::WriteBatch;
using store::testing::at_ms;
using store::testing::make_activity;
using store::testing::make_conversation;
using store::testing::make_handoff;

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteOptions options;
    options.path = dir_.path() / "baton.db";
    auto opened = store::open_sqlite_store(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    store::UploadLimits limits;
    limits.min_free_bytes = 0;
    auto files = store::UploadFiles::open(dir_.path() / "uploads", limits);
    ASSERT_TRUE(files.ok());
    uploads_ = std::move(*files);
  }

  void conversation(const std::string& id, const std::string& user, std::uint64_t activities) {
    store::Conversation row = make_conversation(id);
    row.user_id = user;
    row.next_seq = activities + 1;
    WriteBatch batch;
    batch.insert_conversation(row);
    for (std::uint64_t seq = 1; seq <= activities; ++seq) {
      batch.append_activity(make_activity(id, seq));
    }
    ASSERT_TRUE(store_->write(std::move(batch)).ok());
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::UploadFiles> uploads_;
};

TEST_F(ExportTest, EverythingOfOneCustomerAndNothingOfAnother) {
  conversation("c2", "ann", 3);
  conversation("c1", "ann", 1);
  conversation("c9", "bob", 2);
  store::DialogSnapshot snapshot{"c2", 3, at_ms(1'700'000'000'500), R"({"vars":{"email":"a@x"}})"};
  ASSERT_TRUE(store_->write(std::move(WriteBatch().put_snapshot(snapshot))).ok());
  store::HandoffRecord handoff = make_handoff("c2|h2", "c2", 1'700'000'000'100);
  handoff.status = "completed";
  handoff.outcome_json = R"({"outcome":"completed","agent":"alice"})";
  ASSERT_TRUE(store_->write(std::move(WriteBatch().insert_handoff(handoff))).ok());
  auto stored = uploads_->store("c2", {{"%PDF", "application/pdf", "invoice.pdf"}});
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(uploads_->store("c9", {{"bob's", "text/plain", "b.txt"}}).ok());

  auto data = collect_customer(*store_, uploads_.get(), "ann", at_ms(1'700'000'100'000));
  ASSERT_TRUE(data.ok()) << data.error().message;
  const bj::object doc = to_json(*data);
  EXPECT_EQ(doc.at("userId"), "ann");
  EXPECT_EQ(doc.at("exportedAt").as_string(), format_iso8601(at_ms(1'700'000'100'000)));
  const bj::array& conversations = doc.at("conversations").as_array();
  ASSERT_EQ(conversations.size(), 2u);
  const bj::object& c1 = conversations[0].as_object();
  const bj::object& c2 = conversations[1].as_object();
  EXPECT_EQ(c1.at("id"), "c1");
  EXPECT_EQ(c1.at("dialogState"), nullptr);
  EXPECT_TRUE(c1.at("handoffs").as_array().empty());
  EXPECT_TRUE(c1.at("uploads").as_array().empty());

  EXPECT_EQ(c2.at("id"), "c2");
  EXPECT_EQ(c2.at("metadata").at("user_name"), "Ann");
  EXPECT_EQ(c2.at("dialogState").at("vars").at("email"), "a@x");
  const bj::array& activities = c2.at("activities").as_array();
  ASSERT_EQ(activities.size(), 3u);
  EXPECT_EQ(activities[2].at("text"), "hello 3") << "stored JSON is embedded as JSON";
  const bj::object& h = c2.at("handoffs").as_array().at(0).as_object();
  EXPECT_EQ(h.at("id"), "c2|h2");
  EXPECT_EQ(h.at("status"), "completed");
  EXPECT_EQ(h.at("request").at("context").at("va_LastTopic"), "Billing");
  EXPECT_EQ(h.at("outcome").at("agent"), "alice");
  const bj::object& u = c2.at("uploads").as_array().at(0).as_object();
  EXPECT_EQ(u.at("name").as_string(), (*stored)[0].name);
  EXPECT_EQ(u.at("contentType"), "application/pdf");
  EXPECT_EQ(u.at("size"), 4);
  EXPECT_EQ(u.at("path").as_string(), "/v3/directline/conversations/c2/files/" + (*stored)[0].name);

  const std::string text = json::dump(doc);
  EXPECT_EQ(text.find("bob"), std::string::npos) << "nothing of another customer";
}

TEST_F(ExportTest, ACustomerWithNothingStoredGetsAnEmptyDocument) {
  conversation("c1", "ann", 1);
  auto data = collect_customer(*store_, uploads_.get(), "nobody", at_ms(0));
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(to_json(*data).at("conversations").as_array().empty());
  auto empty = collect_customer(*store_, nullptr, "", at_ms(0));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ExportTest, ManyConversationsArePagedThrough) {
  const std::size_t n = store::kMaxPageSize + 5;
  WriteBatch batch;
  for (std::size_t i = 0; i < n; ++i) {
    store::Conversation row = make_conversation(fmt::format("c{:05}", i));
    row.user_id = "ann";
    batch.insert_conversation(row);
  }
  ASSERT_TRUE(store_->write(std::move(batch)).ok());
  auto data = collect_customer(*store_, nullptr, "ann", at_ms(0));
  ASSERT_TRUE(data.ok());
  ASSERT_EQ(data->conversations.size(), n);
  EXPECT_EQ(data->conversations.back().row.id, fmt::format("c{:05}", n - 1));
}

}  // namespace
}  // namespace baton::lifecycle
