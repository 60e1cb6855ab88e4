#include "activity/activity.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace baton::activity {
namespace {

Activity must_parse(std::string_view text) {
  auto r = parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : Activity{};
}

// The activity must survive serialize → parse unchanged, and its wire JSON must equal the sample
// minus the members that are empty (which Baton omits).
void expect_round_trip(std::string_view sample, const Activity& a,
                       const std::vector<std::string_view>& omitted = {}) {
  const std::string wire = serialize(a);
  EXPECT_EQ(must_parse(wire), a) << wire;
  bj::object expected = bj::parse(sample).as_object();
  for (auto key : omitted) {
    EXPECT_EQ(expected.erase(key), 1u) << key;
  }
  EXPECT_EQ(bj::value(to_json(a)), bj::value(expected)) << wire;
}

constexpr std::string_view kWebChatPost = R"({
  "type": "message", "text": "hi", "channelId": "webchat",
  "from": {"id": "dl_user1", "name": "Ann", "role": "user"},
  "locale": "en-US", "localTimestamp": "2024-05-01T12:00:00.000+02:00",
  "localTimezone": "Europe/Berlin", "textFormat": "plain",
  "channelData": {"clientActivityID": "1714557600000abc"},
  "entities": [{"type": "ClientCapabilities", "requiresBotState": true,
                "supportsListening": true, "supportsTts": true}],
  "attachments": []
})";

TEST(ActivityParse, WebChatOutgoingMessage) {
  const Activity a = must_parse(kWebChatPost);
  EXPECT_EQ(a.type, "message");
  EXPECT_EQ(a.text, "hi");
  EXPECT_EQ(a.channel_id, "webchat");
  EXPECT_EQ(a.from, (ChannelAccount{"dl_user1", "Ann", "user"}));
  EXPECT_EQ(a.locale, "en-US");
  EXPECT_EQ(a.local_timestamp, "2024-05-01T12:00:00.000+02:00");
  EXPECT_EQ(a.local_timezone, "Europe/Berlin");
  EXPECT_EQ(a.text_format, "plain");
  EXPECT_EQ(a.channel_data.at("clientActivityID"), "1714557600000abc");
  ASSERT_EQ(a.entities.size(), 1u);
  EXPECT_EQ(a.entities[0].at("type"), "ClientCapabilities");
  EXPECT_EQ(a.entities[0].at("supportsTts"), true);
  EXPECT_TRUE(a.attachments.empty());
  EXPECT_TRUE(a.extra.empty());
  expect_round_trip(kWebChatPost, a, {"attachments"});
}

constexpr std::string_view kPvaHandoff = R"({
  "type": "event", "name": "handoff.initiate",
  "id": "91hcXEd0ZYCBPoRwBDPHZ6-o|0000005", "timestamp": "2020-02-10T21:51:37.4997264Z",
  "channelId": "directline",
  "from": {"id": "f074b91b-2f8c-4543-bbcc-7226e9662c01", "name": "Test501", "role": "bot"},
  "conversation": {"id": "91hcXEd0ZYCBPoRwBDPHZ6-o"},
  "attachments": [{"contentType": "application/json", "name": "Transcript",
    "content": {"activities": [
      {"type": "message", "id": "91hcXEd0ZYCBPoRwBDPHZ6-o|0000000",
       "timestamp": "2020-02-10T21:51:21.491453+00:00",
       "serviceUrl": "https://directline.botframework.com/", "channelId": "directline",
       "from": {"id": "pva_H1YHD_be80", "name": "C2 User", "role": "user"},
       "conversation": {"id": "91hcXEd0ZYCBPoRwBDPHZ6-o"},
       "recipient": {"id": "bot-1", "name": "Contoso Bot", "role": "bot"},
       "textFormat": "plain", "locale": "en-US", "text": "store hours",
       "channelData": {"clientActivityID": "15813714814300.gevfmx9xoxc", "cci_bot_id": "x"}},
      {"type": "message", "from": {"role": "bot", "…": "…"},
       "text": "I'm happy to help with store hours.",
       "replyToId": "91hcXEd0ZYCBPoRwBDPHZ6-o|0000000", "…": "…"}]}}],
  "entities": [],
  "replyToId": "91hcXEd0ZYCBPoRwBDPHZ6-o|0000000",
  "value": {"va_Scope": "bot", "va_LastTopic": "Lesson 1 - A simple topic",
            "va_Topics": ["Lesson 1 - A simple topic"], "va_LastPhrase": "store hours",
            "va_Phrases": ["store hours"], "va_ConversationId": "91hcXEd0ZYCBPoRwBDPHZ6-o",
            "va_AgentMessage": "Transferred", "va_BotId": "bot-1", "va_BotName": "Test501",
            "va_Language": "En-US"},
  "relatesTo": {"activityId": "91hcXEd0ZYCBPoRwBDPHZ6-o|0000000",
                "user": {"id": "pva_H1YHD_be80", "name": "C2 User", "role": "user"},
                "bot": {"id": "bot-1", "name": "Contoso Bot", "role": "bot"},
                "conversation": {"id": "91hcXEd0ZYCBPoRwBDPHZ6-o"}, "channelId": "directline",
                "serviceUrl": "https://directline.botframework.com/"}
})";

