// `baton serve` under systemd's Type=notify (deploy/baton.service.in): the real binary, with
// $NOTIFY_SOCKET pointing at a datagram socket this test reads. READY=1 must come only once the
// port answers, and STOPPING=1 when SIGTERM starts the graceful stop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
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

// Starts `baton serve` on the example bot, any free port and `data_dir`, with NOTIFY_SOCKET set
// to `notify_path` (and stdout discarded). Returns the pid, or -1.
pid_t spawn_serve(const std::string& notify_path, const std::string& data_dir) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  env_strings.push_back("NOTIFY_SOCKET=" + notify_path);
  std::vector<std::string> arg_strings = {
      BATON_BIN,     "serve",       std::string(BATON_SOURCE_DIR) + "/examples/contoso",
      "--listen",    "127.0.0.1:0", "--data",
      data_dir,      "--secret",    "notify-test-secret-0123",
      "--log-level", "warn"};
  auto pointers = [](std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) {
      out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
  };
  std::vector<char*> argv = pointers(arg_strings);
  std::vector<char*> envp = pointers(env_strings);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (::posix_spawn(&pid, BATON_BIN, &actions, nullptr, argv.data(), envp.data()) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

TEST(ServeNotify, ReadyOnceServingStoppingOnSigterm) {
  NotifySocket notify;
  ASSERT_TRUE(notify.bound()) << std::strerror(errno);
  const pid_t pid = spawn_serve(notify.path(), (notify.dir() / "data").string());
  ASSERT_GT(pid, 0);
  bool reaped = false;
  struct KillUnlessReaped {  // a failed assertion must not leave the server running
    pid_t pid;
    const bool& reaped;
    ~KillUnlessReaped() {
      if (!reaped) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  } guard{pid, reaped};

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

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const std::vector<std::string> stopping = notify.receive_until("STOPPING=1", 30s);
  ASSERT_FALSE(stopping.empty());
  EXPECT_NE(stopping.back().find("STOPPING=1"), std::string::npos) << stopping.back();
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  reaped = true;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
