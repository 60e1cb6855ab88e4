#include "engine/ownership.hpp"

#include <gtest/gtest.h>

namespace baton::engine {
namespace {

using E = OwnershipEvent;

TEST(Ownership, FullHandoffCycleIncrementsEpochEachStep) {
  Ownership s;
  for (auto [event, owner] :
       {std::pair{E::kHandoffRequested, Owner::kQueued}, std::pair{E::kOffered, Owner::kOffered},
        std::pair{E::kDeclined, Owner::kQueued}, std::pair{E::kOffered, Owner::kOffered},
        std::pair{E::kAccepted, Owner::kAgent}, std::pair{E::kHandoffEnded, Owner::kBot}}) {
    const std::uint64_t before = s.epoch;
    auto next = transition(s, event);
    ASSERT_TRUE(next.ok()) << to_string(event) << ": " << next.error().message;
    EXPECT_EQ(next->owner, owner) << to_string(event);
    EXPECT_EQ(next->epoch, before + 1);
    s = *next;
  }
  EXPECT_EQ(s.epoch, 6u);
}

TEST(Ownership, QueuedCanBeCancelledBackToBot) {
  auto queued = transition({Owner::kBot, 3}, E::kHandoffRequested);
  ASSERT_TRUE(queued.ok());
  auto bot = transition(*queued, E::kHandoffEnded);
  ASSERT_TRUE(bot.ok());
  EXPECT_EQ(*bot, (Ownership{Owner::kBot, 5}));
}

TEST(Ownership, IllegalTransitionsAreConflicts) {
  const struct {
    Owner from;
    E event;
  } cases[] = {
      {Owner::kBot, E::kAccepted},
      {Owner::kBot, E::kOffered},
      {Owner::kBot, E::kHandoffEnded},
      {Owner::kQueued, E::kAccepted},
      {Owner::kQueued, E::kHandoffRequested},
      {Owner::kAgent, E::kOffered},
      {Owner::kClosed, E::kHandoffRequested},
      {Owner::kClosed, E::kClosed},
      {Owner::kQueued, E::kRequeued},
      {Owner::kOffered, E::kRequeued},
      {Owner::kBot, E::kRequeued},
  };
  for (const auto& c : cases) {
    auto r = transition({c.from, 7}, c.event);
    ASSERT_FALSE(r.ok()) << to_string(c.from) << " + " << to_string(c.event);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  }
}

TEST(Ownership, AnAgentOwnerCanRequeue) {
  auto r = transition({Owner::kAgent, 5}, E::kRequeued);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Ownership{Owner::kQueued, 6}));
}

TEST(Ownership, AnyOpenStateCanClose) {
  for (Owner o : {Owner::kBot, Owner::kQueued, Owner::kOffered, Owner::kAgent}) {
    auto r = transition({o, 1}, E::kClosed);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->owner, Owner::kClosed);
  }
}

TEST(Ownership, StaleWriterIsRefused) {
  const Ownership now{Owner::kAgent, 4};
  EXPECT_TRUE(check_writer(now, {Owner::kAgent, 4}).ok());
  auto stale_epoch = check_writer(now, {Owner::kAgent, 3});
  ASSERT_FALSE(stale_epoch.ok());
  EXPECT_EQ(stale_epoch.error().code, ErrorCode::kConflict);
  auto bot_after_takeover = check_writer(now, {Owner::kBot, 4});
  EXPECT_FALSE(bot_after_takeover.ok());
}

TEST(Ownership, NamesRoundTrip) {
  for (Owner o : {Owner::kBot, Owner::kQueued, Owner::kOffered, Owner::kAgent, Owner::kClosed}) {
    EXPECT_EQ(parse_owner(to_string(o)), o);
  }
  EXPECT_FALSE(parse_owner("wrap_up").has_value());
  EXPECT_FALSE(parse_owner("").has_value());
}

}  // namespace
}  // namespace baton::engine
