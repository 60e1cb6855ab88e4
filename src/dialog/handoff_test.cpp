#include "dialog/handoff.hpp"

#include <gtest/gtest.h>

namespace baton::dialog {
namespace {

namespace bj = boost::json;

HandoffRequest sample_request() {
  HandoffRequest request;
  request.reason = HandoffReason::kRequested;
  request.topic = "Return an item";
  request.context = bj::object{
      {"va_Scope", "bot"}, {"va_LastTopic", "Return an item"}, {"StoreLocation", "Bellevue"}};
  request.agent_message = "Return at Bellevue";
  activity::Activity user = activity::make_message("can i return my item");
  user.id = "abc123|0006";
  user.from = {"user1", "", "user"};
  request.transcript.push_back(user);
  return request;
}

TEST(HandoffNames, RoundTripEveryReasonAndOutcome) {
  for (auto reason : {HandoffReason::kExplicit, HandoffReason::kRequested, HandoffReason::kNoMatch,
                      HandoffReason::kInvalidAnswer}) {
    EXPECT_EQ(parse_handoff_reason(to_string(reason)), reason);
  }
  for (auto outcome :
       {HandoffOutcome::kCompleted, HandoffOutcome::kCancelled, HandoffOutcome::kUnavailable,
        HandoffOutcome::kUnsupported, HandoffOutcome::kTimedOut}) {
    EXPECT_EQ(parse_handoff_outcome(to_string(outcome)), outcome);
  }
  EXPECT_STREQ(to_string(HandoffReason::kNoMatch), "no_match");
  EXPECT_STREQ(to_string(HandoffReason::kInvalidAnswer), "invalid_answer");
  EXPECT_STREQ(to_string(HandoffOutcome::kTimedOut), "timed_out");
  EXPECT_FALSE(parse_handoff_reason("Requested"));
  EXPECT_FALSE(parse_handoff_outcome(""));
  EXPECT_FALSE(parse_handoff_outcome("timedOut"));
}

TEST(HandoffInitiate, HasTheProtocolShape) {
  const activity::ChannelAccount bot{"bot-id", "Contoso Bot", "bot"};
  const activity::ChannelAccount user{"user1", "", "user"};
  const auto event =
      make_handoff_initiate(sample_request(), bot, user, "abc123", "directline", "abc123|0007");
  EXPECT_EQ(event.type, "event");
  EXPECT_EQ(event.name, "handoff.initiate");
  EXPECT_EQ(event.from, bot);
  EXPECT_EQ(event.recipient, user);
  EXPECT_EQ(event.conversation.id, "abc123");
  EXPECT_EQ(event.channel_id, "directline");
  EXPECT_EQ(event.reply_to_id, "abc123|0007");
  EXPECT_EQ(event.value, (bj::value{{"va_Scope", "bot"},
                                    {"va_LastTopic", "Return an item"},
                                    {"StoreLocation", "Bellevue"}}));
  ASSERT_EQ(event.attachments.size(), 1u);
  const auto& transcript = event.attachments[0];
  EXPECT_EQ(transcript.content_type, "application/json");
  EXPECT_EQ(transcript.name, "Transcript");
  const auto& activities = transcript.content.at("activities").as_array();
  ASSERT_EQ(activities.size(), 1u);
  EXPECT_EQ(activities[0].at("id"), "abc123|0006");
  EXPECT_EQ(activities[0].at("text"), "can i return my item");
  EXPECT_EQ(event.relates_to,
            (bj::value{{"activityId", "abc123|0007"},
                       {"user", {{"id", "user1"}, {"role", "user"}}},
                       {"bot", {{"id", "bot-id"}, {"name", "Contoso Bot"}, {"role", "bot"}}},
                       {"conversation", {{"id", "abc123"}}},
                       {"channelId", "directline"}}));
  EXPECT_TRUE(event.entities.empty());
  const auto wire = activity::to_json(event);
  EXPECT_EQ(wire.at("name"), "handoff.initiate");
  EXPECT_EQ(wire.at("attachments").at(0).at("name"), "Transcript");
}

TEST(HandoffInitiate, ParseInvertsMake) {
  const auto event = make_handoff_initiate(sample_request(), {"bot-id", "Contoso Bot", "bot"},
                                           {"user1", "", "user"}, "abc123", "directline", "x");
  auto parsed = parse_handoff_initiate(event);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->reason, HandoffReason::kExplicit);  // the context carries no reason
  EXPECT_EQ(parsed->topic, "Return an item");
  EXPECT_EQ(parsed->context.at("StoreLocation"), "Bellevue");
  ASSERT_EQ(parsed->transcript.size(), 1u);
  EXPECT_EQ(parsed->transcript[0].text, "can i return my item");
  EXPECT_EQ(parsed->transcript[0].id, "abc123|0006");
}

TEST(HandoffInitiate, ParsesThePvaSampleSpellings) {
  activity::Activity event =
      activity::make_event("handoff.initiate", bj::object{{"va_LastPhrase", "store hours"},
                                                          {"va_AgentMessage", "Transferred"},
                                                          {"reason", "no_match"}});
  activity::Attachment transcript;
  transcript.name = "transcript";
  transcript.content_type = "application/json";
  transcript.content = bj::object{{"activities", bj::array{}}};
  event.attachments.push_back(transcript);
  auto parsed = parse_handoff_initiate(event);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->reason, HandoffReason::kNoMatch);
  EXPECT_EQ(parsed->agent_message, "Transferred");
  EXPECT_EQ(parsed->context.at("va_LastPhrases"), "store hours");
  EXPECT_TRUE(parsed->transcript.empty());
}

TEST(HandoffInitiate, RejectsOtherActivitiesAndBadShapes) {
  EXPECT_FALSE(parse_handoff_initiate(activity::make_message("hi")).ok());
  EXPECT_FALSE(parse_handoff_initiate(activity::make_event("handoff.status")).ok());
  auto bad_value = activity::make_event("handoff.initiate", bj::value(42));
  EXPECT_EQ(parse_handoff_initiate(bad_value).error().message, "value: expected object");
  auto bad_reason = activity::make_event("handoff.initiate", bj::object{{"reason", "bored"}});
  EXPECT_FALSE(parse_handoff_initiate(bad_reason).ok());
  auto bad_transcript = activity::make_event("handoff.initiate", bj::object{});
  activity::Attachment attachment;
  attachment.name = "Transcript";
  attachment.content = bj::object{{"activities", bj::array{42}}};
  bad_transcript.attachments.push_back(attachment);
  const auto result = parse_handoff_initiate(bad_transcript);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("activities[0]"), std::string::npos);
}

TEST(HandoffStatus, OmitsAnEmptyMessage) {
  const auto accepted = make_handoff_status("accepted");
  EXPECT_EQ(accepted.type, "event");
  EXPECT_EQ(accepted.name, "handoff.status");
  EXPECT_EQ(accepted.value, (bj::value{{"state", "accepted"}}));
  const auto failed = make_handoff_status("failed", "no agent with that skill");
  EXPECT_EQ(failed.value,
            (bj::value{{"state", "failed"}, {"message", "no agent with that skill"}}));
}

}  // namespace
}  // namespace baton::dialog