TEST(ActivityParse, PvaHandoffInitiate) {
  const Activity a = must_parse(kPvaHandoff);
  EXPECT_EQ(a.type, "event");
  EXPECT_EQ(a.name, "handoff.initiate");
  EXPECT_EQ(a.id, "91hcXEd0ZYCBPoRwBDPHZ6-o|0000005");
  EXPECT_EQ(a.timestamp, "2020-02-10T21:51:37.4997264Z");
  EXPECT_EQ(a.from.role, "bot");
  EXPECT_EQ(a.conversation.id, "91hcXEd0ZYCBPoRwBDPHZ6-o");
  EXPECT_EQ(a.reply_to_id, "91hcXEd0ZYCBPoRwBDPHZ6-o|0000000");
  ASSERT_EQ(a.attachments.size(), 1u);
  EXPECT_EQ(a.attachments[0].content_type, "application/json");
  EXPECT_EQ(a.attachments[0].name, "Transcript");
  const auto& transcript = a.attachments[0].content.at("activities").as_array();
  ASSERT_EQ(transcript.size(), 2u);
  EXPECT_EQ(transcript[0].at("text"), "store hours");
  // Transcript activities are opaque content: their unknown members survive untouched.
  EXPECT_EQ(transcript[1].at("…"), "…");
  EXPECT_EQ(a.value.at("va_Topics").as_array().size(), 1u);
  EXPECT_EQ(a.value.at("va_LastPhrase"), "store hours");
  EXPECT_EQ(a.relates_to.at("bot").at("name"), "Contoso Bot");
  EXPECT_TRUE(a.entities.empty());
  EXPECT_TRUE(validate(a).ok());
  expect_round_trip(kPvaHandoff, a, {"entities"});
}

constexpr std::string_view kHeroCard = R"({
  "type": "message", "from": {"id": "bot", "name": "Baton", "role": "bot"},
  "recipient": {"id": "u1", "role": "user"}, "replyToId": "c1|0001",
  "attachmentLayout": "carousel", "inputHint": "expectingInput", "speak": "Pick one",
  "attachments": [
    {"contentType": "application/vnd.microsoft.card.hero",
     "content": {"title": "Visa Gold", "subtitle": "1% cash back",
                 "images": [{"url": "https://example.com/gold.png"}],
                 "buttons": [{"type": "imBack", "title": "Apply", "value": "apply gold"}]}},
    {"contentType": "image/png", "contentUrl": "https://example.com/a.png", "name": "a.png",
     "thumbnailUrl": "https://example.com/a-small.png"}]
})";

TEST(ActivityParse, HeroCardAttachment) {
  const Activity a = must_parse(kHeroCard);
  EXPECT_EQ(a.attachment_layout, "carousel");
  EXPECT_EQ(a.input_hint, "expectingInput");
  EXPECT_EQ(a.speak, "Pick one");
  EXPECT_EQ(a.recipient, (ChannelAccount{"u1", "", "user"}));
  ASSERT_EQ(a.attachments.size(), 2u);
  EXPECT_EQ(a.attachments[0].content_type, "application/vnd.microsoft.card.hero");
  EXPECT_EQ(a.attachments[0].content.at("buttons").at(0).at("value"), "apply gold");
  EXPECT_EQ(a.attachments[1], (Attachment{"image/png", "https://example.com/a.png", "a.png",
                                          "https://example.com/a-small.png", nullptr}));
  expect_round_trip(kHeroCard, a);
}

constexpr std::string_view kSuggested = R"({
  "type": "message", "text": "Anything else?", "textFormat": "markdown",
  "suggestedActions": {"to": ["u1", "u2"], "actions": [
    {"type": "imBack", "title": "Yes", "value": "Yes"},
    {"type": "messageBack", "title": "Later", "text": "later", "displayText": "Later please",
     "value": {"snooze": 10}, "image": "https://example.com/clock.png"}]}
})";

