#pragma once
// Internal to src/channels/agent: the channel's shared state and the helpers its handler files
// (agent.cpp, sessions.cpp, conversations.cpp, supervisor.cpp, stream.cpp) use.

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analytics/summary.hpp"
#include "channels/agent/agent.hpp"
#include "channels/agent/render.hpp"
#include "channels/agent/session.hpp"
#include "channels/agent/stream_tickets.hpp"
#include "server/handler.hpp"
#include "server/http.hpp"
#include "server/rate_limiter.hpp"
#include "server/websocket_session.hpp"
#include "store/upload_files.hpp"

namespace baton::agent {

// An authenticated caller: who (for the Engagement), its session, and its stored record.
struct Session {
  engagement::Actor actor;
  SessionClaims claims;
  store::AgentRecord agent;
  bool supervisor() const { return actor.role != hub::Role::kAgent; }
};

struct AgentChannel::Impl {
  Impl(engagement::Engagement& engagement_ref, store::Store& store_ref, const Clock& clock_ref,
       boost::asio::any_io_executor io_executor, AgentChannelOptions options_value);
  ~Impl();

  // Authorization: Bearer <token> (or `token` itself for the WebSocket). Errors: kUnauthorized
  // (missing, forged, expired, revoked, agent removed, password changed), kUnavailable (store).
  Result<Session> authenticate(const server::Request& request) const;
  Result<Session> authenticate_token(std::string_view token) const;
  // authenticate(), then the JSON object body; the refusal as a Response otherwise.
  Result<Session> admit(const server::Request& request, boost::json::object* body) const;

  // Appends one audit record; `done` runs on the store's writer thread (or at once when the
  // store refused the batch) with the outcome.
  void audit(const std::string& actor, std::string action, std::string conversation_id,
             boost::json::object detail, std::function<void(Status)> done) const;
  // Records a failed login (`login.failed`: the id as typed and the client's address), then
  // answers the same 401 as for every bad credential.
  void audit_failed_login(const std::string& agent_id, const std::string& address,
                          server::Responder responder);

  // The body of GET me: Engagement::me with "agent" from the store. Answers on the engine strand.
  void hello(const Session& session, engagement::Callback<boost::json::object> done);

  // Stream bookkeeping for logout: sockets opened with a session, closed when it is revoked.
  void track_socket(const SessionId& session, const std::shared_ptr<server::WebSocketSession>& s);
  void close_sockets(const SessionId& session, std::string_view reason);

