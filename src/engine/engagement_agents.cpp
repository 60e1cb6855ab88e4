// Agents and their consoles: sinks, the store's agents (refresh), disconnect grace, the hello
// and offer messages, the supervisor push, and start(): replay, agents, reconcile, Recover.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "core/json.hpp"
#include "engine/engagement_impl.hpp"
#include "hub/event_json.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

hub::Agent to_hub_agent(const store::AgentRecord& r) {
  hub::Agent a;
  a.id = r.id;
  a.display_name = r.display_name.empty() ? r.id : r.display_name;
  a.role = hub::parse_role(r.role).value_or(hub::Role::kAgent);
  a.skills = hub::normalize_skills(r.skills);
  a.capacity = std::max(1, r.capacity);
  return a;
}

bool same_routing(const hub::Agent& a, const hub::Agent& b) {
  return a.display_name == b.display_name && a.role == b.role && a.skills == b.skills &&
         a.capacity == b.capacity;
}

}  // namespace

void Engagement::Impl::push(const std::string& agent, const bj::object& message) {
  auto it = sinks.find(agent);
  if (it == sinks.end()) {
    return;
  }
  const std::vector<SinkEntry> copy = it->second;  // a sink may detach from inside push
  for (const auto& entry : copy) {
    entry.sink->push(message);
  }
}

void Engagement::Impl::push_supervisors() {
  if (!dirty) {
    return;
  }
  bool any = false;
  for (const auto& [agent, list] : sinks) {
    for (const auto& e : list) {
      any = any || supervisor(e.actor);
    }
  }
  if (!any) {
    return;
  }
  dirty = false;
  const TimePoint now = clock.now();
  bj::array queues;
  for (const auto& q : hub.queues(now)) {
    queues.push_back(queue_json(q));
  }
  bj::array agent_list;
  for (const auto& a : hub.agents(now)) {
    agent_list.push_back(agent_status_json(a));
  }
  bj::array conversations;
  for (const auto& c : hub.conversations(now)) {
    conversations.push_back(conversation_summary_json(c));
  }
  const bj::object message{{"type", "supervisor"},
                           {"queues", std::move(queues)},
                           {"agents", std::move(agent_list)},
                           {"conversations", std::move(conversations)}};
  for (const auto& [agent, list] : sinks) {
    const std::vector<SinkEntry> copy = list;
    for (const auto& e : copy) {
      if (supervisor(e.actor)) {
        e.sink->push(message);
      }
    }
  }
}

void Engagement::Impl::close_sinks(const std::string& agent, std::string_view reason) {
  auto it = sinks.find(agent);
  if (it == sinks.end()) {
    return;
  }
  std::vector<SinkEntry> list = std::move(it->second);
  sinks.erase(it);
  for (auto& e : list) {
    e.sink->closed(reason);
  }
  detached_at[agent] = clock.now();
}

std::string Engagement::Impl::display_name(const std::string& agent) const {
  auto it = agents.find(agent);
  return it == agents.end() || it->second.display_name.empty() ? agent : it->second.display_name;
}

bool Engagement::Impl::ensure_agent(const std::string& agent_id) {
  if (hub.agent(agent_id, clock.now())) {
    return true;
  }
  refresh_agents(false);
  return hub.agent(agent_id, clock.now()).has_value();
}

// Store agents → AgentRegistered / AgentRemoved. A hub.yaml agent removed from the store falls
// back to its hub.yaml facts. A changed password or a removal closes the agent's consoles.
void Engagement::Impl::refresh_agents(bool initial) {
  last_refresh = clock.now();
  auto listed = store.list_agents();
  if (!listed.ok()) {
    spdlog::warn("engagement: cannot read agents: {}", listed.error().message);
    return;
  }
  std::map<std::string, store::AgentRecord> now;
  for (auto& r : *listed) {
    now.emplace(r.id, std::move(r));
  }
  for (const auto& [id, record] : now) {
    const hub::Agent facts = to_hub_agent(record);
    auto before = store_agents.find(id);
    if (before != store_agents.end() && before->second.password_hash != record.password_hash) {
      close_sinks(id, "password_changed");
    }
    auto known = agents.find(id);
    if (initial || known == agents.end() || !same_routing(known->second, facts)) {
      agents[id] = facts;
      input(hub::AgentRegistered{facts});
    }
  }
  for (const auto& [id, record] : store_agents) {
    if (now.count(id) != 0) {
      continue;
    }
    close_sinks(id, "removed");
    const std::string& removed = id;  // a lambda may not capture a structured binding (clang 14)
    auto yaml = std::find_if(config->agents.begin(), config->agents.end(),
                             [&](const hub::Agent& a) { return a.id == removed; });
    if (yaml != config->agents.end()) {
      agents[id] = *yaml;
      input(hub::AgentRegistered{*yaml});
    } else {
      agents.erase(id);
      detached_at.erase(id);
      input(hub::AgentRemoved{id});
    }
  }
  store_agents = std::move(now);
}

