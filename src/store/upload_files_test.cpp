#include "store/upload_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "core/testing/temp_dir.hpp"

namespace baton::store {
namespace {

namespace fs = std::filesystem;

constexpr char kConversation[] = "Abc_def-0123456789abcd";

std::string read_fd(OpenedUpload opened) {
  const int fd = opened.release();
  std::string out(opened.size(), '\0');
  EXPECT_EQ(::pread(fd, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
  ::close(fd);
  return out;
}

UploadLimits no_floor() {
  UploadLimits limits;
  limits.min_free_bytes = 0;
  return limits;
}

TEST(UploadFilesTest, StoresAndServesFilesUnderIssuedNames) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok()) << files.error().message;
  auto stored = (*files)->store(kConversation, {{"png bytes", "image/png", "cat.PNG"},
                                                {"text", "text/plain", "notes"},
                                                {"x", "bad\"type", "evil.ct"},
                                                {"y", "", "../../baton.db"}});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_EQ(stored->size(), 4u);
  EXPECT_EQ((*stored)[0].name.size(), 22u + 4u);
  EXPECT_TRUE((*stored)[0].name.ends_with(".PNG"));
  EXPECT_EQ((*stored)[1].name.size(), 22u);  // no extension in the client's name
  EXPECT_EQ((*stored)[2].name.size(), 22u);  // "ct" is never issued as an extension
  EXPECT_EQ((*stored)[2].content_type, "application/octet-stream");
  EXPECT_EQ((*stored)[3].name.size(), 22u + 3u);  // ".db" from the client's name, nothing more
  for (const auto& file : *stored) {
    EXPECT_TRUE(UploadFiles::valid_name(file.name)) << file.name;
  }
  auto opened = (*files)->open_file(kConversation, (*stored)[0].name);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->content_type(), "image/png");
  EXPECT_EQ(read_fd(std::move(*opened)), "png bytes");
  EXPECT_EQ((*files)->total_bytes(), 9u + 4u + 1u + 1u);
}

TEST(UploadFilesTest, NamesOutsideTheIssuedAlphabetAreNotFound) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  auto stored = (*files)->store(kConversation, {{"data", "text/plain", "a.txt"}});
  ASSERT_TRUE(stored.ok());
  // Files beside the uploads folder that a path built from input could reach.
  std::ofstream(dir.path() / "baton.db") << "SQLite format 3";
  std::ofstream(dir.path() / "baton.db.ct") << "text/plain\n";
  std::ofstream(dir.path() / "uploads" / "evil") << "x";
  std::ofstream(dir.path() / "uploads" / "evil.ct") << "text/plain\n";
  const std::string good = (*stored)[0].name;
  const std::string id = good.substr(0, 22);
  for (const auto& [conversation, name] : std::vector<std::pair<std::string, std::string>>{
           {"..", "baton.db"},
           {".", "evil"},
           {"", good},
           {std::string(kConversation) + "/..", good},
           {kConversation, "../../baton.db"},
           {kConversation, id + ".ct"},
           {kConversation, id + ".txt.ct"},
           {kConversation, good + "/"},
           {kConversation, id + "."},
           {kConversation, id + ".toolongext"},
           {kConversation, std::string(id).append(".t\0t", 4)},
           {kConversation, id.substr(1)},
           {kConversation, "..%2fbaton.db"},
           {std::string(65, 'a'), good},
           {"a.b", good},
       }) {
    auto opened = (*files)->open_file(conversation, name);
    ASSERT_FALSE(opened.ok()) << conversation << " / " << name;
    EXPECT_EQ(opened.error().code, ErrorCode::kNotFound) << conversation << " / " << name;
  }
  EXPECT_TRUE((*files)->open_file(kConversation, good).ok());
}

