#include "core/secret_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/testing/temp_dir.hpp"

namespace baton {
namespace {

TEST(SecretFile, CreatesOnceWithModeSixHundredThenReads) {
  testing::TempDir dir;
  const auto file = dir.path() / "key";
  int calls = 0;
  auto generate = [&] {
    ++calls;
    return std::string("s3cret-") + std::to_string(calls);
  };
  const mode_t old = ::umask(0);  // even with a permissive umask
  auto created = read_or_create_secret_file(file, generate);
  ::umask(old);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(*created, "s3cret-1");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = read_or_create_secret_file(file, generate);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "s3cret-1");
  EXPECT_EQ(calls, 1);
}

TEST(SecretFile, AnEmptyFileIsAnErrorAndASymlinkIsNotFollowed) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "empty").close();
  auto empty = read_or_create_secret_file(dir.path() / "empty", [] { return std::string("x"); });
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  std::filesystem::create_symlink(dir.path() / "elsewhere", dir.path() / "link");
  auto linked = read_or_create_secret_file(dir.path() / "link", [] { return std::string("x"); });
  EXPECT_FALSE(linked.ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));
}

}  // namespace
}  // namespace baton
