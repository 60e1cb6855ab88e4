#include "server/open_files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace baton::server {
namespace {

class OpenFiles : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved_), 0); }
  void TearDown() override { setrlimit(RLIMIT_NOFILE, &saved_); }
  rlimit saved_{};
};

TEST_F(OpenFiles, RaisesTheSoftLimitToTheHardOne) {
  ASSERT_GT(saved_.rlim_max, 256u) << "the test needs a hard limit above 256";
  rlimit low{256, saved_.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  const OpenFileLimit limit = raise_open_file_limit();
  EXPECT_EQ(limit.before, 256u);
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(limit.soft, now.rlim_cur);
  EXPECT_EQ(limit.hard, now.rlim_max);
  if (saved_.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(now.rlim_cur, saved_.rlim_max);
  } else {
    EXPECT_GT(now.rlim_cur, 256u);
  }
}

TEST_F(OpenFiles, AtTheHardLimitAlreadyNothingChanges) {
  const OpenFileLimit first = raise_open_file_limit();
  const OpenFileLimit second = raise_open_file_limit();
  EXPECT_EQ(second.before, first.soft);
  EXPECT_EQ(second.soft, first.soft);
}

}  // namespace
}  // namespace baton::server