TEST(UploadFilesTest, ListShowsWhatWouldBeServedInNameOrder) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE((*files)->list(kConversation)->empty()) << "no folder yet";
  auto stored = (*files)->store(
      kConversation, {{"png bytes", "image/png", "cat.png"}, {"hello", "text/plain", "a.txt"}});
  ASSERT_TRUE(stored.ok());
  // Neither a symlink nor a file without its type record is served, so neither is listed.
  const fs::path folder = dir.path() / "uploads" / kConversation;
  std::ofstream(dir.path() / "secret") << "secret";
  std::ofstream(folder / "BBBBBBBBBBBBBBBBBBBBBB.ct") << "text/plain\n";
  fs::create_symlink(dir.path() / "secret", folder / "BBBBBBBBBBBBBBBBBBBBBB");
  std::ofstream(folder / "CCCCCCCCCCCCCCCCCCCCCC") << "no type record";

  auto listed = (*files)->list(kConversation);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  std::vector<UploadInfo> expected = {{(*stored)[0].name, "image/png", 9},
                                      {(*stored)[1].name, "text/plain", 5}};
  std::sort(expected.begin(), expected.end(),
            [](const UploadInfo& a, const UploadInfo& b) { return a.name < b.name; });
  EXPECT_EQ(*listed, expected);
  EXPECT_TRUE((*files)->list("../uploads")->empty());
  EXPECT_TRUE((*files)->list("other")->empty());
}

TEST(UploadFilesTest, RemoveConversationDeletesItsFolderAndNothingElse) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  const std::string other = "Zzz_def-0123456789abcd";
  ASSERT_TRUE((*files)
                  ->store(kConversation,
                          {{"png bytes", "image/png", "cat.png"}, {"hello", "text/plain", "a.txt"}})
                  .ok());
  ASSERT_TRUE((*files)->store(other, {{"kept", "text/plain", "b.txt"}}).ok());
  // A link in the folder goes, not what it points at.
  std::ofstream(dir.path() / "secret") << "secret";
  const fs::path folder = dir.path() / "uploads" / kConversation;
  fs::create_symlink(dir.path() / "secret", folder / "BBBBBBBBBBBBBBBBBBBBBB");

  auto removed = (*files)->remove_conversation(kConversation);
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, (UploadRemoval{2, 9 + 5}));
  EXPECT_FALSE(fs::exists(folder));
  EXPECT_TRUE(fs::exists(dir.path() / "secret"));
  EXPECT_EQ((*files)->list(other)->size(), 1u);
  EXPECT_EQ((*files)->total_bytes(), 4u);
  EXPECT_EQ(*(*files)->remove_conversation(kConversation), UploadRemoval{}) << "nothing left";
  EXPECT_EQ(*(*files)->remove_conversation("../uploads"), UploadRemoval{});
  // A folder that is a link is not entered.
  fs::create_directory_symlink(dir.path(), dir.path() / "uploads" / "linked");
  EXPECT_FALSE((*files)->remove_conversation("linked").ok());
  EXPECT_TRUE(fs::exists(dir.path() / "secret"));
}

TEST(UploadFilesTest, RemoveOlderThanTakesOldFilesInBatches) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  const std::string other = "Zzz_def-0123456789abcd";
  auto old_ones = (*files)->store(kConversation,
                                  {{"aa", "text/plain", "a.txt"}, {"bbb", "text/plain", "b.txt"}});
  auto mixed = (*files)->store(other, {{"cccc", "text/plain", "c.txt"}});
  ASSERT_TRUE(old_ones.ok() && mixed.ok());
  const auto now = fs::file_time_type::clock::now();
  const auto last_week = now - std::chrono::hours(24 * 7);
  for (const auto& f : *old_ones) {
    fs::last_write_time(dir.path() / "uploads" / kConversation / f.name, last_week);
  }
  auto fresh = (*files)->store(other, {{"ddddd", "text/plain", "d.txt"}});
  ASSERT_TRUE(fresh.ok());
  fs::last_write_time(dir.path() / "uploads" / other / (*mixed)[0].name, last_week);

  const TimePoint cutoff = std::chrono::system_clock::now() - std::chrono::hours(24);
  std::uint64_t files_removed = 0;
  std::uint64_t bytes_removed = 0;
  for (int call = 0; call < 4; ++call) {
    auto removed = (*files)->remove_older_than(cutoff, 2);
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_LE(removed->files, 2u);
    files_removed += removed->files;
    bytes_removed += removed->bytes;
  }
  EXPECT_EQ(files_removed, 3u);
  EXPECT_EQ(bytes_removed, 2u + 3u + 4u);
  EXPECT_FALSE(fs::exists(dir.path() / "uploads" / kConversation)) << "emptied, so removed";
  auto left = (*files)->list(other);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].name, (*fresh)[0].name);
  EXPECT_EQ((*files)->total_bytes(), 5u);
  EXPECT_FALSE(
      fs::exists(dir.path() / "uploads" / other / ((*mixed)[0].name.substr(0, 22) + ".ct")))
      << "the type record goes with its file";
}

