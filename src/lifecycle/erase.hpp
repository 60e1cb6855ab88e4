#pragma once
// A customer's erasure (what GDPR Art. 17 lets a customer ask for): every conversation whose user
// id is theirs is taken out of the hub whatever its state (Engagement::erase: a waiting customer's
// handoff is cancelled, an agent's conversation or wrap-up ends, the agent told), then erased by
// the engine (everything under it goes; its tombstone refuses the id and its old tokens; a
// connected customer's socket closes), then its uploaded files are removed; finally the hub's log
// is compacted (Engagement::compact), so its copies of the handoff contexts go too, and one audit
// record says who erased how much — never whose data it was (the customer's id is personal data
// too). Used by DELETE /api/agent/customers/{userId} and `baton data erase`.
//
// Once it answered, and once SQLite checkpointed its WAL (a clean stop does), the customer's text
// is in no file of the data directory. PostgreSQL's rows are gone at once; their bytes leave its
// files when it vacuums and recycles its WAL (docs/DEPLOY.md, "Data and privacy").
//
// Erasing again finds nothing and answers zero counts. An error (the store unavailable) stops the
// erasure where it was: what was erased stays erased, and running it again finishes it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "engagement/engagement.hpp"
#include "store/store.hpp"
#include "store/upload_files.hpp"

namespace baton::lifecycle {

struct ErasureSummary {
  std::uint64_t conversations = 0;
  std::uint64_t activities = 0;
  std::uint64_t handoffs = 0;
  store::UploadRemoval uploads;

  // {"conversations","activities","handoffs","uploads":{"files","bytes"}}
  boost::json::object to_json() const;
};

// Erases every conversation of `user_id` as `actor` (who must be an admin; kForbidden otherwise),
// then compacts the hub's log and appends the `customer.erase` audit record; `done` gets the
// summary. Store reads and file removals run on `io` (they block briefly); `uploads` may be null.
// Errors: kForbidden, kInvalidArgument (an empty user id), the store's (kUnavailable, kIo).
void erase_customer(const boost::asio::any_io_executor& io, store::Store& store,
                    engagement::Engagement& engagement, std::shared_ptr<store::UploadFiles> uploads,
                    const Clock& clock, engagement::Actor actor, std::string user_id,
                    std::function<void(Result<ErasureSummary>)> done);

}  // namespace baton::lifecycle
