#pragma once
// Test-only: a throwaway PostgreSQL cluster for the store's tests, and a GoogleTest environment
// that gives every test of a binary the same one (each test then uses a schema of its own).
//
// The cluster is initdb'ed into a fresh temporary directory (as the `postgres` user when the test
// runs as root, as the current user otherwise), and its postmaster is a child of the test process
// that listens on a Unix socket in that directory and on 127.0.0.1 at a free port, with
// fsync=on. The child gets SIGQUIT if the test process dies, so a crashed or killed test leaves no
// server behind; a normal end stops it with `pg_ctl stop -m fast` and removes the directory. Each
// test binary starts its own cluster, so ctest -j runs them side by side. Needs the PostgreSQL
// server binaries (Debian's postgresql package; BATON_PG_BINDIR overrides where they are).

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace baton::store::testing {

class PgTestCluster {
 public:
  // initdb + start. kUnavailable with the server's log tail when it cannot be started.
  static Result<std::unique_ptr<PgTestCluster>> start();
  ~PgTestCluster();  // stops the server (fast) and removes the directory
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  // A keyword=value connection string over the Unix socket, as user postgres, to database
  // `baton`; with `schema`, every table the store creates lands in that schema (search_path).
  std::string conninfo(const std::string& schema = "") const;
  // The same over TCP (127.0.0.1:port) as a postgresql:// URI.
  std::string tcp_uri() const;
  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Runs SQL as the superuser on database `baton` (CREATE SCHEMA, pg_terminate_backend, ...).
  Status exec(const std::string& sql) const;
  // Creates `schema` unless it exists.
  Status create_schema(const std::string& schema) const;

  // `pg_ctl stop -m immediate` (a crash, as far as clients can tell), and start again on the same
  // directory and port.
  Status stop_immediately();
  Status restart();

 private:
  PgTestCluster() = default;
  Status launch();  // forks the postmaster and waits until it accepts connections
  Status pg_ctl_stop(const char* mode);

  std::filesystem::path dir_;
  std::filesystem::path bindir_;
  int port_ = 0;
  pid_t postmaster_ = -1;
  bool as_postgres_ = false;  // running as root: the server runs as `postgres`
};

// The binary's cluster, started by the environment below before the first test. Aborts the test
// program when called without it.
PgTestCluster& pg_test_cluster();

// Registers the environment that starts the cluster before the first test and stops it after the
// last. Call once, at namespace scope of a test file:
//   static const bool registered = baton::store::testing::register_pg_test_cluster();
bool register_pg_test_cluster();

}  // namespace baton::store::testing
