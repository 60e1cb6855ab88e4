#pragma once
// Canonical activity ids (internal to src/store). The engine names every activity
// "<conversation id>|<seq zero-padded to 7 digits>" (engine::make_activity_id; more digits past
// 9,999,999). Such an id is a function of the row's primary key, so the SQLite store keeps it
// implicitly (activity_id NULL) instead of maintaining a unique index entry per activity: one
// random b-tree page less per appended activity. Any other id is stored explicitly in a partial
// unique index. Both kinds share one id space: a canonical id is unique because its key is, and the
// writer checks the cross cases (see WriteStatements::operator()(AppendActivity)).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace baton::store::sqlite {

// The key a canonical id names. `conversation_id` points into the parsed id.
struct ActivityKey {
  std::string_view conversation_id;
  std::uint64_t seq = 0;
};

// The key whose canonical id is exactly `activity_id` (split at the LAST '|'; the digits must be
// what the engine prints: at least 7, no leading zero beyond the padding; seq 1..kMaxSeq), or
// nullopt when `activity_id` is not canonical for any key. Never fails otherwise; any input is
// fine.
std::optional<ActivityKey> parse_canonical_activity_id(std::string_view activity_id);

// The canonical id of (conversation_id, seq).
std::string canonical_activity_id(std::string_view conversation_id, std::uint64_t seq);

// True when `a.activity_id` is the canonical id of a's own (conversation_id, seq).
bool has_canonical_id(const ActivityRecord& a);

}  // namespace baton::store::sqlite
