// `baton serve` under systemd (deploy/baton.service.in), with the real binary and a fake service
// manager:
// - Type=notify: $NOTIFY_SOCKET points at a datagram socket this test reads. READY=1 must come
//   only once the port answers, and STOPPING=1 when SIGTERM starts the graceful stop.
// - The journal: when $JOURNAL_STREAM names stderr, every log line carries its priority prefix
//   ("<4>warning ...") instead of a timestamp.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A datagram socket bound to a fresh path: the service manager's end of sd_notify.
class NotifySocket {
 public:
  NotifySocket() {
    dir_ = fs::temp_directory_path() / ("baton-notify-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "notify").string();
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    fs::remove_all(dir_);
  }
  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }
  const fs::path& dir() const { return dir_; }

  // The next datagram, or nullopt after `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
      return std::nullopt;
    }
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n < 0 ? std::nullopt : std::optional<std::string>(std::string(buffer, n));
  }

  // Datagrams until one contains `line` (as a whole line); all of them, in order.
  std::vector<std::string> receive_until(const std::string& line,
                                         std::chrono::milliseconds timeout) {
    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto message = receive(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!message) {
        break;
      }
      got.push_back(*message);
      if (("\n" + *message + "\n").find("\n" + line + "\n") != std::string::npos) {
        break;
      }
    }
    return got;
  }

 private:
  fs::path dir_;
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

// The status line of `GET /healthz` on 127.0.0.1:port, "" when nothing answers.
std::string healthz_status(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[256];
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      answer.assign(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
    }
  }
  ::close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

// How to start `baton serve` (on the example bot, any free port, stdout discarded).
struct ServeLaunch {
  std::string notify_path;             // $NOTIFY_SOCKET
  std::string data_dir;                // --data
  std::string log_level = "warn";      // --log-level
  std::string stderr_path;             // stderr appended to this file; "" = inherited
  std::vector<std::string> extra_env;  // NAME=VALUE
  std::vector<std::string> prefix;     // a command that execs the rest, e.g. prlimit
};

// A running `baton serve`; killed (SIGKILL) unless wait() reaped it, so a failed assertion never
// leaves it behind.
class ServeProcess {
 public:
  explicit ServeProcess(const ServeLaunch& launch) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0 &&
          std::strncmp(*e, "JOURNAL_STREAM=", 15) != 0) {
        env_strings.emplace_back(*e);
      }
    }
    env_strings.push_back("NOTIFY_SOCKET=" + launch.notify_path);
    env_strings.insert(env_strings.end(), launch.extra_env.begin(), launch.extra_env.end());
    std::vector<std::string> arg_strings = launch.prefix;
    for (const std::string& arg :
         {std::string(BATON_BIN), std::string("serve"),
          std::string(BATON_SOURCE_DIR) + "/examples/contoso", std::string("--listen"),
          std::string("127.0.0.1:0"), std::string("--data"), launch.data_dir,
          std::string("--secret"), std::string("notify-test-secret-0123"),
          std::string("--log-level"), launch.log_level}) {
      arg_strings.push_back(arg);
    }
    std::vector<char*> argv = pointers(arg_strings);
    std::vector<char*> envp = pointers(env_strings);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (!launch.stderr_path.empty()) {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, launch.stderr_path.c_str(),
                                       O_WRONLY | O_APPEND, 0);
    }
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ServeProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  bool started() const { return pid_ > 0; }
  bool terminate() const { return ::kill(pid_, SIGTERM) == 0; }
  // The wait status, after the process exited.
  int wait() {
    int status = -1;
    if (::waitpid(pid_, &status, 0) == pid_) {
      reaped_ = true;
    }
    return status;
  }

 private:
  static std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) {
      out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
};

TEST(ServeUnderSystemd, ReadyOnceServingStoppingOnSigterm) {
  NotifySocket notify;
  ASSERT_TRUE(notify.bound()) << std::system_category().message(errno);
  ServeLaunch launch;
  launch.notify_path = notify.path();
  launch.data_dir = (notify.dir() / "data").string();
  ServeProcess serve(launch);
  ASSERT_TRUE(serve.started());

  const std::vector<std::string> starting = notify.receive_until("READY=1", 30s);
  ASSERT_FALSE(starting.empty());
  EXPECT_NE(starting.front().find("STATUS=opening the store"), std::string::npos)
      << starting.front();
  const std::string& ready = starting.back();
  std::smatch port;
  const bool ready_with_port = std::regex_search(
      ready, port,
      std::regex("STATUS=serving bot 'contoso-store' on http://127\\.0\\.0\\.1:([0-9]+)"));
  EXPECT_TRUE(ready_with_port) << ready;
  if (ready_with_port) {
    // Ready means serving: the first request after READY=1 is answered.
    EXPECT_EQ(healthz_status(std::stoi(port[1])), "HTTP/1.1 200 OK");
  }

  ASSERT_TRUE(serve.terminate());
  const std::vector<std::string> stopping = notify.receive_until("STOPPING=1", 30s);
  ASSERT_FALSE(stopping.empty());
  EXPECT_NE(stopping.back().find("STOPPING=1"), std::string::npos) << stopping.back();
  const int status = serve.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The log lines of one serve run from start to a graceful stop, stderr going to a file that
// $JOURNAL_STREAM names when `as_journal` (else it names another file). The open-file limit is
// lowered to 1,024 so that serve logs a warning.
std::vector<std::string> log_lines_of_a_run(bool as_journal) {
  NotifySocket notify;
  EXPECT_TRUE(notify.bound()) << std::system_category().message(errno);
  const fs::path log = notify.dir() / "stderr.log";
  std::ofstream(log).close();
  struct stat st {};
  EXPECT_EQ(::stat(log.c_str(), &st), 0);
  // systemd's form, "DEVICE:INODE"; another inode when stderr is not to count as the journal.
  const std::string stream =
      std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + (as_journal ? 0 : 1000));
  ServeLaunch launch;
  launch.notify_path = notify.path();
  launch.data_dir = (notify.dir() / "data").string();
  launch.log_level = "info";
  launch.stderr_path = log.string();
  launch.extra_env = {"JOURNAL_STREAM=" + stream};
  launch.prefix = {"/usr/bin/prlimit", "--nofile=1024:1024", "--"};
  ServeProcess serve(launch);
  EXPECT_TRUE(serve.started());
  EXPECT_FALSE(notify.receive_until("READY=1", 30s).empty());
  EXPECT_TRUE(serve.terminate());
  const int status = serve.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(ServeUnderSystemd, LogLinesCarryJournalPrioritiesWhenStderrIsTheJournal) {
  const std::vector<std::string> lines = log_lines_of_a_run(true);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_TRUE(std::regex_search(line, std::regex("^<[2-7]>(debug|info|warning|error|critical) ")))
        << line;
  }
  auto has = [&](const std::string& pattern) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return std::regex_search(line, std::regex(pattern));
    });
  };
  EXPECT_TRUE(has("^<6>info serving bot 'contoso-store'"));
  EXPECT_TRUE(has("^<4>warning the open-file limit is 1024"));
  EXPECT_TRUE(has("^<6>info stopped$"));
}

TEST(ServeUnderSystemd, LogLinesKeepTimestampsWhenStderrIsNotTheJournal) {
  const std::vector<std::string> lines = log_lines_of_a_run(false);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_TRUE(std::regex_search(
        line, std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (info|warning) ")))
        << line;
  }
}

}  // namespace
