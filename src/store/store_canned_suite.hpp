#pragma once
// The Store conformance suite for canned responses: upsert keeping the creation time, list order,
// the (queue, code) uniqueness, delete, reopen, and validation at submit. Instantiated like
// store_suite.hpp:
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreCannedSuite, MyFactory);

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

inline CannedResponse make_canned(std::string id, std::string queue, std::string code,
                                  std::int64_t ms = 1'700'000'000'000) {
  CannedResponse c;
  c.id = std::move(id);
  c.queue = std::move(queue);
  c.code = std::move(code);
  c.title = "Title of " + c.code;
  c.text = "Hello {customer.name}, this is {agent.name}. ✓";
  c.updated_by = "sam";
  c.created = at_ms(ms);
  c.updated = at_ms(ms);
  return c;
}

template <class Factory>
class StoreCannedSuite : public ::testing::Test {
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
  Status put(const CannedResponse& c) {
    return store_->write(std::move(WriteBatch().put_canned(c)));
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreCannedSuite);

TYPED_TEST_P(StoreCannedSuite, UpsertListDeleteReopen) {
  EXPECT_TRUE(this->store_->list_canned()->empty());
  EXPECT_EQ(this->store_->get_canned("c1").error().code, ErrorCode::kNotFound);
  const CannedResponse global = make_canned("c1", "", "hello");
  const CannedResponse billing = make_canned("c2", "billing", "refund");
  const CannedResponse billing_hello = make_canned("c3", "billing", "hello");
  ASSERT_TRUE(
      this->store_
          ->write(std::move(
              WriteBatch().put_canned(billing).put_canned(billing_hello).put_canned(global)))
          .ok());
  EXPECT_EQ(*this->store_->get_canned("c2"), billing);
  auto all = this->store_->list_canned();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  // Ordered by queue, then code: the global ones ("") first.
  EXPECT_EQ((*all)[0], global);
  EXPECT_EQ((*all)[1], billing_hello);
  EXPECT_EQ((*all)[2], billing);

  // Replacing changes everything but the creation time.
  CannedResponse changed = billing;
  changed.queue = "";
  changed.code = "refund-policy";
  changed.title = "Refunds";
  changed.text = "Refunds take {context.days} days.";
  changed.updated_by = "ada";
  changed.created = at_ms(1'800'000'000'000);
  changed.updated = at_ms(1'800'000'000'000);
  ASSERT_TRUE(this->put(changed).ok());
  CannedResponse expected = changed;
  expected.created = billing.created;
  EXPECT_EQ(*this->store_->get_canned("c2"), expected);

  // (queue, code) is unique: another id with the same pair is a conflict, and undoes its batch.
  Status clash = this->store_->write(std::move(WriteBatch()
                                                   .put_canned(make_canned("c4", "x", "y"))
                                                   .put_canned(make_canned("c5", "", "hello"))));
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(this->store_->get_canned("c4").error().code, ErrorCode::kNotFound);
  // The same code in another queue is fine.
  EXPECT_TRUE(this->put(make_canned("c5", "general", "hello")).ok());

  ASSERT_TRUE(this->store_->write(std::move(WriteBatch().delete_canned("c1"))).ok());
  Status again = this->store_->write(std::move(WriteBatch().delete_canned("c1")));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(again.error().message, ::testing::HasSubstr("c1"));

  this->reopen();
  auto after = this->store_->list_canned();
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 3u);
  EXPECT_EQ((*after)[0], expected);
  EXPECT_EQ((*after)[1].id, "c3");
  EXPECT_EQ((*after)[2].id, "c5");
}

TYPED_TEST_P(StoreCannedSuite, InvalidCannedRejectedAtSubmit) {
  auto rejected = [this](const CannedResponse& c) -> std::string {
    Status s = this->store_->submit(std::move(WriteBatch().put_canned(c)), [](const Status&) {});
    EXPECT_FALSE(s.ok());
    return s.ok() ? "" : s.error().message;
  };
  CannedResponse c = make_canned("ok", "", "code");
  c.code = "Upper";
  EXPECT_THAT(rejected(c), ::testing::HasSubstr("code may contain only"));
  c.code = std::string(kMaxCannedCodeLength + 1, 'a');
  EXPECT_THAT(rejected(c), ::testing::HasSubstr("code is 33 bytes"));
  c = make_canned("ok", "", "code");
  c.text = "";
  EXPECT_THAT(rejected(c), ::testing::HasSubstr("text must not be empty"));
  c.text = std::string(kMaxCannedTextLength + 1, 'x');
  EXPECT_THAT(rejected(c), ::testing::HasSubstr("text is 16001 bytes"));
  c = make_canned("ok", "", "code");
  c.title = std::string(kMaxCannedTitleLength + 1, 't');
  EXPECT_THAT(rejected(c), ::testing::HasSubstr("title is 401 bytes"));
  c = make_canned("bad/id", "", "code");
  EXPECT_THAT(rejected(c), ::testing::HasSubstr("may contain only"));
  EXPECT_FALSE(
      this->store_->submit(std::move(WriteBatch().delete_canned("")), [](const Status&) {}).ok());
  // The largest valid one is stored whole.
  c = make_canned("big", "q", std::string(kMaxCannedCodeLength, 'z'));
  c.title = std::string(kMaxCannedTitleLength, 't');
  c.text = std::string(kMaxCannedTextLength, 'x');
  ASSERT_TRUE(this->put(c).ok());
  EXPECT_EQ(*this->store_->get_canned("big"), c);
}

REGISTER_TYPED_TEST_SUITE_P(StoreCannedSuite, UpsertListDeleteReopen,
                            InvalidCannedRejectedAtSubmit);

}  // namespace baton::store::testing
