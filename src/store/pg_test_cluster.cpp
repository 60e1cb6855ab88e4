#include "store/pg_test_cluster.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): for posix_spawn

namespace baton::store::testing {
namespace {

namespace fs = std::filesystem;

fs::path find_bindir() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in the tests writes the environment
  if (const char* env = std::getenv("BATON_PG_BINDIR"); env != nullptr && *env != '\0') {
    return env;
  }
  fs::path best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "postgres", ec) && (best.empty() || bin > best)) {
      best = bin;
    }
  }
  return best;
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&  // NOLINT: sockets API
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {  // NOLINT: sockets API
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string tail(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

// Runs a program (as `postgres` through runuser when `as_postgres`), its output appended to `log`.
Status run(std::vector<std::string> argv, bool as_postgres, const fs::path& log) {
  if (as_postgres) {
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& arg : argv) {
    args.push_back(arg.data());
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return make_error(ErrorCode::kUnavailable, fmt::format("cannot run {}", argv[0]));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("{} failed: {}", fmt::join(argv, " "), tail(log)));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<PgTestCluster>> PgTestCluster::start() {
  std::unique_ptr<PgTestCluster> cluster(new PgTestCluster());
  cluster->bindir_ = find_bindir();
  if (cluster->bindir_.empty()) {
    return make_error(ErrorCode::kUnavailable,
                      "PostgreSQL server binaries not found under /usr/lib/postgresql (install "
                      "Debian's postgresql package: scripts/setup.sh) or in $BATON_PG_BINDIR");
  }
  std::string pattern = (fs::temp_directory_path() / "baton_pg_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return make_error(ErrorCode::kIo, "mkdtemp failed");
  }
  cluster->dir_ = pattern;
  cluster->as_postgres_ = geteuid() == 0;
  if (cluster->as_postgres_) {
    const passwd* pw = getpwnam("postgres");  // NOLINT(concurrency-mt-unsafe): before any thread
    if (pw == nullptr || chown(pattern.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return make_error(ErrorCode::kUnavailable,
                        "running as root, but there is no `postgres` user to run the server as");
    }
  }
  Status initdb =
      run({(cluster->bindir_ / "initdb").string(), "-D", (cluster->dir_ / "data").string(), "-A",
           "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"},
          cluster->as_postgres_, cluster->dir_ / "initdb.log");
  if (!initdb.ok()) {
    return initdb.error();
  }
  Status launched;
  for (int attempt = 0; attempt < 3; ++attempt) {
    cluster->port_ = free_port();
    launched = cluster->launch();
    if (launched.ok()) {
      break;
    }
  }
  if (!launched.ok()) {
    return launched.error();
  }
  PGconn* admin = PQconnectdb(fmt::format("host={} port={} dbname=postgres user=postgres",
                                          cluster->dir_.string(), cluster->port_)
                                  .c_str());
  PGresult* created = PQexec(admin, "CREATE DATABASE baton");
  const bool ok = PQresultStatus(created) == PGRES_COMMAND_OK;
  std::string error = PQerrorMessage(admin);
  PQclear(created);
  PQfinish(admin);
  if (!ok) {
    return make_error(ErrorCode::kUnavailable, "CREATE DATABASE baton failed: " + error);
  }
  return cluster;
}

Status PgTestCluster::launch() {
  const std::string postgres = (bindir_ / "postgres").string();
  const std::string data = (dir_ / "data").string();
  const std::string log = (dir_ / "server.log").string();
  const std::string port = std::to_string(port_);
  const std::string sockets = "unix_socket_directories=" + dir_.string();
  std::vector<std::string> argv = {postgres, "-D", data, "-p", port, "-c", sockets, "-c",
                                   "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c",
                                   "synchronous_commit=on", "-c", "max_connections=200",
                                   // Crash recovery (after stop_immediately) syncs the data
                                   // directory with one syncfs instead of an fsync per file.
                                   "-c", "recovery_init_sync_method=syncfs"};
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& arg : argv) {
    args.push_back(arg.data());
  }
  args.push_back(nullptr);
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the store's threads never look users up
  const passwd* pw = as_postgres_ ? getpwnam("postgres") : nullptr;
  const uid_t uid = pw != nullptr ? pw->pw_uid : 0;
  const gid_t gid = pw != nullptr ? pw->pw_gid : 0;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    return make_error(ErrorCode::kUnavailable, "fork failed");
  }
  if (pid == 0) {
    if (as_postgres_ && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) {
      _exit(126);
    }
    // After setuid: a change of credentials clears the parent-death signal.
    prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (getppid() != parent) {
      _exit(125);
    }
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execv(postgres.c_str(), args.data());
    _exit(127);
  }
  postmaster_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      postmaster_ = -1;
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("postgres exited at start: {}", tail(log)));
    }
    // Database "baton" may not exist yet; the server answering is what counts.
    const std::string probe =
        fmt::format("host={} port={} dbname=postgres user=postgres", dir_.string(), port_);
    if (PQping(probe.c_str()) == PQPING_OK) {
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGQUIT);
  waitpid(pid, nullptr, 0);
  postmaster_ = -1;
  return make_error(ErrorCode::kUnavailable,
                    fmt::format("postgres did not accept connections within 60 s: {}", tail(log)));
}

Status PgTestCluster::pg_ctl_stop(const char* mode) {
  if (postmaster_ < 0) {
    return {};
  }
  Status stopped =
      run({(bindir_ / "pg_ctl").string(), "stop", "-D", (dir_ / "data").string(), "-m", mode, "-w"},
          as_postgres_, dir_ / "pg_ctl.log");
  if (!stopped.ok()) {
    kill(postmaster_, SIGQUIT);
  }
  waitpid(postmaster_, nullptr, 0);
  postmaster_ = -1;
  return stopped;
}

PgTestCluster::~PgTestCluster() {
  (void)pg_ctl_stop("fast");
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgTestCluster::conninfo(const std::string& schema) const {
  std::string info =
      fmt::format("host={} port={} dbname=baton user=postgres", dir_.string(), port_);
  if (!schema.empty()) {
    info += fmt::format(" options='-csearch_path={}'", schema);
  }
  return info;
}

std::string PgTestCluster::tcp_uri() const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/baton", port_);
}

Status PgTestCluster::exec(const std::string& sql) const {
  PGconn* conn = PQconnectdb(conninfo().c_str());
  PQsetNoticeProcessor(
      conn, [](void* /*arg*/, const char* /*message*/) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  std::string error = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return make_error(ErrorCode::kIo, fmt::format("{}: {}", sql, error));
  }
  return {};
}

Status PgTestCluster::create_schema(const std::string& schema) const {
  return exec(fmt::format("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema));
}

Status PgTestCluster::stop_immediately() { return pg_ctl_stop("immediate"); }

Status PgTestCluster::restart() { return launch(); }

namespace {

std::unique_ptr<PgTestCluster>& the_cluster() {
  static std::unique_ptr<PgTestCluster> cluster;
  return cluster;
}

class PgClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto started = PgTestCluster::start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    the_cluster() = std::move(started).value();
  }
  void TearDown() override { the_cluster().reset(); }
};

}  // namespace

PgTestCluster& pg_test_cluster() {
  if (!the_cluster()) {
    (void)std::fputs("pg_test_cluster(): no cluster (register_pg_test_cluster() not called?)\n",
                     stderr);
    std::abort();
  }
  return *the_cluster();
}

bool register_pg_test_cluster() {
  ::testing::AddGlobalTestEnvironment(new PgClusterEnvironment);  // owned by GoogleTest
  return true;
}

}  // namespace baton::store::testing
