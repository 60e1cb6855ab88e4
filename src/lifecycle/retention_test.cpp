// Retention with the real SQLite store, the real engine (the test bot) and a manual clock.
#include "lifecycle/retention.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/engine_test_support.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_test_util.hpp"

namespace baton::lifecycle {
namespace {

namespace fs = std::filesystem;
using engine::testing::await;
using engine::testing::contoso_bot;
using engine::testing::IoThread;
using engine::testing::TempDir;
using std::chrono::hours;

constexpr char kUploadOwner[] = "old-bot";

class RetentionTest : public ::testing::Test {
 public:
  ~RetentionTest() override {  // public: ::testing::Test's destructor is public virtual
    (void)store_->close();
    io_.drain(strand_);
  }

 protected:
  RetentionTest()
      : clock_(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()) - hours(72)) {
    store::SqliteOptions options;
    options.path = dir_.path() / "baton.db";
    auto opened = store::open_sqlite_store(options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    store::UploadLimits limits;
    limits.min_free_bytes = 0;
    auto files = store::UploadFiles::open(dir_.path() / "uploads", limits);
    EXPECT_TRUE(files.ok());
    uploads_ = std::move(*files);
    strand_ = boost::asio::make_strand(io_.io());
    engine_ = std::make_unique<engine::Engine>(strand_, *store_, contoso_bot(), clock_);
  }

  void start(const std::string& id) {
    engine::StartParams p;
    p.conversation_id = id;
    p.user = {"user-1", "Ann", "user"};
    p.greet = true;
    ASSERT_TRUE(
        await<engine::StartResult>([&](auto cb) { engine_->start_conversation(p, cb); }).ok());
  }
  void say(const std::string& id, const std::string& text) {
    activity::Activity a = activity::make_message(text);
    a.from = {"user-1", "Ann", ""};
    ASSERT_TRUE(
        await<engine::PostResult>([&](auto cb) { engine_->post_activity(id, a, cb); }).ok());
  }
  void move(const std::string& id, std::uint64_t epoch, engine::OwnershipEvent event) {
    ASSERT_TRUE(
        await<engine::Ownership>([&](auto cb) {
          engine_->change_ownership({id, epoch, event, dialog::HandoffOutcome::kCancelled, {}}, cb);
        }).ok());
  }
  void upload(const std::string& id, const std::string& bytes) {
    auto stored = uploads_->store(id, {{bytes, "text/plain", "a.txt"}});
    ASSERT_TRUE(stored.ok());
    // Files are dated by the real clock; this one was written with the conversation, by the test's.
    fs::last_write_time(dir_.path() / "uploads" / id / (*stored)[0].name,
                        std::chrono::file_clock::from_sys(clock_.now()));
  }
  bool exists(const std::string& id) { return store_->get_conversation(id).ok(); }

  Result<SweepResult> sweep(RetentionPolicy policy, std::size_t batch = 100) {
    auto retention = std::make_shared<Retention>(
        io_.io().get_executor(), *store_, *engine_, uploads_, clock_, policy,
        RetentionOptions{hours(1), batch, Millis{1}}, [this] { ++after_deletions_; });
    return await<SweepResult>([&](auto cb) { retention->sweep(cb); });
  }

  TempDir dir_;
  ManualClock clock_;
  IoThread io_;
  boost::asio::any_io_executor strand_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<store::UploadFiles> uploads_;
  std::unique_ptr<engine::Engine> engine_;
  int after_deletions_ = 0;
};

TEST_F(RetentionTest, OnlyConversationsIdlePastTheWindowThatNobodyHoldsGo) {
  using engine::OwnershipEvent;
  start(kUploadOwner);
  say(kUploadOwner, "where is my order");
  upload(kUploadOwner, "receipt");
  start("old-closed");
  say("old-closed", "talk to an agent");
  move("old-closed", 1, OwnershipEvent::kClosed);
  start("old-queued");
  say("old-queued", "talk to an agent");
  start("old-agent");
  say("old-agent", "talk to an agent");
  move("old-agent", 1, OwnershipEvent::kOffered);
  move("old-agent", 2, OwnershipEvent::kAccepted);
  start("old-but-busy");
  clock_.advance(hours(47));
  say("old-but-busy", "hello again");  // updated 1 h before the cutoff is reached
  clock_.advance(hours(2));
  start("recent");

  auto swept = sweep(RetentionPolicy{hours(48), {}, {}});
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->conversations_examined, 6u);
  EXPECT_EQ(swept->conversations_deleted, 2u);
  EXPECT_EQ(swept->upload_files, 1u) << "the conversation's uploads go with it";
  EXPECT_FALSE(exists(kUploadOwner));
  EXPECT_FALSE(exists("old-closed"));
  EXPECT_TRUE(store_->read_transcript(kUploadOwner)->empty());
  EXPECT_TRUE(store_->handoffs_for_conversation("old-closed")->empty());
  for (const char* kept : {"old-queued", "old-agent", "old-but-busy", "recent"}) {
    EXPECT_TRUE(exists(kept)) << kept;
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "uploads" / kUploadOwner));
  EXPECT_EQ(after_deletions_, 1);

  // The engine checks again when it deletes: a conversation updated since the listing stays.
  auto kept = await<bool>(
      [&](auto cb) { engine_->expire_conversation("recent", clock_.now() - hours(1), cb); });
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(*kept);
  // An id deleted by retention may start afresh (its tokens expired long ago).
  start(kUploadOwner);
  EXPECT_TRUE(exists(kUploadOwner));

