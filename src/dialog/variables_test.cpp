#include "dialog/variables.hpp"

#include <gtest/gtest.h>

#include "dialog/test_bot.hpp"

namespace baton::dialog {
namespace {

namespace bj = boost::json;

bot::Bot two_topic_bot() {
  bot::Bot b;
  b.id = "v";
  b.name = "V";
  b.variables.push_back({{}, "Global", bj::value("initial")});
  b.topics.push_back(testing::topic("A", {"a"}, {}));
  b.topics.push_back(testing::topic("B", {"b"}, {}));
  return b;
}

TEST(VariableStore, GlobalsAreSharedTopicVariablesAreNot) {
  const auto b = two_topic_bot();
  VariableStore store(b);
  EXPECT_EQ(*store.get(0, "Global"), "initial");
  store.set(0, "Global", "from A");
  EXPECT_EQ(*store.get(1, "Global"), "from A");
  store.set(0, "X", 1);
  EXPECT_EQ(store.get(1, "X"), nullptr);
  store.set(1, "X", 2);
  EXPECT_EQ(*store.get(0, "X"), 1);
  EXPECT_EQ(store.merged(), (bj::object{{"Global", "from A"}, {"X", 2}}));
  store.set(0, "X", 3);
  EXPECT_EQ(store.merged().at("X"), 3);
  store.set(0, "X", nullptr);  // unset: reads as unset, but is the most recent X
  EXPECT_EQ(store.get(0, "X"), nullptr);
  EXPECT_EQ(store.merged().at("X"), nullptr);
  store.reset(b);
  EXPECT_EQ(store.merged(), (bj::object{{"Global", "initial"}}));
}

TEST(VariableStore, SnapshotRoundTripKeepsSequenceOrder) {
  const auto compiled = CompiledBot::compile(two_topic_bot());
  VariableStore store(compiled->bot());
  store.set(1, "X", "b");
  store.set(0, "X", "a");
  auto restored = VariableStore::from_json(*compiled, store.to_json(compiled->bot()));
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->merged(), store.merged());
  restored->set(1, "X", "b2");  // sequence numbers continue after the restored ones
  EXPECT_EQ(restored->merged().at("X"), "b2");
  EXPECT_FALSE(VariableStore::from_json(*compiled, bj::value(nullptr)).ok());
  EXPECT_FALSE(
      VariableStore::from_json(*compiled, bj::object{{"next", -1}, {"slots", bj::array{}}}).ok());
}

}  // namespace
}  // namespace baton::dialog
