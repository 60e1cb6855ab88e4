#include "cli/agent.hpp"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <charconv>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string_view>
#include <vector>

#include "cli/store_open.hpp"
#include "core/clock.hpp"
#include "core/password.hpp"
#include "core/utf8.hpp"
#include "hub/agent_fields.hpp"
#include "hub/config.hpp"
#include "store/sqlite_store.hpp"

namespace baton::cli {
namespace {

// One line on `err`, exit code 1.
int fail(std::ostream& err, std::string_view message) {
  err << "baton agent: " << message << '\n';
  return 1;
}

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// The field rules are the hub's (hub/agent_fields.hpp), shared with the agent API.
Status check_id(const std::string& id) { return hub::check_agent_id(id); }

Result<std::string> parse_role(const std::optional<std::string>& role) {
  if (!role) {
    return std::string("agent");
  }
  if (auto checked = hub::check_agent_role(*role); !checked.ok()) {
    return checked.error();
  }
  return *role;
}

Result<int> parse_capacity(const std::optional<std::string>& text) {
  if (!text) {
    return 1;
  }
  int value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end || !hub::check_agent_capacity(value).ok()) {
    return invalid(fmt::format("invalid capacity '{}': use a whole number from 1 to {}",
                               utf8::sanitize(*text), kMaxAgentCapacity));
  }
  return value;
}

Result<std::string> parse_name(const std::optional<std::string>& name, const std::string& id) {
  if (!name) {
    return id;
  }
  if (Status s = hub::check_agent_name(*name); !s.ok()) {
    return s.error();
  }
  return *name;
}

// "Billing, de,billing" → ["billing", "de"].
Result<std::vector<std::string>> parse_skills(const std::optional<std::string>& text) {
  std::vector<std::string> skills;
  if (!text) {
    return skills;
  }
  std::string_view rest = *text;
  for (;;) {
    const auto comma = rest.find(',');
    skills.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(comma + 1);
  }
  return hub::check_agent_skills(skills);
}

// Turns terminal echo off while a password is typed; restores it on destruction.
class NoEcho {
 public:
  NoEcho() {
    if (tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~NoEcho() {
    if (active_) {
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// --password, else one line of `in` (prompted without echo on a terminal).
Result<std::string> read_password(const AgentOptions& options, std::istream& in,
                                  std::ostream& err) {
  std::string password;
  if (options.password) {
    password = *options.password;
  } else {
    const bool terminal = &in == &std::cin && isatty(STDIN_FILENO) == 1;
    std::unique_ptr<NoEcho> no_echo;
    if (terminal) {
      err << "Password: " << std::flush;
      no_echo = std::make_unique<NoEcho>();
    }
    const bool got = static_cast<bool>(std::getline(in, password));
    if (terminal) {
      err << '\n';
    }
    if (!got) {
      return invalid("no password: give --password or one line on standard input");
    }
    if (!password.empty() && password.back() == '\r') {
      password.pop_back();
    }
  }
  if (Status s = check_new_password(password); !s.ok()) {
    return s.error();
  }
  return password;
}

Result<std::unique_ptr<store::Store>> open_agent_store(const AgentOptions& options) {
  return open_store(options.store, options.data_dir, store::SqliteOptions{}, 1);
}

// Closes the store and turns a late storage failure into the exit code.
int finish(store::Store& store, int code, std::ostream& err) {
  Status closed = store.close();
  if (!closed.ok() && code == 0) {
    return fail(err, closed.error().message);
  }
  return code;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    out += out.empty() ? "" : std::string(separator);
    out += item;
  }
  return out;
}

void print_table(const std::vector<store::AgentRecord>& agents, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "ROLE", "SKILLS", "CAPACITY"}};
  for (const store::AgentRecord& a : agents) {
    rows.push_back({a.id, utf8::sanitize(a.display_name),
                    a.disabled ? a.role + " (disabled)" : a.role,
                    a.skills.empty() ? "-" : join(a.skills, ","), std::to_string(a.capacity)});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], code_points(row[i]));
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - code_points(row[i]) + 2, ' ');
      }
    }
    out << line << '\n';
  }
}

void print_json(const std::vector<store::AgentRecord>& agents, std::ostream& out) {
  boost::json::array array;
  for (const store::AgentRecord& a : agents) {
    boost::json::array skills;
    for (const std::string& skill : a.skills) {
      skills.emplace_back(skill);
    }
    array.push_back(boost::json::object{{"id", a.id},
                                        {"displayName", a.display_name},
                                        {"role", a.role},
                                        {"skills", std::move(skills)},
                                        {"capacity", a.capacity},
                                        {"disabled", a.disabled}});
  }
  out << boost::json::serialize(array) << '\n';
}

// The record `add` would write, without its password hash, or the first problem with the options.
// The password is asked for last, so a typo in a flag or an existing id does not cost a prompt.
Result<store::AgentRecord> build_agent(const AgentOptions& options) {
  store::AgentRecord agent;
  agent.id = options.id;
  auto name = parse_name(options.name, options.id);
  if (!name.ok()) {
    return name.error();
  }
  auto role = parse_role(options.role);
  if (!role.ok()) {
    return role.error();
  }
  auto skills = parse_skills(options.skills);
  if (!skills.ok()) {
    return skills.error();
  }
  auto capacity = parse_capacity(options.capacity);
  if (!capacity.ok()) {
    return capacity.error();
  }
  agent.display_name = std::move(name).value();
  agent.role = std::move(role).value();
  agent.skills = std::move(skills).value();
  agent.capacity = *capacity;
  agent.created = agent.updated = SystemClock().now();
  return agent;
}