void Engagement::Impl::check_grace() {
  const TimePoint now = clock.now();
  std::vector<std::string> expired;
  for (const auto& [agent, since] : detached_at) {
    if (now - since >= options.disconnect_grace) {
      expired.push_back(agent);
    }
  }
  for (const auto& agent : expired) {
    detached_at.erase(agent);
    if (sinks.count(agent) != 0) {
      continue;
    }
    auto view = hub.agent(agent, now);
    if (view && view->chosen != hub::Presence::kOffline) {
      input(hub::PresenceSet{agent, hub::Presence::kOffline});
    }
  }
}

bj::object Engagement::Impl::offer_json(const hub::Offered& offer) {
  auto view = hub.conversation(offer.conversation, clock.now());
  Track& t = info(offer.conversation);
  return {{"type", "offer"},
          {"conversationId", offer.conversation},
          {"offerId", offer.offer_id},
          {"expiresAt", format_iso8601(offer.expires_at)},
          {"queue", offer.queue},
          {"transfer", offer.transfer},
          {"reason", view ? view->reason : std::string()},
          {"waitedMs", view ? view->waited.count() : 0},
          {"agentMessage", t.agent_message},
          {"note", view ? view->transfer_note : std::string()}};
}

bj::object Engagement::Impl::hello(const Actor& actor) {
  const TimePoint now = clock.now();
  bj::object message{{"type", "hello"}};
  auto known = agents.find(actor.agent_id);
  message["agent"] =
      known != agents.end()
          ? agent_json(known->second)
          : agent_json(hub::Agent{actor.agent_id, actor.agent_id, actor.role, {}, 1});
  auto view = hub.agent(actor.agent_id, now);
  message["presence"] = hub::to_string(view ? view->presence : hub::Presence::kOffline);
  bj::array offers;
  for (const auto& d : hub.pending_offers()) {
    if (const auto* o = std::get_if<hub::Offered>(&d); o != nullptr && o->agent == actor.agent_id) {
      bj::object offer = offer_json(*o);
      offer.erase("type");
      offers.push_back(std::move(offer));
    }
  }
  message["offers"] = std::move(offers);
  bj::array conversations;
  for (const auto& c : hub.conversations(now)) {
    if (c.agent == actor.agent_id || c.offered_to == actor.agent_id) {
      conversations.push_back(conversation_summary_json(c));
    }
  }
  message["conversations"] = std::move(conversations);
  // Transfer targets, so an agent without supervisor views can pick one.
  bj::array queues;
  for (const auto& q : config->queues) {
    queues.push_back(bj::value(q.name));
  }
  message["queues"] = std::move(queues);
  bj::array others;
  for (const auto& a : hub.agents(now)) {
    if (a.id != actor.agent_id) {
      others.push_back(bj::object{
          {"id", a.id}, {"displayName", a.display_name}, {"presence", hub::to_string(a.presence)}});
    }
  }
  message["agents"] = std::move(others);
  return message;
}

void Engagement::Impl::replay() {
  std::uint64_t after = 0;
  std::size_t applied = 0;
  while (true) {
    auto page = store.read_hub_log(after, store::kMaxPageSize);
    if (!page.ok()) {
      spdlog::error("engagement: reading the hub log: {}", page.error().message);
      return;
    }
    if (page->empty()) {
      break;
    }
    for (const auto& record : *page) {
      after = record.position;
      auto parsed = json::parse(record.json);
      auto input_value =
          parsed.ok() ? hub::input_from_json(*parsed) : Result<hub::Input>(parsed.error());
      if (!input_value.ok()) {
        spdlog::warn("engagement: hub log #{} unreadable: {}", record.position,
                     input_value.error().message);
        continue;
      }
      if (auto r = hub.apply(*input_value); !r.ok()) {
        spdlog::warn("engagement: hub log #{} no longer applies: {}", record.position,
                     r.error().message);
        continue;
      }
      ++applied;
    }
  }
  if (applied > 0) {
    spdlog::info("engagement: replayed {} hub inputs", applied);
  }
}

