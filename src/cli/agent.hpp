#pragma once
// `baton agent add|list|remove|passwd`: manages the agents who can log in to the console, in the
// SQLite store of a data directory (DATA/baton.db, created when missing) or, with --store, in a
// PostgreSQL database (cli/store_open.hpp).
//
// Safe while `baton serve` runs on the same store: both processes use SQLite in WAL mode with a
// busy timeout (or their own PostgreSQL connections), and the server re-reads the agents
// periodically. Passwords are hashed with
// Argon2id (core/password.hpp) and neither a password nor a hash is ever printed.
//
// Every command writes one line to `err` and returns 1 on an error (bad input, unknown or
// duplicate agent, storage failure) and returns 0 on success. Usage errors (exit 2) are CLI11's.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/password.hpp"
#include "hub/agent_fields.hpp"

namespace baton::cli {

struct AgentOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a PostgreSQL connection string (--store); "" = SQLite in data_dir
  std::string id;
  std::optional<std::string> name;      // add: display name (default: the id)
  std::optional<std::string> role;      // add: agent | supervisor | admin (default: agent)
  std::optional<std::string> skills;    // add: comma-separated; normalised lower-case, sorted
  std::optional<std::string> capacity;  // add: 1..1000 (default 1); text so errors are ours
  std::optional<std::string> password;  // add/passwd: --password (else one line from `in`)
  bool password_stdin = false;          // add/passwd: read the password from `in` (the default)
  bool json = false;                    // list: a JSON array instead of a table
};

// Minimum password length in characters (UTF-8 code points): core/password.hpp.
inline constexpr std::size_t kMinPasswordChars = baton::kMinPasswordChars;

// Highest capacity accepted (the same bound as hub.yaml's agents): hub/agent_fields.hpp.
inline constexpr int kMaxAgentCapacity = hub::kMaxAgentCapacity;

// `baton agent add ID`: fails when the id exists ("use passwd to change the password").
int run_agent_add(const AgentOptions& options, std::istream& in, std::ostream& out,
                  std::ostream& err);
// `baton agent list [--json]`: every agent in id order.
int run_agent_list(const AgentOptions& options, std::ostream& out, std::ostream& err);
// `baton agent remove ID`: fails for an unknown id.
int run_agent_remove(const AgentOptions& options, std::ostream& out, std::ostream& err);
// `baton agent passwd ID`: replaces the password hash (sessions made with the old one end).
int run_agent_passwd(const AgentOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err);
// `baton agent disable ID` / `enable ID`: a disabled agent cannot log in (a running server ends
// its sessions at their next request) and gets no offers; its record and history stay.
int run_agent_set_disabled(const AgentOptions& options, bool disabled, std::ostream& out,
                           std::ostream& err);

}  // namespace baton::cli
