#pragma once
// Encodings both store implementations use on disk (internal to src/store): times as
// milliseconds since the Unix epoch, an agent's skills as a JSON array of strings, and what counts
// as one batch's own failure.

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace baton::store {

// Times are stored as integer milliseconds since the Unix epoch (UTC).
std::int64_t to_millis(TimePoint t);
TimePoint from_millis(std::int64_t ms);

// Skills as stored: a JSON array of strings.
std::string encode_skills(const std::vector<std::string>& skills);
// The store writes this column itself, so anything but an array of strings means the data was
// edited by hand: the strings that are there are kept rather than failing every agent read.
std::vector<std::string> decode_skills(const std::string& text);

// True for the error codes that concern one batch's content rather than the storage itself: such
// a failure rolls back its batch alone.
bool is_batch_local(ErrorCode code);

// read_analytics's refusal when its answer would have more than kMaxAnalyticsRows rows.
Error too_many_analytics_rows();

}  // namespace baton::store