// The engine's open handoffs vs the hub's conversations (see engagement.hpp).
void Engagement::Impl::reconcile() {
  std::set<std::string> engine_open;
  std::string after;
  while (true) {
    auto page = store.list_conversations(after, store::kMaxPageSize, true);
    if (!page.ok() || page->empty()) {
      break;
    }
    for (const auto& row : *page) {
      after = row.id;
      const Owner owner = parse_owner(row.ownership).value_or(Owner::kBot);
      Track& t = tracks[row.id];
      t.owner = {owner, row.epoch};
      t.known = true;
      if (owner == Owner::kQueued || owner == Owner::kOffered || owner == Owner::kAgent) {
        engine_open.insert(row.id);
      }
    }
  }
  const TimePoint now = clock.now();
  for (const auto& view : hub.conversations(now)) {
    if (engine_open.count(view.id) != 0 || view.state == hub::ConversationState::kWrapUp) {
      continue;
    }
    if (view.state == hub::ConversationState::kAssigned) {
      input(hub::ConversationEnded{view.id, view.agent});
      input(hub::WrapUpDone{view.id, view.agent});
    } else {
      input(hub::HandoffCancelled{view.id});
    }
  }
  for (const auto& id : engine_open) {
    auto view = hub.conversation(id, now);
    if (view && view->state == hub::ConversationState::kWrapUp) {
      to_bot(id, dialog::HandoffOutcome::kCompleted,
             HandoffEnd{view->agent, ""});  // ended before the crash
      continue;
    }
    if (view) {
      sync(id);
      continue;
    }
    auto records = store.handoffs_for_conversation(id);
    if (!records.ok()) {
      continue;
    }
    for (const auto& r : *records) {
      if (r.open()) {
        const Owner owner = tracks[id].owner.owner;
        if (owner == Owner::kOffered) {
          move(id, OwnershipEvent::kDeclined);
        } else if (owner == Owner::kAgent) {
          move(id, OwnershipEvent::kRequeued);
        }
        submit_from_record(r);
        break;
      }
    }
  }
}

void Engagement::Impl::start(const Callback<bool>& done) {
  if (started) {
    done(true);
    return;
  }
  replay();
  refresh_agents(true);
  reconcile();
  update_online();
  started = true;
  const TimePoint now = clock.now();
  for (const auto& a : hub.agents(now)) {
    if (a.chosen != hub::Presence::kOffline && sinks.count(a.id) == 0) {
      detached_at[a.id] = now;  // reconnect within the grace or go offline
    }
    for (const auto& c : a.conversations) {
      ensure_view(c, a.id);
    }
  }
  input(hub::Recover{}, [done](const Result<hub::Decisions>& r) {
    if (r.ok()) {
      done(true);
    } else {
      done(r.error());
    }
  });
  schedule_tick();
}

// --- public API

void Engagement::me(const Actor& actor, Callback<bj::object> done) {
  auto impl = impl_;
  boost::asio::post(impl->executor, [impl, actor, done = std::move(done)] {
    if (!impl->ensure_agent(actor.agent_id)) {
      done(make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", actor.agent_id)));
      return;
    }
    bj::object body = impl->hello(actor);
    body.erase("type");
    done(std::move(body));
  });
}

void Engagement::attach(const Actor& actor, std::shared_ptr<AgentSink> sink,
                        Callback<std::uint64_t> done) {
  auto impl = impl_;
  boost::asio::post(impl->executor, [impl, actor, sink = std::move(sink), done = std::move(done)] {
    if (impl->stopped) {
      done(make_error(ErrorCode::kUnavailable, "the engagement hub is stopped"));
      return;
    }
    if (!impl->ensure_agent(actor.agent_id)) {
      done(make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", actor.agent_id)));
      return;
    }
    const std::uint64_t id = impl->next_sink++;
    sink->push(impl->hello(actor));
    impl->sinks[actor.agent_id].push_back({id, actor, sink});
    impl->detached_at.erase(actor.agent_id);
    impl->dirty = true;
    done(id);
  });
}

void Engagement::detach(const std::string& agent_id, std::uint64_t attachment) {
  auto impl = impl_;
  boost::asio::post(impl->executor, [impl, agent_id, attachment] {
    auto it = impl->sinks.find(agent_id);
    if (it == impl->sinks.end()) {
      return;
    }
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const SinkEntry& e) { return e.id == attachment; }),
               list.end());
    if (list.empty()) {
      impl->sinks.erase(it);
      impl->detached_at[agent_id] = impl->clock.now();
    }
  });
}

}  // namespace baton::engine
