#pragma once
// The hub's configuration: queues (routing rule, priority, skills, strategy, operating hours,
// max wait and overflow, offer timeout, customer texts, timers), hub-wide settings, and the Agent
// record. Loaded from YAML by load_hub_config (config_loader.cpp); the YAML format is documented
// for operators in docs/HUB.md.
//
// A HubConfig is an immutable value once loaded: the Hub holds it by shared_ptr<const HubConfig>.
// Its expressions are immutable and its time zones point into the process-wide tz database, so a
// loaded config is safe to read from any thread.

#include <array>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/expr.hpp"
#include "bot/source.hpp"
#include "core/clock.hpp"
#include "hub/texts.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace baton::hub {

// How a queue picks among the eligible agents for a conversation. YAML names: longest_idle,
// least_busy, round_robin.
enum class Strategy {
  kLongestIdle,  // the agent idle longest: oldest of (became available, last offer, last release)
  kLeastBusy,    // the lowest load / capacity ratio; ties go to the longest idle
  kRoundRobin,   // the next agent after the queue's previous pick, in agent-id order
};

const char* to_string(Strategy strategy);
std::optional<Strategy> parse_strategy(std::string_view name);

// YAML / wire names: agent, supervisor, admin.
enum class Role { kAgent, kSupervisor, kAdmin };

const char* to_string(Role role);
std::optional<Role> parse_role(std::string_view name);

// A human agent as the hub knows it. The durable record (with password hash) lives in the store;
// the hub needs only routing facts. Plain value.
struct Agent {
  std::string id;            // unique, stable (login name); non-empty
  std::string display_name;  // shown to customers and supervisors
  Role role = Role::kAgent;
  std::vector<std::string> skills;  // sorted, unique, lower-case
  int capacity = 1;                 // concurrent conversations (offers + assigned + wrap-up), >= 1
};

// Operating hours of a queue: a weekly schedule of local-time ranges in a time zone, minus
// holidays. Evaluated in the queue's zone with the system tz database, so DST is handled.
struct OperatingHours {
  // Minutes since local midnight, [start, end); end may be 1440 (24:00).
  struct Range {
    int start = 0;
    int end = 0;
  };
  const date::time_zone* zone = nullptr;  // never null in a loaded config
  std::string zone_name;
  std::array<std::vector<Range>, 7> week;  // index 0 = Sunday ... 6 = Saturday
  std::vector<int> holidays;               // local dates as days since 1970-01-01, sorted

  // True when `t` falls in a range of its local weekday and its local date is not a holiday.
  bool is_open(TimePoint t) const;
};

// Customer-facing texts while waiting, each in one or more languages (texts.hpp: the hub picks
// the conversation's language, else the built-in text). Placeholders: {position} (1-based place
// in the queue), {wait} (estimated wait in whole minutes, rounded up), {queue} (queue name).
struct QueueTexts {
  LocalizedText queued = {};    // sent with the Queued decision
  LocalizedText position = {};  // sent with each PositionUpdate
  // Sent (as the Queued text) when a wait_for_agent queue takes a conversation while none of
  // its agents is online. Placeholders as above.
  LocalizedText waiting_for_agent = {};
  // Said when a handoff routed here is unavailable (closed, no agent online); "" (nothing given
  // for the language nor for English) = the bot's own text (the handoff node's agents-offline /
  // unavailable text). Placeholder: {queue}.
  LocalizedText unavailable = {};
};

// An external hub (docs/EXTERNAL_HUBS.md): a queue whose conversations are handed to another
// system over HTTP (a signed Bot Framework handoff.initiate) instead of Baton's agents. The
// secret is read from `secret_file` when the config is loaded; it never appears in hub.yaml.
struct ExternalHub {
  std::string url;          // http://host[:port][/path], checked for its shape only
  std::string secret_file;  // as written (relative to hub.yaml's folder when not absolute)
  std::string secret;       // the file's first line: at least kMinExternalSecretLength bytes
};

inline constexpr std::size_t kMinExternalSecretLength = 16;
inline constexpr std::size_t kMaxExternalUrlLength = 2048;