TEST(ActivityParse, SuggestedActionsWithRecipients) {
  const Activity a = must_parse(kSuggested);
  EXPECT_EQ(a.suggested_actions.to, (std::vector<std::string>{"u1", "u2"}));
  ASSERT_EQ(a.suggested_actions.actions.size(), 2u);
  const CardAction& later = a.suggested_actions.actions[1];
  EXPECT_EQ(later.type, "messageBack");
  EXPECT_EQ(later.text, "later");
  EXPECT_EQ(later.display_text, "Later please");
  EXPECT_EQ(later.image, "https://example.com/clock.png");
  EXPECT_EQ(later.value.at("snooze"), 10);
  expect_round_trip(kSuggested, a);
}

TEST(ActivityParse, EndOfConversation) {
  constexpr std::string_view kEoc =
      R"({"type":"endOfConversation","code":"userCancelled","text":"Bye",
          "conversation":{"id":"c1","name":"support"}})";
  const Activity a = must_parse(kEoc);
  EXPECT_EQ(a.code, "userCancelled");
  EXPECT_EQ(a.conversation, (ConversationAccount{"c1", "support"}));
  expect_round_trip(kEoc, a);
}

TEST(ActivityParse, UnknownTopLevelFieldsRoundTrip) {
  constexpr std::string_view kUpdate = R"({
    "type": "conversationUpdate", "serviceUrl": "https://hub.example.com/",
    "membersAdded": [{"id": "u1", "name": "Ann"}], "membersRemoved": [],
    "x-trace": {"hops": 3, "ok": true, "ratio": 0.25, "big": 18446744073709551615},
    "importance": "high", "expiration": null})";
  const Activity a = must_parse(kUpdate);
  EXPECT_EQ(a.service_url, "https://hub.example.com/");
  ASSERT_EQ(a.extra.size(), 5u);
  EXPECT_EQ(a.extra.at("membersAdded").at(0).at("name"), "Ann");
  EXPECT_EQ(a.extra.at("x-trace").at("big").as_uint64(), 18446744073709551615u);
  EXPECT_TRUE(a.extra.at("expiration").is_null());  // unknown nulls are kept verbatim
  expect_round_trip(kUpdate, a);
}

TEST(ActivityParse, NullsAreAbsent) {
  const Activity a = must_parse(R"({
    "type": "message", "text": null, "id": null, "replyToId": null, "locale": null,
    "from": {"id": "u1", "name": null, "role": null}, "recipient": null, "conversation": null,
    "attachments": [{"contentType": "text/plain", "content": null, "name": null}],
    "suggestedActions": {"actions": [{"type": "imBack", "title": null, "value": null}],
                         "to": null},
    "entities": null, "value": null, "channelData": null, "relatesTo": null})");
  Activity expected;
  expected.type = "message";
  expected.from.id = "u1";
  expected.attachments.push_back(Attachment{"text/plain", "", "", "", nullptr});
  expected.suggested_actions.actions.push_back(CardAction{"imBack", "", nullptr, "", "", ""});
  EXPECT_EQ(a, expected);
  EXPECT_EQ(serialize(a),
            R"({"type":"message","from":{"id":"u1"},"attachments":[{"contentType":"text/plain"}],)"
            R"("suggestedActions":{"actions":[{"type":"imBack"}]}})");
  // Top-level null sections are absent too.
  EXPECT_EQ(serialize(must_parse(R"({"type":"typing","suggestedActions":null,"from":{}})")),
            R"({"type":"typing"})");
}

TEST(ActivityParse, ConstFromJsonLeavesInputIntact) {
  const bj::value json = bj::parse(kWebChatPost);
  auto r = from_json(json);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json, bj::parse(kWebChatPost));  // as parsed: nothing was moved out of it
  EXPECT_EQ(*r, must_parse(kWebChatPost));
}

struct BadCase {
  std::string_view json;
  std::string_view message;
};

