#pragma once
// The engagement's edge with external hubs (hub.yaml queues with `external:`,
// docs/EXTERNAL_HUBS.md). The engagement decides what goes to an external hub and when; an
// ExternalHubSink (channels/externalhub) does the HTTP: signing, retries, order. What the external
// hub says comes back through Engagement::external_status / external_send, authenticated by the
// caller first.

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "hub/config.hpp"

namespace baton::engagement {

// Where a conversation of an external queue goes. The secret is the queue's (hub.yaml
// secret_file); never log it.
struct ExternalHubTarget {
  std::string queue = {};
  std::string url = {};
  std::string secret = {};
};

// The external hubs of `config`'s external queues (docs/EXTERNAL_HUBS.md), one per queue.
std::vector<ExternalHubTarget> external_hub_targets(const hub::HubConfig& config);

// Threading: called on the engagement's strand; must not block (queue and return). `done` may
// be called on any thread, once.
class ExternalHubSink {
 public:
  virtual ~ExternalHubSink() = default;
  // Sends the conversation's handoff.initiate event (the stored activity, as JSON) to the
  // target, retrying with backoff; done(true) once the hub answered 2xx, done(false) when every
  // attempt failed (the handoff then fails: the customer resumes with `unavailable`). A sink that
  // cannot send now (an offline `baton data` command) never calls it: the handoff stays waiting
  // and is sent again when Baton next serves.
  virtual void initiate(const ExternalHubTarget& target, const std::string& conversation,
                        boost::json::object initiate, std::function<void(bool)> done) = 0;
  // A customer's activity (stored, as JSON) while the external hub owns the conversation, or
  // Baton's endOfConversation notice when it took the conversation back (docs/EXTERNAL_HUBS.md);
  // sent in order per conversation, after the handoff.initiate, retried; a delivery that fails
  // every attempt is logged and counted.
  virtual void forward(const ExternalHubTarget& target, const std::string& conversation,
                       boost::json::object activity) = 0;
};

}  // namespace baton::engagement
