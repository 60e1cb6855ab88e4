#include "store/upload_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "core/secret_file.hpp"
#include "core/signed_token.hpp"

namespace baton::store {
namespace {

constexpr std::size_t kIdChars = 22;  // 16 random bytes in base64url, no padding
constexpr std::size_t kMaxExtension = 8;
constexpr std::string_view kTypeSuffix = ".ct";
constexpr std::size_t kMaxTypeRecord = 256;

bool base64url_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '-' || ch == '_';
}

bool alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

std::string errno_text(int err) { return std::generic_category().message(err); }

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) {
        ::close(fd_);
      }
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The extension of a client's file name, when it is 1..8 ASCII letters or digits and not "ct".
std::string safe_extension(std::string_view filename) {
  const std::size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos) {
    return {};
  }
  const std::string_view ext = filename.substr(dot + 1);
  if (ext.empty() || ext.size() > kMaxExtension || !std::all_of(ext.begin(), ext.end(), alnum) ||
      ext == "ct") {
    return {};
  }
  return "." + std::string(ext);
}

bool safe_content_type(std::string_view type) {
  return !type.empty() && type.size() < 128 && std::all_of(type.begin(), type.end(), [](char ch) {
    return ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\';
  });
}

std::string new_id() {
  const std::vector<unsigned char> bytes = signed_token::random_bytes(16);
  return signed_token::to_base64url(bytes.data(), bytes.size());
}

// Writes `data` to `dir_fd`/`name` durably: a temporary name, fsync, rename. The caller syncs
// the folder afterwards. ENOSPC/EDQUOT become kNoSpace.
Status write_file(int dir_fd, const std::string& name, std::string_view data) {
  const std::string temp = name + ".part";
  Fd fd(::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.ok()) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot create an upload: {}", errno_text(errno)));
  }
  int err = write_all_and_sync(fd.get(), data);
  if (err == 0 && ::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
    err = errno;
  }
  if (err != 0) {
    ::unlinkat(dir_fd, temp.c_str(), 0);
    const ErrorCode code = err == ENOSPC || err == EDQUOT ? ErrorCode::kNoSpace : ErrorCode::kIo;
    return make_error(code, fmt::format("cannot write an upload: {}", errno_text(err)));
  }
  return {};
}

// Bytes held by the regular files directly in the folder `fd` (which this call consumes).
std::uint64_t folder_bytes(int fd) {
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return 0;
  }
  std::uint64_t total = 0;
  while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
    struct stat st {};
    if (::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode)) {
      total += static_cast<std::uint64_t>(st.st_size);
    }
  }
  ::closedir(dir);
  return total;
}

}  // namespace

OpenedUpload::~OpenedUpload() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

OpenedUpload::OpenedUpload(OpenedUpload&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      content_type_(std::move(other.content_type_)) {}

int OpenedUpload::release() { return std::exchange(fd_, -1); }

bool UploadFiles::valid_conversation_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), base64url_char);
}

bool UploadFiles::valid_name(std::string_view name) {
  if (name.size() < kIdChars ||
      !std::all_of(name.begin(), name.begin() + kIdChars, base64url_char)) {
    return false;
  }
  const std::string_view rest = name.substr(kIdChars);
  if (rest.empty()) {
    return true;
  }
  const std::string_view ext = rest.substr(1);
  return rest.front() == '.' && !ext.empty() && ext.size() <= kMaxExtension &&
         std::all_of(ext.begin(), ext.end(), alnum) && ext != "ct";
}

Result<std::unique_ptr<UploadFiles>> UploadFiles::open(const std::filesystem::path& dir,
                                                       UploadLimits limits) {
  std::error_code ec;
  if (dir.has_parent_path()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
  }
  ::mkdir(dir.c_str(), S_IRWXU);  // private when created here; an existing one is kept as it is
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.ok()) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot open {}: {}", dir.string(), errno_text(errno)));
  }
  // Sum what is there (a restart must not forget the quota already used).
  std::uint64_t total = 0;
  if (DIR* top = ::fdopendir(::dup(fd.get())); top != nullptr) {
    while (const dirent* entry = ::readdir(top)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
      if (!valid_conversation_id(entry->d_name)) {
        continue;
      }
      const int sub =
          ::openat(::dirfd(top), entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub >= 0) {
        total += folder_bytes(sub);
      }
    }
    ::closedir(top);
  }
  return std::unique_ptr<UploadFiles>(new UploadFiles(fd.release(), limits, total));
}

UploadFiles::UploadFiles(int dir_fd, UploadLimits limits, std::uint64_t total)
    : dir_fd_(dir_fd), limits_(limits), total_(total) {}

UploadFiles::~UploadFiles() { ::close(dir_fd_); }

std::uint64_t UploadFiles::total_bytes() const {
  std::lock_guard lock(mu_);
  return total_;
}