  // Handlers (files named in the header comment).
  void login(const server::Request& request, server::Responder responder);
  void logout(const server::Request& request, server::Responder responder);
  void me(const server::Request& request, server::Responder responder);
  void set_presence(const server::Request& request, server::Responder responder);
  void answer_offer(const server::Request& request, server::Responder responder, bool accept);
  void list_conversations(const server::Request& request, server::Responder responder);
  void conversation_detail(const server::Request& request, server::Responder responder);
  // The transcript read that follows Engagement::access (blocking store reads).
  Result<boost::json::object> read_detail(const std::string& id,
                                          Result<engagement::ConversationAccess> access) const;
  void send_message(const server::Request& request, server::Responder responder, bool typing);
  void add_note(const server::Request& request, server::Responder responder);
  void transfer(const server::Request& request, server::Responder responder);
  void end(const server::Request& request, server::Responder responder);
  void wrap_up(const server::Request& request, server::Responder responder);
  void force_close(const server::Request& request, server::Responder responder);
  void supervisor_view(const server::Request& request, server::Responder responder);
  // intervene.cpp: admit(), then 403 unless a supervisor or admin.
  Result<Session> admit_supervisor(const server::Request& request, boost::json::object* body) const;
  void audited(const std::string& actor, const char* action, const std::string& conversation,
               boost::json::object detail, boost::json::object body, server::Responder responder);
  void intervene_message(const server::Request& request, server::Responder responder, bool barge);
  void take_over(const server::Request& request, server::Responder responder);
  void assign(const server::Request& request, server::Responder responder);
  // agents.cpp: agent management.
  Result<Session> admit_agent_admin(const server::Request& request,
                                    boost::json::object* body) const;
  // An admin's request about the agent in the path: {the admin's id, the agent's id}, or 401/403
  // as admit_agent_admin, 400 for an id outside the agent id alphabet.
  struct AdminOnAgent {
    std::string actor;
    std::string id;
  };
  Result<AdminOnAgent> admit_admin_on_agent(const server::Request& request,
                                            boost::json::object* body) const;
  // Writes `batch` (blocking: call on the password pool), re-reads the engagement's agents and
  // answers `answer` (204 when empty), or the store's error.
  void change_agents(store::WriteBatch batch, boost::json::object answer,
                     const server::Responder& responder);
  void list_agents(const server::Request& request, server::Responder responder);
  void add_agent(const server::Request& request, server::Responder responder);
  void update_agent(const server::Request& request, server::Responder responder);
  void reset_password(const server::Request& request, server::Responder responder);
  void remove_agent(const server::Request& request, server::Responder responder);
  // POST /agents/{id}/disable and /enable: 409 for the caller itself (disable), audited.
  void set_agent_disabled(const server::Request& request, server::Responder responder,
                          bool disabled);
  void set_agent_presence(const server::Request& request, server::Responder responder);
  server::Response audit_log(const server::Request& request);
  // The customers/{userId} routes' preamble: an admin's session and the path's user id.
  Result<std::pair<Session, std::string>> admit_admin(const server::Request& request,
                                                      std::string_view verb) const;
  void export_customer(const server::Request& request, server::Responder responder);
  void erase_customer(const server::Request& request, server::Responder responder);
  // analytics.cpp: a supervisor's or admin's session and the query string's range and filters.
  Result<analytics::Query> admit_analyst(const server::Request& request) const;
  // admit_analyst, then `read` on the I/O pool (store reads block), whose response is the answer.
  void answer_analytics(const server::Request& request, server::Responder responder,
                        std::function<server::Response(const analytics::Query&)> read);
  void analytics_summary(const server::Request& request, server::Responder responder);
  void analytics_series(const server::Request& request, server::Responder responder);
  void analytics_sessions_csv(const server::Request& request, server::Responder responder);
  // canned.cpp: GET (agents: global and their queues'; supervisors: all), POST, PUT, DELETE
  // (supervisors and admins; audited).
  void list_canned(const server::Request& request, const server::Responder& responder);
  void create_canned(const server::Request& request, const server::Responder& responder);
  void update_canned(const server::Request& request, const server::Responder& responder);
  void delete_canned(const server::Request& request, const server::Responder& responder);
  // files.cpp: POST conversations/{id}/files (the owner only; stored like a Direct Line upload).
  void send_file(const server::Request& request, server::Responder responder);
  // "<public URL>/v3/directline/conversations/": the prefix of every contentUrl of this server's
  // uploads ("" until the public URL is set).
  std::string files_base() const;
  // history.cpp: a customer's previous conversations, one of them read-only, the search.
  void customer_history(const server::Request& request, server::Responder responder);
  Result<boost::json::object> read_history(const std::string& id) const;  // blocking reads
  void open_history(const server::Request& request, server::Responder responder);
  // Reads the transcript (blocking), audits `history.read`, then answers.
  void send_history(const std::string& actor, const store::Conversation& row,
                    std::vector<store::HandoffRecord> handoffs,
                    const std::optional<std::string>& via, const server::Responder& responder);
  void search(const server::Request& request, server::Responder responder);
  server::WebSocketDecision open_stream(const server::Request& request);
  void stream_ticket(const server::Request& request, const server::Responder& responder);
  // Whether a WebSocket upgrade's Origin (a browser page's) may open the stream.
  bool origin_allowed(const server::Request& request) const;

  engagement::Engagement& engagement;
  store::Store& store;
  const Clock& clock;
  boost::asio::any_io_executor io;
  AgentChannelOptions options;
  SessionSigner signer;
  StreamTickets tickets;
  server::RateLimiter agent_limiter;
  server::RateLimiter address_limiter;
  // One thread for password hashing/verification: bounds Argon2id's memory to one at a time.
  boost::asio::thread_pool password_pool{1};

  mutable std::mutex mutex;
  mutable std::unordered_set<std::string> revoked;  // session hex ids known to be revoked
  std::unordered_map<std::string, std::vector<std::weak_ptr<server::WebSocketSession>>> sockets;
  std::string dummy_hash;  // verified against for unknown ids (password pool only)
};

// The meta key under which a revoked session is stored.
std::string revoked_key(const SessionId& session);

// Responses shared by the handler files.
server::Response ok_json(const boost::json::value& value);
server::Response no_content();

// An engagement::Callback<T> that answers `responder`: the error as error_response(), or
// `render(value)` as the 200 body.
template <class T, class Render>
engagement::Callback<T> answer(server::Responder responder, Render render) {
  return [responder = std::move(responder), render = std::move(render)](Result<T> r) mutable {
    if (!r.ok()) {
      responder.send(error_response(r.error()));
      return;
    }
    responder.send(ok_json(render(*r)));
  };
}

}  // namespace baton::agent
