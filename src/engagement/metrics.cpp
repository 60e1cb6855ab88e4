// What the engagement tells operators (EngagementMetrics): the hub's decisions counted as they are
// acted on, and the hub's queues and agents read on the strand when asked.
#include <algorithm>
#include <set>

#include "core/overloaded.hpp"
#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {

void Engagement::Impl::count(const hub::Decisions& decisions) {
  // An agent accepting a transfer offer is Assigned right after TransferCompleted in the same
  // decisions: an accepted offer, not another accepted wait.
  std::set<std::string> transferred;
  for (const auto& d : decisions) {
    std::visit(Overloaded{
                   [&](const hub::Offered&) { ++offers_counted.made; },
                   [&](const hub::OfferExpired&) { ++offers_counted.expired; },
                   [&](const hub::OfferRescinded&) { ++offers_counted.rescinded; },
                   [&](const hub::TransferCompleted& t) {
                     if (!t.to_agent.empty()) {
                       transferred.insert(t.conversation);
                     }
                   },
                   [&](const hub::Assigned& a) {
                     ++offers_counted.accepted;  // every assignment answers an offer
                     if (transferred.count(a.conversation) == 0) {
                       ++handoffs_counted.accepted;
                     }
                   },
                   [&](const hub::Cancelled&) { ++handoffs_counted.cancelled; },
                   [&](const hub::Unavailable&) { ++handoffs_counted.unavailable; },
                   [&](const hub::TimedOut&) { ++handoffs_counted.timed_out; },
                   [&](const hub::Abandoned&) { ++handoffs_counted.abandoned; },
                   [](const auto&) {},
               },
               d);
  }
}

void Engagement::metrics(std::function<void(EngagementMetrics)> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) {
    EngagementMetrics m;
    m.handoffs = self.handoffs_counted;
    m.offers = self.offers_counted;
    const TimePoint now = self.clock.now();
    for (const auto& q : self.hub->queues(now)) {
      m.queues.push_back({q.name, q.waiting, q.longest_wait});
    }
    for (const auto& a : self.hub->agents(now)) {
      const auto at = static_cast<std::size_t>(a.presence);
      if (at < m.agents_by_presence.size()) {
        ++m.agents_by_presence[at];
      }
    }
    done(std::move(m));
  });
}

}  // namespace baton::engagement