Result<std::vector<StoredUpload>> UploadFiles::store(std::string_view conversation_id,
                                                     const std::vector<UploadPart>& parts) {
  if (!valid_conversation_id(conversation_id)) {
    return make_error(ErrorCode::kInvalidArgument, "not a conversation id");
  }
  const std::string folder(conversation_id);
  std::uint64_t incoming = 0;
  for (const UploadPart& part : parts) {
    incoming += part.bytes.size();
  }
  if (::mkdirat(dir_fd_, folder.c_str(), 0700) != 0 && errno != EEXIST) {
    const int err = errno;
    return make_error(err == ENOSPC || err == EDQUOT ? ErrorCode::kNoSpace : ErrorCode::kIo,
                      fmt::format("cannot create an upload folder: {}", errno_text(err)));
  }
  Fd conv(::openat(dir_fd_, folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!conv.ok()) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot open an upload folder: {}", errno_text(errno)));
  }
  // Quotas, checked under the lock so that concurrent uploads cannot pass them together.
  {
    std::lock_guard lock(mu_);
    const std::uint64_t held = folder_bytes(::dup(conv.get()));
    if (held + incoming > limits_.max_conversation_bytes) {
      return make_error(ErrorCode::kTooLarge,
                        fmt::format("this conversation's uploads would exceed {} bytes",
                                    limits_.max_conversation_bytes));
    }
    if (limits_.max_total_bytes != 0 && total_ + reserved_ + incoming > limits_.max_total_bytes) {
      return make_error(ErrorCode::kNoSpace, "the upload quota of the data directory is used up");
    }
    struct statvfs fs {};
    if (::fstatvfs(dir_fd_, &fs) == 0) {
      const std::uint64_t free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (free_bytes < limits_.min_free_bytes + incoming) {
        return make_error(ErrorCode::kNoSpace,
                          "the data directory's disk is too full to take uploads");
      }
    }
    reserved_ += incoming;
  }
  std::vector<StoredUpload> stored;
  Status written;
  for (const UploadPart& part : parts) {
    const std::string id = new_id();
    StoredUpload file{id + safe_extension(part.filename), safe_content_type(part.content_type)
                                                              ? std::string(part.content_type)
                                                              : "application/octet-stream"};
    // The type first: a data file never exists without its record.
    written = write_file(conv.get(), id + std::string(kTypeSuffix), file.content_type + "\n");
    if (written.ok()) {
      written = write_file(conv.get(), file.name, part.bytes);
      if (!written.ok()) {
        ::unlinkat(conv.get(), (id + std::string(kTypeSuffix)).c_str(), 0);
      }
    }
    if (!written.ok()) {
      break;
    }
    stored.push_back(std::move(file));
  }
  if (written.ok() && ::fsync(conv.get()) != 0) {
    written = make_error(ErrorCode::kIo,
                         fmt::format("cannot sync an upload folder: {}", errno_text(errno)));
  }
  if (!written.ok()) {
    for (const StoredUpload& file : stored) {
      ::unlinkat(conv.get(), file.name.c_str(), 0);
      ::unlinkat(conv.get(), (file.name.substr(0, kIdChars) + std::string(kTypeSuffix)).c_str(), 0);
    }
  }
  std::lock_guard lock(mu_);
  reserved_ -= incoming;
  if (!written.ok()) {
    return written.error();
  }
  total_ += incoming;
  return stored;
}

