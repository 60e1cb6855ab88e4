#pragma once
// One customer's data as one document (what GDPR Art. 15 lets a customer ask for): every
// conversation whose user id is theirs, with its activities, its dialog state (the variables the
// bot collected), its handoff records (context, transcript reference, outcome) and the files they
// uploaded. Read from the store and the uploads folder only; nothing is written.
//
// The document (to_json), with times in ISO-8601 UTC and stored JSON embedded as JSON:
//   {"userId", "exportedAt", "conversations": [{"id", "botId", "channelId", "created", "updated",
//     "closed", "ownership", "metadata", "dialogState" (null when none), "activities": [...],
//     "handoffs": [{"id", "reason", "status", "queue", "created", "updated", "request",
//     "outcome"}], "uploads": [{"name", "contentType", "size", "path"}]}]}

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"
#include "store/upload_files.hpp"

namespace baton::lifecycle {

struct ConversationData {
  store::Conversation row;
  std::optional<store::DialogSnapshot> snapshot;
  std::vector<store::ActivityRecord> activities;
  std::vector<store::HandoffRecord> handoffs;
  std::vector<store::UploadInfo> uploads;
};

struct CustomerData {
  std::string user_id;
  TimePoint exported_at{};
  std::vector<ConversationData> conversations;  // in conversation id order
};

// Reads everything the store and `uploads` (nullptr: no uploads folder) hold of `user_id`. A user
// id nobody has yields no conversations. Errors: kInvalidArgument for an empty user id; the
// store's read errors (kIo, kUnavailable) as they are.
Result<CustomerData> collect_customer(store::Store& store, const store::UploadFiles* uploads,
                                      std::string_view user_id, TimePoint now);

boost::json::object to_json(const CustomerData& data);

}  // namespace baton::lifecycle
