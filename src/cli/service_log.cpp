#include "cli/service_log.hpp"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <system_error>

namespace baton::cli {
namespace {

// Whether stderr goes to systemd's journal: $JOURNAL_STREAM names its device and inode
// (systemd.exec(5)), so a redirected stderr under systemd does not count.
bool stderr_is_journal() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): Baton never writes the environment (setenv, putenv)
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || ::fstat(STDERR_FILENO, &st) != 0) {
    return false;
  }
  return fmt::format("{}:{}", st.st_dev, st.st_ino) == stream;
}

// The journal's priority prefix ("<6>" for info, "<4>" for warnings: sd-daemon(3)), so
// `journalctl -p warning` finds Baton's warnings.
class JournalPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::array<std::string_view, spdlog::level::n_levels> kPrefixes = {
        "<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};  // trace ... critical, off
    const std::string_view prefix = kPrefixes[static_cast<std::size_t>(msg.level)];
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriorityFlag>();
  }
};

}  // namespace

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("baton");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  if (stderr_is_journal()) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JournalPriorityFlag>('*').set_pattern("%*%l %v");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
}

void notify_service_manager(const std::string& state) {
  if (const int rc = sd_notify(0, state.c_str()); rc < 0) {
    spdlog::warn("cannot notify the service manager: {}", std::system_category().message(-rc));
  }
}

}  // namespace baton::cli
