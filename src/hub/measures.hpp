#pragma once
// The hub's measurements for supervisor analytics (Omnichannel's terms: first wait, service
// level, offers accepted / declined / expired, transfers, handle time, agent time per presence,
// utilisation). Hub::apply(input, &measures) appends the measures of one input beside its
// decisions; like the decisions they are a pure function of the config and the inputs, so the
// same inputs always give the same measures. The metrics and their rules are documented here and
// in docs/HUB.md ("Measurements"); aggregating them (per hour, queue, agent) is the caller's.
//
// Conventions. `count` is the number of occurrences the measure stands for, `value` the sum of
// their values: milliseconds, or milliseconds × conversations for agent.load. `queue` and `agent`
// are "" where the metric has none. `at` is the time of the input that caused the measure, except
// for the pieces of spans cut at an hour boundary (below). Durations are whole milliseconds, never
// negative.
//
// Conversations (at = the input's time):
//   handoff.queued      {queue}         a handoff entered its first queue (not an overflow,
//                                       transfer or requeue); value 0
//   handoff.accepted    {queue, agent}  the first assignment of a handoff (not one after a
//                                       transfer or requeue); value = submission → assignment
//   handoff.cancelled   {queue}         the customer cancelled while waiting;
//   handoff.timed_out   {queue}         max_wait passed without an overflow;
//   handoff.abandoned   {queue}         the customer left or fell silent while waiting;
//                                       value (these three) = ms waited: from the submission, or
//                                       from the transfer / requeue that put it back in a queue
//   handoff.unavailable {queue}         the conversation left as unavailable (closed queue or no
//                                       agent online: at submission, overflow, requeue or when
//                                       its queue closed); value 0; beside it, same queue, one of
//   handoff.unavailable.out_of_hours, handoff.unavailable.no_agents,
//   handoff.unavailable.no_skilled_agents
//   handoff.overflowed  {queue}         max_wait passed and the conversation moved on; queue = the
//                                       queue it left; value = ms it waited in that queue
// Offers (queue = the conversation's queue, agent = the agent offered it):
//   offer.made          {queue, agent}  an offer was made (a re-issue by Recover is not a new one)
//   offer.transfer      {queue, agent}  beside offer.made when the offer is a transfer to an agent
//   offer.accepted, offer.declined, offer.expired, offer.rescinded {queue, agent}
//                                       how the offer ended; value = ms from the offer to its end
// Transfers and handling:
//   transfer            {queue, agent}  a transfer completed (to a queue, or accepted by the
//                                       agent); queue = the queue the conversation was in,
//                                       agent = the agent it came from; value 0
//   transfer.failed     {queue, agent}  a transfer did not happen (TransferFailed); likewise
//   handle              {queue, agent}  an agent's stint with a conversation ended: wrap-up ended
//                                       (done, forced, or by the agent's removal), or a transfer
//                                       or requeue took it away; value = ms from that agent's
//                                       assignment to then
// Agents (spans; agent only):
//   agent.presence.available | .busy | .away | .offline
//                                       time in the agent's effective presence (as
//                                       AgentView::presence: available at capacity is busy)
//   agent.load                          ∫ load dt (ms × conversations; load = offers + assigned +
//                                       wrap-ups) at any presence, while the load is not zero
//   agent.capacity                      ∫ capacity dt while the agent is online (available or
//                                       busy). Utilisation = Σ agent.load ÷ Σ agent.capacity.
// Span rules:
// - An agent's spans open at its first appearance: the first PresenceSet that makes it anything
//   but offline. Before it nothing is measured (an agent registered but never online has no
//   spans); from then on every presence is measured, offline included, until AgentRemoved.
// - A span is the time its quantity (effective presence, load, online capacity) keeps one value,
//   judged after each input: a value that changes and changes back within one input does not
//   cut the span.
// - A span is cut at every UTC hour boundary B (a multiple of 3,600,000 ms since the epoch) with
//   start < B ≤ end. Each piece before a cut is a measure at B − 1 ms with count 0; the last piece
//   (from the last cut or the start to the end) is a measure at the end with count 1. Spans still
//   open are cut by the first input after the boundary (the server's Tick, about a second later),
//   so a Tick may give measures without decisions. Σ count = spans ended; Σ value = their time.
// - agent.load and agent.capacity measures are given only for pieces where the load or online
//   capacity was not zero; agent.presence pieces always.

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace baton::hub {

// One analytics fact measured while applying an input: `count` occurrences of `metric` and the
// sum of their values (`value`: milliseconds, or milliseconds × conversations for agent.load), at
// time `at`, for a queue and/or an agent ("" when not applicable).
struct Measure {
  TimePoint at;
  std::string metric;
  std::string queue;
  std::string agent;
  std::int64_t count = 1;
  double value = 0;
  friend bool operator==(const Measure&, const Measure&) = default;
};
using Measures = std::vector<Measure>;

// The metric names above.
namespace metric {
inline constexpr const char* kHandoffQueued = "handoff.queued";
inline constexpr const char* kHandoffAccepted = "handoff.accepted";
inline constexpr const char* kHandoffCancelled = "handoff.cancelled";
inline constexpr const char* kHandoffTimedOut = "handoff.timed_out";
inline constexpr const char* kHandoffAbandoned = "handoff.abandoned";
inline constexpr const char* kHandoffUnavailable = "handoff.unavailable";
inline constexpr const char* kHandoffUnavailableOutOfHours = "handoff.unavailable.out_of_hours";
inline constexpr const char* kHandoffUnavailableNoAgents = "handoff.unavailable.no_agents";
inline constexpr const char* kHandoffUnavailableNoSkilledAgents =
    "handoff.unavailable.no_skilled_agents";
inline constexpr const char* kHandoffOverflowed = "handoff.overflowed";
inline constexpr const char* kOfferMade = "offer.made";
inline constexpr const char* kOfferTransfer = "offer.transfer";
inline constexpr const char* kOfferAccepted = "offer.accepted";
inline constexpr const char* kOfferDeclined = "offer.declined";
inline constexpr const char* kOfferExpired = "offer.expired";
inline constexpr const char* kOfferRescinded = "offer.rescinded";
inline constexpr const char* kTransfer = "transfer";
inline constexpr const char* kTransferFailed = "transfer.failed";
inline constexpr const char* kHandle = "handle";
inline constexpr const char* kPresenceAvailable = "agent.presence.available";
inline constexpr const char* kPresenceBusy = "agent.presence.busy";
inline constexpr const char* kPresenceAway = "agent.presence.away";
inline constexpr const char* kPresenceOffline = "agent.presence.offline";
inline constexpr const char* kLoad = "agent.load";
inline constexpr const char* kCapacity = "agent.capacity";
}  // namespace metric

// "<at ISO-8601> <metric> q=<queue> a=<agent> n=<count> v=<value>", for logs and tests.
std::string describe(const Measure& measure);

}  // namespace baton::hub
