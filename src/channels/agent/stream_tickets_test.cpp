#include "channels/agent/stream_tickets.hpp"

#include <gtest/gtest.h>

#include <set>

namespace baton::agent {
namespace {

using std::chrono::seconds;

TEST(StreamTickets, ATicketWorksOnceForItsSession) {
  ManualClock clock;
  StreamTickets tickets(clock, seconds(30));
  const std::string ticket = tickets.issue("session-a");
  EXPECT_EQ(ticket.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(tickets.redeem(ticket), "session-a");
  EXPECT_EQ(tickets.redeem(ticket), std::nullopt);
  EXPECT_EQ(tickets.redeem("not-a-ticket"), std::nullopt);
  EXPECT_EQ(tickets.redeem(""), std::nullopt);
}

TEST(StreamTickets, ExpiredTicketsAreRefused) {
  ManualClock clock;
  StreamTickets tickets(clock, seconds(30));
  const std::string ticket = tickets.issue("session-a");
  clock.advance(seconds(30));
  EXPECT_EQ(tickets.redeem(ticket), std::nullopt);
  const std::string fresh = tickets.issue("session-b");
  clock.advance(seconds(29));
  EXPECT_EQ(tickets.redeem(fresh), "session-b");
}

TEST(StreamTickets, TicketsAreUniqueAndBounded) {
  ManualClock clock;
  StreamTickets tickets(clock, seconds(30), 100);
  std::set<std::string> seen;
  std::string first;
  for (int i = 0; i < 1000; ++i) {
    const std::string t = tickets.issue("s" + std::to_string(i));
    if (i == 0) {
      first = t;
    }
    EXPECT_TRUE(seen.insert(t).second);
    EXPECT_LE(tickets.outstanding(), 100u);
  }
  EXPECT_EQ(tickets.redeem(first), std::nullopt);  // the oldest gave way
}

}  // namespace
}  // namespace baton::agent
