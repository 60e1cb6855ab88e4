#include "core/secret_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

namespace baton {
namespace {

std::string errno_text(int err) { return std::generic_category().message(err); }

Result<std::string> read_first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in) {
    return make_error(ErrorCode::kIo, fmt::format("cannot read {}", file.string()));
  }
  std::getline(in, line);
  if (line.empty()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{} is empty", file.string()));
  }
  return line;
}

}  // namespace

int write_all_and_sync(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n < 0 ? errno : EIO;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) != 0 ? errno : 0;
}

Result<std::string> read_or_create_secret_file(const std::filesystem::path& file,
                                               const std::function<std::string()>& generate) {
  const int fd =
      ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) {
      return read_first_line(file);
    }
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot create {}: {}", file.string(), errno_text(errno)));
  }
  const std::string secret = generate();
  const int err = write_all_and_sync(fd, secret + "\n");
  ::close(fd);
  if (err != 0) {
    ::unlink(file.c_str());
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot write {}: {}", file.string(), errno_text(err)));
  }
  return secret;
}

Result<std::string> read_configured_secret(const std::filesystem::path& file,
                                           std::size_t min_chars) {
  constexpr std::size_t kMaxBytes = 4096;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kIo, fmt::format("cannot read '{}'", file.string()));
  }
  std::string text(kMaxBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("'{}' is larger than 4 KiB", file.string()));
  }
  std::string line = text.substr(0, text.find('\n'));
  if (line.ends_with('\r')) {
    line.pop_back();
  }
  if (line.size() < min_chars) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("the first line of '{}' must hold a secret of at least {} "
                                  "characters",
                                  file.string(), min_chars));
  }
  return line;
}

}  // namespace baton