TEST(ActivityParse, FieldErrorsNameThePath) {
  const BadCase cases[] = {
      {R"([])", "activity: expected object, got array"},
      {R"("message")", "activity: expected object, got string"},
      {R"({})", "type: missing"},
      {R"({"type":null})", "type: missing"},
      {R"({"type":""})", "type: missing"},
      {R"({"type":5})", "type: expected string, got number"},
      {R"({"type":"message","from":{"id":5}})", "from.id: expected string, got number"},
      {R"({"type":"message","from":"u1"})", "from: expected object, got string"},
      {R"({"type":"message","from":{"id":"u","name":["x"]}})",
       "from.name: expected string, got array"},
      {R"({"type":"message","recipient":{"role":true}})",
       "recipient.role: expected string, got boolean"},
      {R"({"type":"message","conversation":[]})", "conversation: expected object, got array"},
      {R"({"type":"message","conversation":{"id":1.5}})",
       "conversation.id: expected string, got number"},
      {R"({"type":"message","attachments":{}})", "attachments: expected array, got object"},
      {R"({"type":"message","attachments":[1]})", "attachments[0]: expected object, got number"},
      {R"({"type":"message","attachments":[{"contentType":"a"},{"contentType":"b"},
                                             {"contentType":{}}]})",
       "attachments[2].contentType: expected string, got object"},
      {R"({"type":"message","attachments":[{"contentUrl":false}]})",
       "attachments[0].contentUrl: expected string, got boolean"},
      {R"({"type":"message","attachments":[{"thumbnailUrl":7}]})",
       "attachments[0].thumbnailUrl: expected string, got number"},
      {R"({"type":"message","suggestedActions":[]})",
       "suggestedActions: expected object, got array"},
      {R"({"type":"message","suggestedActions":{"actions":{}}})",
       "suggestedActions.actions: expected array, got object"},
      {R"({"type":"message","suggestedActions":{"actions":["x"]}})",
       "suggestedActions.actions[0]: expected object, got string"},
      {R"({"type":"message","suggestedActions":{"actions":[{"type":"imBack"},{"title":3}]}})",
       "suggestedActions.actions[1].title: expected string, got number"},
      {R"({"type":"message","suggestedActions":{"actions":[{"displayText":{}}]}})",
       "suggestedActions.actions[0].displayText: expected string, got object"},
      {R"({"type":"message","suggestedActions":{"to":"u1"}})",
       "suggestedActions.to: expected array, got string"},
      {R"({"type":"message","suggestedActions":{"to":["u1",7]}})",
       "suggestedActions.to[1]: expected string, got number"},
      {R"({"type":"message","entities":{}})", "entities: expected array, got object"},
      {R"({"type":"message","entities":[{},"x"]})", "entities[1]: expected object, got string"},
      {R"({"type":"message","entities":[null]})", "entities[0]: expected object, got null"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.json;
    EXPECT_EQ(r.error().message, c.message) << c.json;
  }
}

TEST(ActivityParse, EveryTopLevelStringFieldRejectsNumbers) {
  for (std::string_view field : {"id", "timestamp", "localTimestamp", "localTimezone", "serviceUrl",
                                 "channelId", "replyToId", "name", "text", "textFormat", "locale",
                                 "attachmentLayout", "code", "inputHint", "speak"}) {
    const std::string json = R"({"type":"message",")" + std::string(field) + R"(":42})";
    auto r = parse(json);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error().message, std::string(field) + ": expected string, got number");
  }
}

TEST(ActivityParse, VerbatimFieldsAcceptAnyJson) {
  const Activity a = must_parse(R"({"type":"event","name":"n","value":42,
      "channelData":"opaque","relatesTo":[1,2],"attachments":[{"content":false}]})");
  EXPECT_EQ(a.value, 42);
  EXPECT_EQ(a.channel_data, "opaque");
  EXPECT_EQ(a.relates_to, bj::value(bj::array{1, 2}));
  EXPECT_EQ(a.attachments[0].content, false);
  EXPECT_EQ(must_parse(serialize(a)), a);
}

TEST(ActivityParse, SizeLimit) {
  const std::string big =
      R"({"type":"message","text":")" + std::string(std::size_t{300} * 1024, 'a') + "\"}";
  auto r = parse(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(r.error().message,
            fmt::format("activity: {} bytes exceeds the limit of 262144 bytes", big.size()));

  // Exactly at the limit is accepted.
  const std::string prefix = R"({"type":"message","text":")";
  const std::string at_limit =
      prefix + std::string(kMaxSerializedBytes - prefix.size() - 2, 'b') + "\"}";
  ASSERT_EQ(at_limit.size(), kMaxSerializedBytes);
  EXPECT_TRUE(parse(at_limit).ok());
}

TEST(ActivityParse, InvalidUtf8ReportsOffset) {
  const std::string text = "{\"type\":\"message\",\"text\":\"ab\xff\"}";
  auto r = parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "activity: invalid UTF-8 at byte 28");
  // An encoded surrogate (CESU-8) is invalid too.
  EXPECT_FALSE(parse("{\"type\":\"message\",\"text\":\"\xed\xa0\x80\"}").ok());
  // Valid multi-byte text is fine.
  EXPECT_EQ(
      must_parse("{\"type\":\"message\",\"text\":\"gr\xc3\xbc\xc3\x9f \xf0\x9f\x91\x8b\"}").text,
      "gr\xc3\xbc\xc3\x9f \xf0\x9f\x91\x8b");
}

