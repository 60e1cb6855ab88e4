#pragma once
// `baton serve` and systemd: logs on stderr fit for the journal, and Type=notify readiness.

#include <string>

namespace baton::cli {

// Logs go to stderr at `level` (spdlog's names: "info", "warn", ...): with a UTC timestamp on a
// terminal or in a file; under systemd's journal, which stamps each line itself, with the
// priority prefix instead.
void setup_logging(const std::string& level);

// Tells the service manager how serve is doing (systemd's Type=notify: READY=1 once serving,
// STOPPING=1 on the way out, STATUS= for `systemctl status`). Does nothing without $NOTIFY_SOCKET.
void notify_service_manager(const std::string& state);

}  // namespace baton::cli
