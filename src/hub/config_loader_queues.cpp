// hub.yaml's queues, external hubs and agents: the half of the loader (config_loader.hpp) that
// config_loader.cpp does not hold.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/secret_file.hpp"
#include "hub/config.hpp"
#include "hub/config_loader.hpp"

namespace baton::hub {
namespace {

constexpr std::string_view kQueueKeys[] = {"name",
                                           "when",
                                           "priority",
                                           "skills",
                                           "overflow",
                                           "strategy",
                                           "offer_timeout",
                                           "position_update_interval",
                                           "abandon_after",
                                           "max_wait",
                                           "texts",
                                           "hours",
                                           "wait_for_agent",
                                           "dispositions",
                                           "disposition_required",
                                           "external"};
constexpr std::string_view kExternalKeys[] = {"url", "secret_file", "secret"};
// Queue keys that concern agents, refused on an external queue (it has none).
constexpr std::string_view kAgentOnlyQueueKeys[] = {"skills",        "strategy",
                                                    "offer_timeout", "wait_for_agent",
                                                    "dispositions",  "disposition_required",
                                                    "overflow"};
constexpr std::string_view kAgentKeys[] = {"id", "name", "role", "skills", "capacity"};

// A URL's shape without resolving anything: http://host[:port][/path][?query], printable ASCII,
// no credentials, no fragment. (The HTTP client checks it again when it sends.)
bool plausible_http_url(std::string_view url) {
  const std::string_view scheme = url.starts_with("https://") ? "https://" : "http://";
  if (!url.starts_with(scheme) || url.size() > kMaxExternalUrlLength) {
    return false;
  }
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return false;
  }
  std::string_view rest = url.substr(scheme.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         url.find('#') == std::string_view::npos && authority.front() != ':';
}

}  // namespace

namespace detail {

void Loader::load_queues(const YAML::Node& list, const YAML::Node& hub,
                         const QueueConfig& defaults) {
  if (!list || !list.IsSequence() || list.size() == 0) {
    error(list ? list : hub, "hub needs a non-empty list of queues");
    return;
  }
  for (const auto& node : list) {
    load_queue(node, defaults);
  }
  resolve_queue_links(list, hub);
}

void Loader::load_queue(const YAML::Node& node, const QueueConfig& defaults) {
  if (!expect_map(node, "a queue")) {
    return;
  }
  check_keys(node, kQueueKeys, "queue");
  QueueConfig q = defaults;
  q.loc = loc(node);
  if (auto n = node["name"]) {
    if (auto s = scalar(n, "name")) {
      q.name = *s;
    }
  }
  if (q.name.empty()) {
    error(node, "a queue needs a non-empty name");
    return;
  }
  if (config_.find_queue(q.name)) {
    error(node["name"], "duplicate queue '" + q.name + "'");
    return;
  }
  if (auto n = node["when"]) {
    if (auto s = scalar(n, "when")) {
      auto expr = bot::parse_expression(*s);
      if (expr.ok()) {
        q.when = std::move(expr.value());
      } else {
        error(n, "bad routing rule: " + expr.error().message);
      }
    }
  }
  if (auto n = node["priority"]) {
    q.priority = integer(n, "priority", -1000, 1000).value_or(0);
  }
  if (auto n = node["skills"]) {
    q.skills = normalize_skills(string_list(n, "skills"));
  }
  load_dispositions(node, q);
  load_settings(node, q);
  if (auto n = node["external"]) {
    load_external(node, q);
  }
  config_.queues.push_back(std::move(q));
  overflow_nodes_.push_back(node["overflow"]);
}

void Loader::load_dispositions(const YAML::Node& node, QueueConfig& q) {
  if (auto list = node["dispositions"]) {
    if (!list.IsSequence()) {
      error(list, "dispositions must be a list of codes");
    } else if (list.size() > kMaxDispositions) {
      error(list, "a queue may have at most " + std::to_string(kMaxDispositions) + " dispositions");
    } else {
      for (const auto& item : list) {
        auto code = scalar(item, "a disposition");
        if (!code) {
          continue;
        }
        const bool valid = !code->empty() && code->size() <= kMaxDispositionLength &&
                           std::all_of(code->begin(), code->end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                                    c == '_' || c == '-';
                           });
        if (!valid) {
          error(item, "disposition '" + *code + "' must be 1.." +
                          std::to_string(kMaxDispositionLength) +
                          " characters of a-z, 0-9 and . _ -");
        } else if (std::find(q.dispositions.begin(), q.dispositions.end(), *code) !=
                   q.dispositions.end()) {
          error(item, "duplicate disposition '" + *code + "'");
        } else {
          q.dispositions.push_back(*code);
        }
      }
    }
  }
  if (auto n = node["disposition_required"]) {
    auto value = scalar(n, "disposition_required");
    if (value && (*value == "true" || *value == "false")) {
      q.disposition_required = *value == "true";
      if (q.disposition_required && !node["dispositions"]) {
        error(n, "disposition_required needs a list of dispositions on the same queue");
      }
    } else if (value) {
      error(n, "disposition_required must be true or false");
    }
  }
}

void Loader::load_external(const YAML::Node& node, QueueConfig& q) {
  const YAML::Node ext = node["external"];
  if (!expect_map(ext, "external")) {
    return;
  }
  check_keys(ext, kExternalKeys, "external");
  for (std::string_view key : kAgentOnlyQueueKeys) {
    if (auto n = node[std::string(key)]) {
      error(n, "'" + std::string(key) + "' does not apply to an external queue (it has no agents)");
    }
  }
  ExternalHub hub;
  if (auto n = ext["url"]) {
    if (auto s = scalar(n, "url")) {
      if (plausible_http_url(*s)) {
        hub.url = *s;
      } else {
        error(n,
              "external url must be http[s]://host[:port][/path] (no credentials, no fragment, at "
              "most " +
                  std::to_string(kMaxExternalUrlLength) + " characters)");
      }
    }
  } else {
    error(ext, "external needs a url");
  }
  if (auto n = ext["secret"]) {
    error(n,
          "a secret is not written in hub.yaml: put it in a file (mode 0600) and name the "
          "file with secret_file");
  }
  if (auto n = ext["secret_file"]) {
    if (auto s = scalar(n, "secret_file"); s && !s->empty()) {
      hub.secret_file = *s;
      if (auto secret = read_secret(n, *s)) {
        hub.secret = std::move(*secret);
      }
    } else if (s) {
      error(n, "secret_file must name a file");
    }
  } else if (!ext["secret"]) {
    error(ext, "external needs a secret_file");
  }
  q.wait_for_agent = false;  // a default's setting does not apply
  q.external = std::move(hub);
}

std::optional<std::string> Loader::read_secret(const YAML::Node& node, const std::string& file) {
  std::filesystem::path path(file);
  if (path.is_relative() && !base_dir_.empty()) {
    path = base_dir_ / path;
  }
  auto secret = read_configured_secret(path, kMinExternalSecretLength);
  if (!secret.ok()) {
    error(node, "secret_file: " + secret.error().message);
    return std::nullopt;
  }
  return std::move(*secret);
}

void Loader::resolve_queue_links(const YAML::Node& list, const YAML::Node& hub) {
  for (std::size_t i = 0; i < config_.queues.size(); ++i) {
    const YAML::Node& n = overflow_nodes_[i];
    if (!n) {
      continue;
    }
    auto name = scalar(n, "overflow");
    if (!name) {
      continue;
    }
    if (!config_.find_queue(*name)) {
      error(n, "overflow to unknown queue '" + *name + "'");
    } else if (config_.queues[*config_.find_queue(*name)].external) {
      error(n,
            "overflow to external queue '" + *name + "' (a handoff reaches one only by routing)");
    } else if (*name == config_.queues[i].name) {
      error(n, "a queue cannot overflow to itself");
    } else {
      config_.queues[i].overflow = *name;
      if (!config_.queues[i].max_wait) {
        error(n, "overflow needs max_wait on the same queue (or in defaults)");
      }
    }
  }
  // Cycles: follow each chain; a chain longer than the number of queues revisits one.
  for (std::size_t i = 0; i < config_.queues.size(); ++i) {
    std::size_t at = i;
    for (std::size_t steps = 0; steps <= config_.queues.size(); ++steps) {
      auto next = config_.find_queue(config_.queues[at].overflow);
      if (config_.queues[at].overflow.empty() || !next) {
        break;
      }
      at = *next;
      if (at == i) {
        error(overflow_nodes_[i],
              "overflow chain of queue '" + config_.queues[i].name + "' loops back to it");
        break;
      }
    }
  }
  if (auto n = hub["default_queue"]) {
    if (auto name = scalar(n, "default_queue")) {
      if (auto index = config_.find_queue(*name)) {
        config_.default_queue = *index;
      } else {
        error(n, "default_queue names unknown queue '" + *name + "'");
      }
    }
  } else if (config_.queues.size() > 1) {
    error(list, "hub needs a default_queue when it has more than one queue");
  }
  for (std::size_t i = 0; i < config_.queues.size(); ++i) {
    config_.routing_order.push_back(i);
  }
  std::stable_sort(config_.routing_order.begin(), config_.routing_order.end(),
                   [this](std::size_t a, std::size_t b) {
                     return config_.queues[a].priority > config_.queues[b].priority;
                   });
}

void Loader::load_agents(const YAML::Node& list) {
  if (!list.IsSequence()) {
    error(list, "agents must be a list");
    return;
  }
  for (const auto& node : list) {
    if (!expect_map(node, "an agent")) {
      continue;
    }
    check_keys(node, kAgentKeys, "agent");
    Agent agent;
    if (auto n = node["id"]) {
      agent.id = scalar(n, "id").value_or("");
    }
    if (agent.id.empty()) {
      error(node, "an agent needs a non-empty id");
      continue;
    }
    for (const Agent& other : config_.agents) {
      if (other.id == agent.id) {
        error(node["id"], "duplicate agent '" + agent.id + "'");
      }
    }
    agent.display_name = agent.id;
    if (auto n = node["name"]) {
      agent.display_name = scalar(n, "name").value_or(agent.id);
    }
    if (auto n = node["role"]) {
      auto s = scalar(n, "role");
      auto role = s ? parse_role(*s) : std::nullopt;
      if (s && !role) {
        error(n, "unknown role '" + *s + "' (agent, supervisor, admin)");
      }
      agent.role = role.value_or(Role::kAgent);
    }
    if (auto n = node["skills"]) {
      agent.skills = normalize_skills(string_list(n, "skills"));
    }
    if (auto n = node["capacity"]) {
      agent.capacity = integer(n, "capacity", 1, 1000).value_or(1);
    }
    config_.agents.push_back(std::move(agent));
  }
}

}  // namespace detail
}  // namespace baton::hub