TEST(UploadFilesTest, SymlinksAreNotFollowed) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  std::ofstream(dir.path() / "secret") << "secret";
  const std::string name = "AAAAAAAAAAAAAAAAAAAAAA";
  fs::create_directories(dir.path() / "uploads" / kConversation);
  std::ofstream(dir.path() / "uploads" / kConversation / (name + ".ct")) << "text/plain\n";
  fs::create_symlink(dir.path() / "secret", dir.path() / "uploads" / kConversation / name);
  fs::create_directory_symlink(dir.path(), dir.path() / "uploads" / "linked");
  EXPECT_EQ((*files)->open_file(kConversation, name).error().code, ErrorCode::kNotFound);
  EXPECT_EQ((*files)->open_file("linked", name).error().code, ErrorCode::kNotFound);
}

TEST(UploadFilesTest, LegacyTypeRecordsBesideTheFullNameStillServe) {
  testing::TempDir dir;
  const std::string name = "BBBBBBBBBBBBBBBBBBBBBB.png";
  fs::create_directories(dir.path() / "uploads" / kConversation);
  std::ofstream(dir.path() / "uploads" / kConversation / name) << "img";
  std::ofstream(dir.path() / "uploads" / kConversation / (name + ".ct")) << "image/png\n";
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  auto opened = (*files)->open_file(kConversation, name);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->content_type(), "image/png");
  EXPECT_EQ((*files)->total_bytes(), 3u + 10u);  // counted at open: file and record
}

TEST(UploadFilesTest, QuotasRefuseBeforeWriting) {
  testing::TempDir dir;
  UploadLimits limits = no_floor();
  limits.max_conversation_bytes = 100;
  limits.max_total_bytes = 150;
  auto files = UploadFiles::open(dir.path() / "uploads", limits);
  ASSERT_TRUE(files.ok());
  const std::string sixty(60, 'x');
  ASSERT_TRUE((*files)->store(kConversation, {{sixty, "text/plain", ""}}).ok());
  auto over = (*files)->store(kConversation, {{sixty, "text/plain", ""}});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kTooLarge);
  ASSERT_TRUE((*files)->store("other", {{sixty, "text/plain", ""}}).ok());
  auto total = (*files)->store("third", {{sixty, "text/plain", ""}});
  ASSERT_FALSE(total.ok());
  EXPECT_EQ(total.error().code, ErrorCode::kNoSpace);
  // Nothing of the refused uploads reached the disk.
  EXPECT_FALSE(fs::exists(dir.path() / "uploads" / "third") &&
               !fs::is_empty(dir.path() / "uploads" / "third"));
  // A restart counts what is stored.
  files->reset();
  auto reopened = UploadFiles::open(dir.path() / "uploads", limits);
  ASSERT_TRUE(reopened.ok());
  EXPECT_GE((*reopened)->total_bytes(), 120u);
}

TEST(UploadFilesTest, TheFreeSpaceFloorRefusesWithNoSpace) {
  testing::TempDir dir;
  UploadLimits limits;
  limits.min_free_bytes = std::uint64_t{1} << 62;  // more than any disk has free
  auto files = UploadFiles::open(dir.path() / "uploads", limits);
  ASSERT_TRUE(files.ok());
  auto refused = (*files)->store(kConversation, {{"x", "text/plain", ""}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNoSpace);
}

TEST(UploadFilesTest, BadConversationIdsAreRefused) {
  testing::TempDir dir;
  auto files = UploadFiles::open(dir.path() / "uploads", no_floor());
  ASSERT_TRUE(files.ok());
  for (const char* id : {"..", ".", "a/b", "", "a.b"}) {
    auto refused = (*files)->store(id, {{"x", "text/plain", ""}});
    ASSERT_FALSE(refused.ok()) << id;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << id;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "x"));
}

}  // namespace
}  // namespace baton::store
