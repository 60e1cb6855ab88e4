#pragma once
// The stored form of an activity's body (ActivityRecord::json), shared by both stores.
//
// A body the engine writes begins {"type":T,"id":I,"timestamp":S, where T, I and S are the row's
// own type, activity_id and timestamp (ISO 8601 with milliseconds, format_iso8601): about 80
// bytes per activity that repeat columns of the same row. The store keeps such a body as "{,"
// followed by the rest, and puts the prefix back, byte for byte, when it reads the row: readers
// get exactly the bytes that were written. "{," never begins JSON, so any other body (rows written
// before this form, a body whose prefix differs from its columns) is kept and read as it is.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace baton::store {

// What the store writes for `json`, given the row's type, activity id and timestamp.
std::string pack_activity_body(std::string_view json, std::string_view type,
                               std::string_view activity_id, TimePoint timestamp);

// The body as written, from what the store holds and the same row's columns.
std::string unpack_activity_body(std::string stored, std::string_view type,
                                 std::string_view activity_id, TimePoint timestamp);

}  // namespace baton::store