struct QueueConfig {
  bot::SourceLoc loc;
  std::string name;
  std::optional<bot::Expression> when;  // routing rule; nullopt = only via hint/default/overflow
  int priority = 0;                     // higher first: rule order and conversations' default
  std::vector<std::string> skills;      // required of agents; sorted, unique, lower-case
  Strategy strategy = Strategy::kLongestIdle;
  std::optional<OperatingHours> hours;  // nullopt = always open
  std::optional<Millis> max_wait;       // nullopt = wait without limit
  std::string overflow;                 // queue to move to after max_wait; "" = time out
  Millis offer_timeout{30'000};
  Millis position_update_interval{30'000};  // minimum time between two PositionUpdates
  std::optional<Millis> abandon_after;      // customer silence while waiting; nullopt = never
  // While open but with no eligible agent online, queue the conversation anyway (texts
  // .waiting_for_agent) and offer it when an agent comes online; max_wait still applies.
  bool wait_for_agent = false;
  QueueTexts texts;
  // Wrap-up dispositions agents choose from for this queue's conversations (codes of 1..32
  // [a-z0-9._-], unique, at most kMaxDispositions, in file order); empty = none offered.
  std::vector<std::string> dispositions;
  bool disposition_required = false;  // wrap-up is refused without one (needs dispositions)
  // Set: an external queue. It has no agents (no skills, strategy, offers, wait_for_agent,
  // dispositions or overflow); a conversation routed here is handed to that hub.
  std::optional<ExternalHub> external = {};
};

inline constexpr std::size_t kMaxDispositions = 50;
inline constexpr std::size_t kMaxDispositionLength = 32;

struct HubConfig {
  std::vector<QueueConfig> queues;  // in file order
  // Indexes into `queues`, in routing order: priority descending, then file order.
  std::vector<std::size_t> routing_order;
  std::size_t default_queue = 0;        // index into `queues`
  int missed_offers_before_away = 3;    // consecutive missed offers; 0 = never set away
  Millis default_handle_time{300'000};  // seeds the handle-time average of every queue
  std::optional<Millis> max_wrap_up;    // wrap-up is ended by the hub after this; nullopt = never
  // Agent affinity: a returning customer (same user id) is offered first to the agent who last
  // had them, if that agent can take it now, when that conversation left the agent (or was
  // assigned, while still with it) less than this long ago. nullopt = no affinity.
  std::optional<Millis> affinity_window;
  std::vector<Agent> agents;  // optional; registered (offline) when a Hub starts
  // Channel ids (e.g. "directline", "msteams") where a handoff may reach an agent; a handoff on
  // any other channel takes the bot's unsupported-channel path. nullopt = every channel.
  std::optional<std::vector<std::string>> live_chat_channels;
  // The notices the engagement sends the customer (joined, transferred, left, closed): hub.yaml's
  // top-level `texts`, per language.
  NoticeTexts texts = {};

  // Index of the queue called `name`, or nullopt.
  std::optional<std::size_t> find_queue(std::string_view name) const;
  // Whether `channel_id` supports live chat (live_chat_channels absent or listing it).
  bool live_chat_supported(std::string_view channel_id) const;
};

struct HubConfigResult {
  std::optional<HubConfig> config;  // set when there is no error (warnings allowed)
  bot::Diagnostics diagnostics;
};

// Loads a hub.yaml. Errors (file:line:col): YAML syntax, unknown keys, missing or mistyped fields,
// duplicate queue or agent ids, texts in unknown languages or with unknown placeholders, bad or
// duplicate dispositions (or disposition_required without
// any), bad expressions, unknown default or overflow queue, overflow
// cycles, bad time zones, times, dates, durations, strategies or roles, non-positive capacities;
// an external queue's bad url, a secret written inline (`secret:`: secrets live in files), a
// secret_file that cannot be read or whose first line is shorter than kMinExternalSecretLength,
// agent settings on an external queue, an overflow to or from one.
// Never throws, never crashes on any input bytes. Reads `path` and the external queues'
// secret files (relative paths from path's folder).
HubConfigResult load_hub_config(const std::filesystem::path& path);

// The same from text; `file_name` is used in diagnostics; relative secret files are read from
// `base_dir` (empty: the working directory).
HubConfigResult load_hub_config_from_string(std::string_view yaml, const std::string& file_name,
                                            const std::filesystem::path& base_dir = {});

// Normalises a skill list: lower-cases (ASCII), sorts, removes duplicates and empty entries.
std::vector<std::string> normalize_skills(std::vector<std::string> skills);

// True when `have` (normalised) contains every skill in `need` (normalised).
bool has_skills(const std::vector<std::string>& have, const std::vector<std::string>& need);

}  // namespace baton::hub
