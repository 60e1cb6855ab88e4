#include "lifecycle/erase.hpp"

#include <boost/asio/post.hpp>
#include <vector>

#include "core/json.hpp"

namespace baton::lifecycle {
namespace {

namespace bj = boost::json;

// One erasure in progress: the customer's conversations, erased one after another, and what went
// with them.
struct Erasure {
  boost::asio::any_io_executor io;
  store::Store* store = nullptr;
  engagement::Engagement* engagement = nullptr;
  std::shared_ptr<store::UploadFiles> uploads;
  const Clock* clock = nullptr;
  engagement::Actor actor;
  std::vector<std::string> conversations;
  std::size_t next = 0;
  ErasureSummary summary;
  std::function<void(Result<ErasureSummary>)> done;
};

// Every conversation id of `user_id` (all pages).
Result<std::vector<std::string>> conversation_ids(store::Store& store, const std::string& user_id) {
  std::vector<std::string> ids;
  while (true) {
    auto page =
        store.conversations_of_user(user_id, ids.empty() ? "" : ids.back(), store::kMaxPageSize);
    if (!page.ok()) {
      return page.error();
    }
    if (page->empty()) {
      return ids;
    }
    for (const auto& row : *page) {
      ids.push_back(row.id);
    }
  }
}

void finish(const std::shared_ptr<Erasure>& erasure) {
  // The hub's log goes last: its copies of the erased handoffs' contexts leave with it.
  erasure->engagement->compact([erasure](const Result<bool>& compacted) {
    if (!compacted.ok()) {
      erasure->done(compacted.error());
      return;
    }
    store::AuditRecord record;
    record.time = erasure->clock->now();
    record.actor = erasure->actor.agent_id;
    record.action = "customer.erase";
    record.detail_json = json::dump(erasure->summary.to_json());
    auto audited = [erasure](const Status& s) {
      if (!s.ok()) {
        erasure->done(s.error());
        return;
      }
      erasure->done(erasure->summary);
    };
    if (Status accepted =
            erasure->store->submit(std::move(store::WriteBatch().append_audit(record)), audited);
        !accepted.ok()) {
      erasure->done(accepted.error());
    }
  });
}

// On `io`: the next conversation's handoffs are counted, the engagement takes it out of the hub
// and the engine erases it, then its uploads go.
void erase_next(const std::shared_ptr<Erasure>& erasure) {
  if (erasure->next == erasure->conversations.size()) {
    finish(erasure);
    return;
  }
  const std::string id = erasure->conversations[erasure->next];
  auto handoffs = erasure->store->handoffs_for_conversation(id);
  if (!handoffs.ok()) {
    erasure->done(handoffs.error());
    return;
  }
  const auto handoff_count = static_cast<std::uint64_t>(handoffs->size());
  erasure->engagement->erase(
      erasure->actor, id,
      [erasure, id, handoff_count](const Result<engine::ErasedConversation>& erased) {
        if (!erased.ok()) {
          erasure->done(erased.error());
          return;
        }
        erasure->summary.conversations += 1;
        erasure->summary.activities += erased->activities;
        erasure->summary.handoffs += handoff_count;
        boost::asio::post(erasure->io, [erasure, id] {
          if (erasure->uploads) {
            auto removed = erasure->uploads->remove_conversation(id);
            if (!removed.ok()) {
              erasure->done(removed.error());
              return;
            }
            erasure->summary.uploads.files += removed->files;
            erasure->summary.uploads.bytes += removed->bytes;
          }
          ++erasure->next;
          erase_next(erasure);
        });
      });
}

}  // namespace

bj::object ErasureSummary::to_json() const {
  return bj::object{{"conversations", conversations},
                    {"activities", activities},
                    {"handoffs", handoffs},
                    {"uploads", bj::object{{"files", uploads.files}, {"bytes", uploads.bytes}}}};
}

void erase_customer(const boost::asio::any_io_executor& io, store::Store& store,
                    engagement::Engagement& engagement, std::shared_ptr<store::UploadFiles> uploads,
                    const Clock& clock, engagement::Actor actor, std::string user_id,
                    std::function<void(Result<ErasureSummary>)> done) {
  if (actor.role != hub::Role::kAdmin) {
    done(make_error(ErrorCode::kForbidden, "only admins may erase a customer's data"));
    return;
  }
  if (user_id.empty()) {
    done(make_error(ErrorCode::kInvalidArgument, "the user id must not be empty"));
    return;
  }
  auto erasure = std::make_shared<Erasure>();
  erasure->io = io;
  erasure->store = &store;
  erasure->engagement = &engagement;
  erasure->uploads = std::move(uploads);
  erasure->clock = &clock;
  erasure->actor = std::move(actor);
  erasure->done = std::move(done);
  boost::asio::post(io, [erasure, user_id = std::move(user_id)] {
    auto ids = conversation_ids(*erasure->store, user_id);
    if (!ids.ok()) {
      erasure->done(ids.error());
      return;
    }
    erasure->conversations = std::move(*ids);
    erase_next(erasure);
  });
}

}  // namespace baton::lifecycle