  auto again = sweep(RetentionPolicy{hours(48), {}, {}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->conversations_deleted, 0u);
  EXPECT_EQ(after_deletions_, 1) << "nothing deleted, nothing to compact";
}

TEST_F(RetentionTest, ErasedConversationsTombstonesGoToo) {
  start("erased");
  ASSERT_TRUE(await<engine::ErasedConversation>([&](auto cb) {
                engine_->erase_conversation("erased", cb);
              }).ok());
  clock_.advance(hours(49));
  auto swept = sweep(RetentionPolicy{hours(48), {}, {}});
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->conversations_deleted, 1u);
  EXPECT_EQ(store_->get_conversation("erased").error().code, ErrorCode::kNotFound);
}

// Handoff records go by the age of their end; the conversations stay, open handoffs stay.
TEST_F(RetentionTest, EndedHandoffRecordsGoAndTheirConversationsStay) {
  using engine::OwnershipEvent;
  start("ended-old");
  say("ended-old", "talk to an agent");
  move("ended-old", 1, OwnershipEvent::kOffered);
  move("ended-old", 2, OwnershipEvent::kAccepted);
  move("ended-old", 3, OwnershipEvent::kHandoffEnded);
  start("queued-old");
  say("queued-old", "talk to an agent");
  start("in-memory");
  say("in-memory", "talk to an agent");
  move("in-memory", 1, OwnershipEvent::kHandoffEnded);
  clock_.advance(hours(30));
  start("ended-recent");
  say("ended-recent", "talk to an agent");
  move("ended-recent", 1, OwnershipEvent::kHandoffEnded);
  for (const char* id : {"ended-old", "queued-old", "in-memory", "ended-recent"}) {
    ASSERT_EQ(store_->handoffs_for_conversation(id)->size(), 1u) << id;
  }
  say("in-memory", "hello again");  // the engine holds it, busy or not, when the sweep comes

  auto swept = sweep(RetentionPolicy{{}, {}, {}, hours(24)}, 1);
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->handoff_records, 2u);
  EXPECT_EQ(swept->conversations_deleted, 0u);
  EXPECT_TRUE(store_->handoffs_for_conversation("ended-old")->empty());
  EXPECT_TRUE(store_->handoffs_for_conversation("in-memory")->empty());
  EXPECT_EQ(store_->handoffs_for_conversation("queued-old")->size(), 1u) << "still open";
  EXPECT_EQ(store_->handoffs_for_conversation("ended-recent")->size(), 1u) << "ended 0 h ago";
  for (const char* id : {"ended-old", "queued-old", "in-memory", "ended-recent"}) {
    EXPECT_TRUE(exists(id)) << id;
  }
  EXPECT_FALSE(store_->read_transcript("ended-old")->empty()) << "its activities stay";
  EXPECT_EQ(after_deletions_, 1) << "the hub log's copies of their contexts go at compaction";
  // The conversations carry on: the one held in memory, and the one loaded afresh.
  say("in-memory", "talk to an agent");
  say("ended-old", "talk to an agent");
  EXPECT_EQ(store_->handoffs_for_conversation("ended-old")->size(), 1u);

  auto again = sweep(RetentionPolicy{{}, {}, {}, hours(24)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->handoff_records, 0u);
  EXPECT_EQ(after_deletions_, 1);
}

TEST_F(RetentionTest, AuditRecordsAndUploadsByAgeInSmallSteps) {
  store::WriteBatch batch;
  for (int i = 0; i < 5; ++i) {
    store::AuditRecord a;
    a.time = clock_.now();
    a.actor = "alice";
    a.action = "login";
    batch.append_audit(a);
  }
  ASSERT_TRUE(store_->write(std::move(batch)).ok());
  start("c1");
  upload("c1", "old file");
  clock_.advance(hours(30));
  store::AuditRecord recent;
  recent.time = clock_.now();
  recent.actor = "bob";
  recent.action = "login";
  ASSERT_TRUE(store_->write(std::move(store::WriteBatch().append_audit(recent))).ok());
  upload("c1", "new file");

  auto swept = sweep(RetentionPolicy{{}, hours(24), hours(24)}, 2);
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->audit_records, 5u);
  EXPECT_EQ(swept->upload_files, 1u);
  EXPECT_EQ(swept->upload_bytes, 8u);
  EXPECT_EQ(swept->conversations_examined, 0u) << "no conversation policy: not even listed";
  auto left = store_->read_audit(0, 100, "");
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().actor, "bob");
  EXPECT_EQ(uploads_->list("c1")->size(), 1u);
  EXPECT_TRUE(exists("c1"));
}

TEST(ParseRetention, KindsDurationsAndErrors) {
  auto policy = parse_retention("conversations=90d,uploads=30d,audit=400d");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->conversations, Millis{90LL * 86'400'000});
  EXPECT_EQ(policy->uploads, Millis{30LL * 86'400'000});
  EXPECT_EQ(policy->audit, Millis{400LL * 86'400'000});
  EXPECT_EQ(parse_retention("audit=12h")->audit, Millis{12LL * 3'600'000});
  EXPECT_EQ(parse_retention("handoffs=30d")->handoffs, Millis{30LL * 86'400'000});
  EXPECT_FALSE(parse_retention("handoffs=30d")->conversations);
  EXPECT_FALSE(parse_retention("audit=12h")->conversations);
  for (const char* bad :
       {"", "audit", "audit=", "audit=0s", "audit=500ms", "audit=-1d", "audit=1d,audit=2d",
        "handoffs=1d,handoffs=1d", "transcripts=1d", "audit=1d,", "audit=soon"}) {
    auto r = parse_retention(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace baton::lifecycle
