#include "cli/shared.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>
#include <system_error>
#include <utility>

#include "bot/loader.hpp"
#include "engagement/config.hpp"

namespace baton::cli {

std::optional<ServedBot> load_served_bot(const std::filesystem::path& path, std::ostream& err) {
  bot::LoadResult loaded = bot::load_bot(path);
  for (const auto& d : loaded.diagnostics) {
    err << d.format() << '\n';
  }
  if (!loaded.bot) {
    return std::nullopt;
  }
  const std::filesystem::path dir = std::filesystem::is_directory(path) ? path : path.parent_path();
  auto hub_config = engagement::load_engagement_config(dir);
  if (!hub_config.ok()) {
    err << hub_config.error().message << '\n';
    return std::nullopt;
  }
  return ServedBot{dialog::CompiledBot::compile(std::move(*loaded.bot)), std::move(*hub_config)};
}

Result<DataDirLock> DataDirLock::acquire(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / "serve.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return make_error(ErrorCode::kIo, fmt::format("cannot open {}: {}", path.string(),
                                                  std::generic_category().message(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return make_error(ErrorCode::kConflict,
                        fmt::format("a baton serve is running on {}", data_dir.string()));
    }
    return make_error(ErrorCode::kIo, fmt::format("cannot lock {}: {}", path.string(),
                                                  std::generic_category().message(err)));
  }
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // releases the lock
  }
}

}  // namespace baton::cli