// Reads the password (see read_password) and hashes it.
Result<std::string> new_password_hash(const AgentOptions& options, std::istream& in,
                                      std::ostream& err) {
  auto password = read_password(options, in, err);
  if (!password.ok()) {
    return password.error();
  }
  return hash_password(*password);
}

}  // namespace

int run_agent_add(const AgentOptions& options, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  if (Status s = check_id(options.id); !s.ok()) {
    return fail(err, s.error().message);
  }
  auto agent = build_agent(options);
  if (!agent.ok()) {
    return fail(err, agent.error().message);
  }
  auto store = open_agent_store(options);
  if (!store.ok()) {
    return fail(err, store.error().message);
  }
  auto existing = (*store)->get_agent(options.id);
  if (existing.ok()) {
    return finish(
        **store,
        fail(err, fmt::format("agent {} exists (use passwd to change the password)", options.id)),
        err);
  }
  if (existing.error().code != ErrorCode::kNotFound) {
    return finish(**store, fail(err, existing.error().message), err);
  }
  auto hash = new_password_hash(options, in, err);
  if (!hash.ok()) {
    return finish(**store, fail(err, hash.error().message), err);
  }
  agent->password_hash = std::move(hash).value();
  Status written = (*store)->write(std::move(store::WriteBatch().put_agent(*agent)));
  if (!written.ok()) {
    return finish(**store, fail(err, written.error().message), err);
  }
  out << fmt::format("added agent {} ({}, capacity {})\n", agent->id, agent->role, agent->capacity);
  return finish(**store, 0, err);
}

int run_agent_list(const AgentOptions& options, std::ostream& out, std::ostream& err) {
  auto store = open_agent_store(options);
  if (!store.ok()) {
    return fail(err, store.error().message);
  }
  auto agents = (*store)->list_agents();
  if (!agents.ok()) {
    return finish(**store, fail(err, agents.error().message), err);
  }
  if (options.json) {
    print_json(*agents, out);
  } else if (agents->empty()) {
    out << "no agents (add one with: baton agent add ID)\n";
  } else {
    print_table(*agents, out);
  }
  return finish(**store, 0, err);
}

int run_agent_remove(const AgentOptions& options, std::ostream& out, std::ostream& err) {
  if (Status s = check_id(options.id); !s.ok()) {
    return fail(err, s.error().message);
  }
  auto store = open_agent_store(options);
  if (!store.ok()) {
    return fail(err, store.error().message);
  }
  Status removed = (*store)->write(std::move(store::WriteBatch().delete_agent(options.id)));
  if (!removed.ok()) {
    const bool unknown = removed.error().code == ErrorCode::kNotFound;
    return finish(
        **store,
        fail(err, unknown ? fmt::format("unknown agent {}", options.id) : removed.error().message),
        err);
  }
  out << fmt::format("removed agent {}\n", options.id);
  return finish(**store, 0, err);
}

namespace {

// Reads the agent named by options.id, lets `change` edit it and writes it back, printing `done`:
// 0, or 1 after printing why (a bad id, the store, an unknown agent, `change`'s error).
int change_agent(const AgentOptions& options, std::ostream& out, std::ostream& err,
                 const std::function<Status(store::AgentRecord&)>& change,
                 const std::string& done) {
  if (Status s = check_id(options.id); !s.ok()) {
    return fail(err, s.error().message);
  }
  auto store = open_agent_store(options);
  if (!store.ok()) {
    return fail(err, store.error().message);
  }
  auto agent = (*store)->get_agent(options.id);
  if (!agent.ok()) {
    const bool unknown = agent.error().code == ErrorCode::kNotFound;
    return finish(
        **store,
        fail(err, unknown ? fmt::format("unknown agent {}", options.id) : agent.error().message),
        err);
  }
  if (Status changed = change(*agent); !changed.ok()) {
    return finish(**store, fail(err, changed.error().message), err);
  }
  agent->updated = SystemClock().now();
  Status written = (*store)->write(std::move(store::WriteBatch().put_agent(*agent)));
  if (!written.ok()) {
    return finish(**store, fail(err, written.error().message), err);
  }
  out << done << "\n";
  return finish(**store, 0, err);
}

}  // namespace

int run_agent_passwd(const AgentOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err) {
  return change_agent(
      options, out, err,
      [&](store::AgentRecord& agent) -> Status {
        auto hash = new_password_hash(options, in, err);
        if (!hash.ok()) {
          return hash.error();
        }
        agent.password_hash = std::move(hash).value();
        return {};
      },
      fmt::format("changed the password of agent {}", options.id));
}

int run_agent_set_disabled(const AgentOptions& options, bool disabled, std::ostream& out,
                           std::ostream& err) {
  return change_agent(
      options, out, err,
      [disabled](store::AgentRecord& agent) -> Status {
        agent.disabled = disabled;
        return {};
      },
      fmt::format("{} agent {}", disabled ? "disabled" : "enabled", options.id));
}

}  // namespace baton::cli
