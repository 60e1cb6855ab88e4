// The shared rules for an agent's fields (`baton agent` and the agent API use them both).

#include "hub/agent_fields.hpp"

#include <gtest/gtest.h>

namespace baton::hub {
namespace {

TEST(AgentFields, Ids) {
  for (const char* ok : {"a", "alice", "a.b_c@d-e", "A1"}) {
    EXPECT_TRUE(check_agent_id(ok).ok()) << ok;
  }
  for (const std::string& bad : {std::string(), std::string("al ice"), std::string("a/b"),
                                 std::string(65, 'x'), std::string("é"), std::string("a\nb")}) {
    auto s = check_agent_id(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find("1 to 64"), std::string::npos);
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos) << "no control character echoed";
  }
}

TEST(AgentFields, NamesRolesCapacity) {
  EXPECT_TRUE(check_agent_name("Zoë O'Brien").ok());
  EXPECT_FALSE(check_agent_name("").ok());
  EXPECT_FALSE(check_agent_name(std::string(201, 'x')).ok());
  EXPECT_TRUE(check_agent_name(std::string(200, 'x')).ok());
  EXPECT_FALSE(check_agent_name("tab\there").ok());
  EXPECT_FALSE(check_agent_name("\xff").ok());
  EXPECT_EQ(*check_agent_role("supervisor"), Role::kSupervisor);
  auto role = check_agent_role("root");
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.error().message, "invalid role 'root': use agent, supervisor or admin");
  EXPECT_TRUE(check_agent_capacity(1).ok());
  EXPECT_TRUE(check_agent_capacity(1000).ok());
  EXPECT_FALSE(check_agent_capacity(0).ok());
  EXPECT_FALSE(check_agent_capacity(1001).ok());
}

TEST(AgentFields, SkillsAreCheckedAndNormalised) {
  auto skills = check_agent_skills({" Billing", "german ", "billing", "", "  "});
  ASSERT_TRUE(skills.ok());
  EXPECT_EQ(*skills, (std::vector<std::string>{"billing", "german"}));
  EXPECT_FALSE(check_agent_skills({"a\x07"}).ok());
  EXPECT_FALSE(check_agent_skills({"\xc3"}).ok());
}

}  // namespace
}  // namespace baton::hub