Result<OpenedUpload> UploadFiles::open_file(std::string_view conversation_id,
                                            std::string_view name) const {
  auto not_found = [] { return make_error(ErrorCode::kNotFound, "no such file"); };
  if (!valid_conversation_id(conversation_id) || !valid_name(name)) {
    return not_found();
  }
  const std::string folder(conversation_id);
  Fd conv(::openat(dir_fd_, folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!conv.ok()) {
    return not_found();
  }
  // The content type record, read before the file itself is opened: <id>.ct, or <name>.ct as
  // uploads stored before the record was named by the id alone have it.
  std::string record = std::string(name.substr(0, kIdChars)) + std::string(kTypeSuffix);
  Fd type_fd(::openat(conv.get(), record.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!type_fd.ok() && name.size() > kIdChars) {
    record = std::string(name) + std::string(kTypeSuffix);
    type_fd = Fd(::openat(conv.get(), record.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  }
  if (!type_fd.ok()) {
    return not_found();
  }
  char buf[kMaxTypeRecord];
  const ssize_t n = ::read(type_fd.get(), buf, sizeof buf);
  if (n <= 0) {
    return not_found();
  }
  std::string_view type(buf, static_cast<std::size_t>(n));
  type = type.substr(0, type.find('\n'));
  if (!safe_content_type(type)) {
    return not_found();
  }
  const std::string file(name);
  Fd fd(::openat(conv.get(), file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  if (!fd.ok() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return not_found();
  }
  return OpenedUpload(fd.release(), static_cast<std::uint64_t>(st.st_size), std::string(type));
}

Result<std::vector<UploadInfo>> UploadFiles::list(std::string_view conversation_id) const {
  std::vector<UploadInfo> files;
  if (!valid_conversation_id(conversation_id)) {
    return files;
  }
  const std::string folder(conversation_id);
  const int fd = ::openat(dir_fd_, folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return files;
    }
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot list a conversation's uploads: {}", errno_text(errno)));
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return make_error(ErrorCode::kIo, "cannot list a conversation's uploads");
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
    if (valid_name(entry->d_name)) {
      names.emplace_back(entry->d_name);
    }
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    auto opened = open_file(conversation_id, name);
    if (opened.ok()) {  // a file without its type record is not served, so not listed either
      files.push_back({name, opened->content_type(), opened->size()});
    }
  }
  return files;
}

Result<UploadRemoval> UploadFiles::remove_conversation(std::string_view conversation_id) {
  UploadRemoval removed;
  if (!valid_conversation_id(conversation_id)) {
    return removed;
  }
  const std::string folder(conversation_id);
  const int fd = ::openat(dir_fd_, folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return removed;
    }
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot open a conversation's uploads: {}", errno_text(errno)));
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return make_error(ErrorCode::kIo, "cannot list a conversation's uploads");
  }
  int failure = 0;
  while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
    struct stat st {};
    if (::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        S_ISDIR(st.st_mode)) {
      continue;  // "." and ".."; the folder holds no directories of ours
    }
    if (::unlinkat(::dirfd(dir), entry->d_name, 0) != 0) {
      failure = errno;
      continue;
    }
    if (S_ISREG(st.st_mode) && valid_name(entry->d_name)) {
      ++removed.files;
      removed.bytes += static_cast<std::uint64_t>(st.st_size);
    }
  }
  ::closedir(dir);
  {
    std::lock_guard lock(mu_);  // store() counts the data files' bytes
    total_ -= std::min(total_, removed.bytes);
  }
  if (failure == 0 && ::unlinkat(dir_fd_, folder.c_str(), AT_REMOVEDIR) != 0) {
    failure = errno;
  }
  if (failure == 0 && ::fsync(dir_fd_) != 0) {
    failure = errno;
  }
  if (failure != 0) {
    return make_error(ErrorCode::kIo, fmt::format("cannot remove a conversation's uploads: {}",
                                                  errno_text(failure)));
  }
  return removed;
}

Result<UploadRemoval> UploadFiles::remove_older_than(TimePoint cutoff, std::size_t limit) {
  UploadRemoval removed;
  DIR* top = ::fdopendir(::dup(dir_fd_));
  if (top == nullptr) {
    return make_error(ErrorCode::kIo, "cannot list the uploads folder");
  }
  ::rewinddir(top);  // the duplicate shares the position of every earlier listing
  std::vector<std::string> folders;
  while (const dirent* entry = ::readdir(top)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
    if (valid_conversation_id(entry->d_name)) {
      folders.emplace_back(entry->d_name);
    }
  }
  ::closedir(top);
  const auto cutoff_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(cutoff.time_since_epoch()).count();
  int failure = 0;
  for (const std::string& folder : folders) {
    if (removed.files >= limit) {
      break;
    }
    Fd conv(::openat(dir_fd_, folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!conv.ok()) {
      continue;  // not a folder of ours (a link, or gone meanwhile)
    }
    DIR* dir = ::fdopendir(::dup(conv.get()));
    if (dir == nullptr) {
      continue;
    }
    std::vector<std::pair<std::string, std::uint64_t>> old;  // name, size
    std::size_t kept = 0;
    while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
      struct stat st {};
      if (!valid_name(entry->d_name) ||
          ::fstatat(conv.get(), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISREG(st.st_mode)) {
        continue;
      }
      const auto written_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
      if (written_ns < cutoff_ns && removed.files + old.size() < limit) {
        old.emplace_back(entry->d_name, static_cast<std::uint64_t>(st.st_size));
      } else {
        ++kept;
      }
    }
    ::closedir(dir);
    for (const auto& [name, size] : old) {
      if (::unlinkat(conv.get(), name.c_str(), 0) != 0) {
        failure = errno;
        continue;
      }
      ++removed.files;
      removed.bytes += size;
      ::unlinkat(conv.get(), (name.substr(0, kIdChars) + std::string(kTypeSuffix)).c_str(), 0);
      ::unlinkat(conv.get(), (name + std::string(kTypeSuffix)).c_str(), 0);  // the older naming
    }
    if (!old.empty() && ::fsync(conv.get()) != 0) {
      failure = errno;
    }
    if (kept == 0 && !old.empty() && ::unlinkat(dir_fd_, folder.c_str(), AT_REMOVEDIR) == 0) {
      ::fsync(dir_fd_);
    }
  }
  {
    std::lock_guard lock(mu_);
    total_ -= std::min(total_, removed.bytes);
  }
  if (failure != 0) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot remove old uploads: {}", errno_text(failure)));
  }
  return removed;
}

}  // namespace baton::store
