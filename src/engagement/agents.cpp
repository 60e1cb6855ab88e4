// The agents: their registry (hub.yaml, then the store's, re-read every agent_refresh), their
// consoles (sinks), the disconnect grace, what a console is told first (Hello) and of an offer,
// and the supervisors' view.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

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

void Engagement::Impl::push(const std::string& agent, const AgentEvent& event) {
  auto it = sinks.find(agent);
  if (it == sinks.end()) {
    return;
  }
  const std::vector<detail::SinkEntry> copy = it->second;  // a sink may detach from inside push
  for (const auto& entry : copy) {
    entry.sink->push(event);
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
  const AgentEvent view =
      SupervisorView{hub->queues(now), hub->agents(now), hub->conversations(now)};
  for (const auto& [agent, list] : sinks) {
    const std::vector<detail::SinkEntry> copy = list;
    for (const auto& e : copy) {
      if (supervisor(e.actor)) {
        e.sink->push(view);
      }
    }
  }
}

void Engagement::Impl::close_sinks(const std::string& agent, std::string_view reason) {
  auto it = sinks.find(agent);
  if (it == sinks.end()) {
    return;
  }
  std::vector<detail::SinkEntry> list = std::move(it->second);
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
  if (hub->agent(agent_id, clock.now())) {
    return true;
  }
  refresh_agents(false);
  return hub->agent(agent_id, clock.now()).has_value();
}

// Store agents → AgentRegistered / AgentRemoved (at start, hub.yaml's agents too). A hub.yaml
// agent removed from the store falls back to its hub.yaml facts. A changed password or a removal
// closes the agent's consoles. A disabled agent leaves the hub (even one hub.yaml lists): its
// consoles close, its offers go to others, its conversations back to their queues.
void Engagement::Impl::refresh_agents(bool initial) {
  last_refresh = clock.now();
  auto listed = store.list_agents();
  if (!listed.ok()) {
    spdlog::warn("engagement: cannot read agents: {}", listed.error().message);
    return;
  }
  std::map<std::string, store::AgentRecord> now;
  std::set<std::string> disabled;
  for (auto& r : *listed) {
    if (r.disabled) {
      disabled.insert(r.id);
    } else {
      now.emplace(r.id, std::move(r));
    }
  }
  for (const std::string& id : disabled) {
    if (agents.count(id) != 0 || hub->agent(id, clock.now()).has_value()) {
      close_sinks(id, "disabled");
      agents.erase(id);
      detached_at.erase(id);
      input(hub::AgentRemoved{id});
    }
  }
  if (initial) {
    // hub.yaml's agents as the file says now: a restored snapshot holds the facts they had when
    // it was taken (the store's agents are registered below in any case).
    for (const hub::Agent& yaml : config->agents) {
      if (now.count(yaml.id) == 0 && disabled.count(yaml.id) == 0) {
        agents[yaml.id] = yaml;
        input(hub::AgentRegistered{yaml});
      }
    }
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
    if (now.count(id) != 0 || disabled.count(id) != 0) {
      continue;  // still there, or disabled (left the hub above)
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
    auto view = hub->agent(agent, now);
    if (view && view->chosen != hub::Presence::kOffline) {
      input(hub::PresenceSet{agent, hub::Presence::kOffline});
    }
  }
}

Offer Engagement::Impl::offer(const hub::Offered& offered) {
  auto view = hub->conversation(offered.conversation, clock.now());
  detail::Track& t = info(offered.conversation);
  Offer o;
  o.conversation = offered.conversation;
  o.offer_id = offered.offer_id;
  o.expires_at = offered.expires_at;
  o.queue = offered.queue;
  o.transfer = offered.transfer;
  o.agent_message = t.agent_message;
  if (view) {
    o.reason = view->reason;
    o.waited = view->waited;
    o.note = view->transfer_note;
  }
  return o;
}

Hello Engagement::Impl::hello(const Actor& actor) {
  const TimePoint now = clock.now();
  Hello h;
  auto known = agents.find(actor.agent_id);
  h.agent = known != agents.end() ? known->second
                                  : hub::Agent{actor.agent_id, actor.agent_id, actor.role, {}, 1};
  auto view = hub->agent(actor.agent_id, now);
  h.presence = view ? view->presence : hub::Presence::kOffline;
  for (const auto& d : hub->pending_offers()) {
    if (const auto* o = std::get_if<hub::Offered>(&d); o != nullptr && o->agent == actor.agent_id) {
      h.offers.push_back(offer(*o));
    }
  }
  for (auto& c : hub->conversations(now)) {
    if (c.agent == actor.agent_id || c.offered_to == actor.agent_id) {
      h.conversations.push_back(std::move(c));
    }
  }
  // Transfer targets, so an agent without supervisor views can pick one.
  for (const auto& q : config->queues) {
    h.queues.push_back(q.name);
  }
  for (const auto& a : hub->agents(now)) {
    if (a.id != actor.agent_id) {
      h.agents.push_back({a.id, a.display_name, a.presence});
    }
  }
  return h;
}

}  // namespace baton::engagement
