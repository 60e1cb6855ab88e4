#pragma once
// JSON forms of the Hub's inputs, for the engine's durable event log (replayed after a restart,
// see hub.hpp). One Input is one JSON object:
//
//   {"at": "2026-03-02T10:00:00.000Z", "type": "<type>", ...fields of the event}
//
//   type               fields
//   handoff_submitted  conversation, context (object), reason, language, queue, skills ([str]),
//                      priority (int, optional)
//   handoff_cancelled  conversation          customer_activity  conversation
//   customer_left      conversation          agent_removed      agent
//   agent_registered   agent {id, name, role, skills, capacity}
//   presence_set       agent, presence (available|busy|away|offline)
//   offer_accepted     conversation, agent, offer_id (uint)
//   offer_declined     conversation, agent, offer_id (uint)
//   transfer_requested conversation, from_agent, to_queue, to_agent, note
//   conversation_ended conversation, agent   wrap_up_done       conversation, agent
//   tick               (none)                recover            (none)
//
// The format is stable: fields are only ever added (readers ignore unknown ones, and absent
// optional fields take their defaults). Times are stored in milliseconds, as ISO-8601 UTC.

#include <boost/json.hpp>

#include "core/result.hpp"
#include "hub/events.hpp"

namespace baton::hub {

boost::json::object input_to_json(const Input& input);

// Error kInvalidArgument naming the field when the object is not an Input of a known type.
Result<Input> input_from_json(const boost::json::value& json);

}  // namespace baton::hub
