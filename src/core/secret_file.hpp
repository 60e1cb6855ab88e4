#pragma once
// Secrets kept in files of the data directory (the Direct Line secret, the agent session key):
// created with mode 0600 from the first byte (open(O_CREAT | O_EXCL, 0600), never a chmod after
// the fact, never the process-wide umask), written and fsynced before they are used.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace baton {

// Writes all of `data` to `fd` (retrying short writes and EINTR), then fsyncs it. Returns 0, or the
// errno of the failure (EIO when write() wrote nothing without one). Does not close `fd`.
int write_all_and_sync(int fd, std::string_view data);

// The first line of `file`; when the file does not exist, creates it (0600, not following a
// symlink) holding `generate()` and a newline, and returns that. Errors: kIo when it cannot be read
// or created, kInvalidArgument when it exists but its first line is empty.
Result<std::string> read_or_create_secret_file(const std::filesystem::path& file,
                                               const std::function<std::string()>& generate);

// A secret an operator put in a file named by configuration (an external hub's shared secret, an
// external bot's app password): the first line, without a trailing '\r'. Errors (the message
// names the file): kIo when it cannot be read, kInvalidArgument when it is larger than 4 KiB or
// its first line is shorter than `min_chars` bytes.
Result<std::string> read_configured_secret(const std::filesystem::path& file,
                                           std::size_t min_chars);

}  // namespace baton
