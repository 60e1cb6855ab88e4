#include "lifecycle/export.hpp"

#include <fmt/format.h>

#include <utility>

#include "core/json.hpp"

namespace baton::lifecycle {
namespace {

namespace bj = boost::json;

// Stored JSON text embedded as JSON; text that does not parse (never written by Baton) stays a
// string, so the export still carries it.
bj::value embedded(const std::string& text) {
  if (text.empty()) {
    return nullptr;
  }
  auto parsed = json::parse(text);
  return parsed.ok() ? std::move(*parsed) : bj::value(text);
}

bj::object handoff_json(const store::HandoffRecord& h) {
  return {{"id", h.id},
          {"reason", h.reason},
          {"status", h.status},
          {"queue", h.queue},
          {"created", format_iso8601(h.created)},
          {"updated", format_iso8601(h.updated)},
          {"request", embedded(h.request_json)},
          {"outcome", embedded(h.outcome_json)}};
}

bj::object conversation_json(const ConversationData& c) {
  bj::array activities;
  activities.reserve(c.activities.size());
  for (const auto& a : c.activities) {
    activities.push_back(embedded(a.json));
  }
  bj::array handoffs;
  for (const auto& h : c.handoffs) {
    handoffs.push_back(handoff_json(h));
  }
  bj::array uploads;
  for (const auto& u : c.uploads) {
    uploads.push_back(bj::object{
        {"name", u.name},
        {"contentType", u.content_type},
        {"size", u.size},
        {"path", fmt::format("/v3/directline/conversations/{}/files/{}", c.row.id, u.name)}});
  }
  return {{"id", c.row.id},
          {"botId", c.row.bot_id},
          {"channelId", c.row.channel_id},
          {"created", format_iso8601(c.row.created)},
          {"updated", format_iso8601(c.row.updated)},
          {"closed", c.row.closed},
          {"ownership", c.row.ownership},
          {"metadata", embedded(c.row.metadata_json)},
          {"dialogState", c.snapshot ? embedded(c.snapshot->json) : bj::value(nullptr)},
          {"activities", std::move(activities)},
          {"handoffs", std::move(handoffs)},
          {"uploads", std::move(uploads)}};
}

}  // namespace

Result<CustomerData> collect_customer(store::Store& store, const store::UploadFiles* uploads,
                                      std::string_view user_id, TimePoint now) {
  if (user_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a user id is required");
  }
  CustomerData data;
  data.user_id = std::string(user_id);
  data.exported_at = now;
  std::string after;
  for (;;) {
    auto page = store.conversations_of_user(data.user_id, after, store::kMaxPageSize);
    if (!page.ok()) {
      return page.error();
    }
    for (auto& row : *page) {
      after = row.id;
      ConversationData c;
      c.row = std::move(row);
      if (auto snapshot = store.get_snapshot(c.row.id); snapshot.ok()) {
        c.snapshot = std::move(*snapshot);
      } else if (snapshot.error().code != ErrorCode::kNotFound) {
        return snapshot.error();
      }
      auto activities = store.read_transcript(c.row.id);
      if (!activities.ok()) {
        return activities.error();
      }
      c.activities = std::move(*activities);
      auto handoffs = store.handoffs_for_conversation(c.row.id);
      if (!handoffs.ok()) {
        return handoffs.error();
      }
      c.handoffs = std::move(*handoffs);
      if (uploads != nullptr) {
        auto files = uploads->list(c.row.id);
        if (!files.ok()) {
          return files.error();
        }
        c.uploads = std::move(*files);
      }
      data.conversations.push_back(std::move(c));
    }
    if (page->size() < store::kMaxPageSize) {
      return data;
    }
  }
}

bj::object to_json(const CustomerData& data) {
  bj::array conversations;
  conversations.reserve(data.conversations.size());
  for (const auto& c : data.conversations) {
    conversations.push_back(conversation_json(c));
  }
  return {{"userId", data.user_id},
          {"exportedAt", format_iso8601(data.exported_at)},
          {"conversations", std::move(conversations)}};
}

}  // namespace baton::lifecycle
