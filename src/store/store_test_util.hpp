#pragma once
// Shared helpers for the store test suites (test-only): a temporary directory per test and record
// builders with deterministic contents.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/testing/temp_dir.hpp"
#include "store/store.hpp"

namespace baton::store::testing {

using baton::testing::TempDir;  // core/testing/temp_dir.hpp

// Millisecond-precision times, as the store keeps them.
inline TimePoint at_ms(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

inline Conversation make_conversation(const std::string& id, std::int64_t t = 1'700'000'000'000) {
  Conversation c;
  c.id = id;
  c.bot_id = "bot-1";
  c.user_id = "user-" + id;
  c.channel_id = "directline";
  c.created = at_ms(t);
  c.updated = at_ms(t);
  c.metadata_json = R"({"user_name":"Ann"})";
  return c;
}

inline ActivityRecord make_activity(const std::string& conversation_id, std::uint64_t seq) {
  ActivityRecord a;
  a.conversation_id = conversation_id;
  a.seq = seq;
  a.activity_id = conversation_id + "|" + std::to_string(seq);
  a.type = seq % 2 == 0 ? "event" : "message";
  a.name = seq % 2 == 0 ? "event." + std::to_string(seq) : "";
  a.timestamp = at_ms(1'700'000'000'000 + static_cast<std::int64_t>(seq));
  a.json = R"({"type":"message","text":"hello )" + std::to_string(seq) + R"("})";
  return a;
}

inline HandoffRecord make_handoff(const std::string& id, const std::string& conversation_id,
                                  std::int64_t t) {
  HandoffRecord h;
  h.id = id;
  h.conversation_id = conversation_id;
  h.reason = "requested";
  h.queue = "billing";
  h.created = at_ms(t);
  h.updated = at_ms(t);
  h.request_json = R"({"context":{"va_LastTopic":"Billing"},"transcript":{"from":1,"to":4}})";
  return h;
}

inline ConversationEvent make_event(const std::string& conversation_id, std::uint64_t seq,
                                    std::string kind) {
  ConversationEvent e;
  e.conversation_id = conversation_id;
  e.seq = seq;
  e.kind = std::move(kind);
  e.epoch = seq;
  e.time = at_ms(1'700'000'000'000 + static_cast<std::int64_t>(seq));
  e.payload_json = R"({"n":)" + std::to_string(seq) + "}";
  return e;
}

inline AgentRecord make_agent(const std::string& id, std::int64_t t = 1'700'000'000'000) {
  AgentRecord a;
  a.id = id;
  a.display_name = "Agent " + id;
  a.role = "agent";
  a.skills = {"billing", "de"};
  a.capacity = 2;
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$fake-salt$fake-hash-of-" + id;
  a.created = at_ms(t);
  a.updated = at_ms(t);
  return a;
}

inline AuditRecord make_audit(const std::string& actor, const std::string& action,
                              const std::string& conversation_id, std::int64_t t) {
  AuditRecord a;
  a.time = at_ms(t);
  a.actor = actor;
  a.action = action;
  a.conversation_id = conversation_id;
  a.detail_json = R"({"t":)" + std::to_string(t) + "}";
  return a;
}

}  // namespace baton::store::testing