TEST(ActivityParse, MalformedJson) {
  for (std::string_view text : {R"({"type":"message",)", R"({"type":"message"} {})", "",
                                R"({"type":'message'})", R"({"type":"message","text":"a)"}) {
    auto r = parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << text;
    EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos) << text;
  }
}

TEST(ActivityParse, DeepNesting) {
  auto nested = [](int depth) {
    return R"({"type":"event","name":"n","value":)" + std::string(depth, '[') +
           std::string(depth, ']') + "}";
  };
  const Activity ok = must_parse(nested(30));
  EXPECT_EQ(must_parse(serialize(ok)), ok);
  auto r = parse(nested(10000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
}

TEST(ActivitySerialize, ModelledFieldWinsOverExtraOnClash) {
  Activity a = make_message("real");
  a.extra.emplace("text", "shadow");
  a.extra.emplace("importance", "high");
  EXPECT_EQ(serialize(a), R"({"type":"message","text":"real","importance":"high"})");
}

TEST(ActivityValidate, AcceptsWellFormed) {
  EXPECT_TRUE(validate(make_message("hello")).ok());
  EXPECT_TRUE(validate(make_event("handoff.status", bj::object{{"state", "accepted"}})).ok());
  EXPECT_TRUE(validate(make_typing()).ok());
  EXPECT_TRUE(validate(make_end_of_conversation()).ok());
}

TEST(ActivityValidate, Errors) {
  auto expect_error = [](const Activity& a, ErrorCode code, std::string_view message) {
    const Status st = validate(a);
    ASSERT_FALSE(st.ok()) << message;
    EXPECT_EQ(st.error().code, code);
    EXPECT_EQ(st.error().message, message);
  };
  expect_error(Activity{}, ErrorCode::kInvalidArgument, "type: missing");
  expect_error(make_event(""), ErrorCode::kInvalidArgument,
               "name: missing (event activities must be named)");
  expect_error(make_message("ok\xc3"), ErrorCode::kInvalidArgument,
               "text: invalid UTF-8 at byte 2");
  Activity bad_name = make_message("hi");
  bad_name.from.name = "\xff";
  expect_error(bad_name, ErrorCode::kInvalidArgument,
               "activity: invalid UTF-8 at byte 46 of the serialized form");
  const Activity big = make_message(std::string(kMaxSerializedBytes, 'x'));
  expect_error(big, ErrorCode::kTooLarge,
               fmt::format("activity: serialized size {} bytes exceeds the limit of 262144 bytes",
                           serialize(big).size()));
}

TEST(ActivityMake, Helpers) {
  EXPECT_EQ(serialize(make_message("hi")), R"({"type":"message","text":"hi"})");
  EXPECT_EQ(serialize(make_typing()), R"({"type":"typing"})");
  EXPECT_EQ(serialize(make_end_of_conversation()),
            R"({"type":"endOfConversation","code":"completedSuccessfully"})");
  EXPECT_EQ(make_end_of_conversation("userCancelled").code, "userCancelled");
  const Activity ev = make_event("handoff.initiate", bj::object{{"Skill", "credit cards"}});
  EXPECT_EQ(serialize(ev),
            R"({"type":"event","name":"handoff.initiate","value":{"Skill":"credit cards"}})");
  EXPECT_EQ(serialize(make_event("startConversation")),
            R"({"type":"event","name":"startConversation"})");
}

TEST(ActivityMake, QuickReplies) {
  Activity a = make_message("Which card?");
  a.suggested_actions = make_quick_replies({"Visa", "Master \"Card\""});
  ASSERT_EQ(a.suggested_actions.actions.size(), 2u);
  EXPECT_EQ(a.suggested_actions.actions[1],
            (CardAction{"imBack", "Master \"Card\"", "Master \"Card\"", "", "", ""}));
  EXPECT_EQ(serialize(a),
            R"({"type":"message","text":"Which card?","suggestedActions":{"actions":[)"
            R"({"type":"imBack","title":"Visa","value":"Visa"},)"
            R"({"type":"imBack","title":"Master \"Card\"","value":"Master \"Card\""}]}})");
  EXPECT_EQ(must_parse(serialize(a)), a);
  EXPECT_TRUE(make_quick_replies({}).empty());
}

}  // namespace
}  // namespace baton::activity
