#pragma once
// Retention: how long the server keeps what it stores, per kind, enforced by a background sweep
// (`baton serve --retain conversations=90d,uploads=30d,audit=400d`; docs/DEPLOY.md, "Data and
// privacy"). Without a policy for a kind, that kind is kept for ever.
//
//   conversations  a conversation closed, or with the bot, and not updated for longer than this
//                  is deleted with everything under it (activities, dialog snapshot, handoff
//                  records, event log) and its uploads. One a queue or an agent holds is never
//                  deleted, however old. The engine decides, at the moment of deleting, against
//                  what it holds then (Engine::expire_conversation).
//   uploads        files stored longer ago than this are deleted (their conversation stays).
//   handoffs       handoff records (the request with its context and transcript, the outcome with
//                  the agent's notes) ended and last updated longer ago than this are deleted;
//                  the conversation and its activities stay, and so do open handoffs. The engine
//                  deletes them in a write queued behind the conversation's
//                  (Engine::expire_handoffs).
//   audit          audit records older than this are deleted.
//
// The sweep works in small steps off the commit path: at most `batch` deletions per step, each
// conversation its own small write, audit records `batch` at a time, with a pause between steps,
// so turns never wait behind a long transaction. Deleted rows' pages are reused by later writes
// (SQLite's free list, PostgreSQL's vacuum), so a steady state of turns in and turns out stops the
// files from growing. After a sweep that deleted conversations or handoff records,
// `after_deletions` runs (serve compacts the hub's log there, so its copies of their handoff
// contexts go too).
//
// Threading: the sweep runs on a strand of the executor given (its store reads and file removals
// block that thread briefly). Public methods may be called from any thread.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "engine/engine.hpp"
#include "store/store.hpp"
#include "store/upload_files.hpp"

namespace baton::lifecycle {

struct RetentionPolicy {
  std::optional<Millis> conversations;
  std::optional<Millis> uploads;
  std::optional<Millis> audit;
  std::optional<Millis> handoffs = {};

  bool any() const { return conversations || uploads || audit || handoffs; }
  friend bool operator==(const RetentionPolicy&, const RetentionPolicy&) = default;
};

// "KIND=DURATION[,KIND=DURATION...]" with KIND conversations, uploads, handoffs or audit and a
// duration as parse_duration reads it ("90d", "12h", "30m"); at least one second. Errors:
// kInvalidArgument naming the part at fault (an unknown kind, a kind given twice, a bad duration).
Result<RetentionPolicy> parse_retention(std::string_view text);

struct RetentionOptions {
  Millis interval{std::chrono::hours(1)};  // from the end of one sweep to the start of the next
  std::size_t batch = 25;                  // deletions per step
  Millis pause{50};                        // between steps
};

// What one sweep did.
struct SweepResult {
  std::uint64_t conversations_examined = 0;
  std::uint64_t conversations_deleted = 0;
  std::uint64_t upload_files = 0;  // uploads deleted, by age or with their conversation
  std::uint64_t upload_bytes = 0;
  std::uint64_t audit_records = 0;
  std::uint64_t handoff_records = 0;
};

class Retention : public std::enable_shared_from_this<Retention> {
 public:
  // `store`, `engine`, `clock` must outlive the object; `uploads` may be null (no uploads kept).
  Retention(const boost::asio::any_io_executor& executor, store::Store& store,
            engine::Engine& engine, std::shared_ptr<store::UploadFiles> uploads, const Clock& clock,
            RetentionPolicy policy, RetentionOptions options = {},
            std::function<void()> after_deletions = {});

  // Sweeps now and then every `interval` until stop(). Nothing when the policy is empty.
  void start();
  // Cancels the timer; a sweep in progress stops after its current step. Idempotent.
  void stop();
  // One whole sweep now (for tests and `start`); `done` runs on the strand when it ended. A sweep
  // that meets a store error stops there and reports it (the next one starts over).
  void sweep(std::function<void(Result<SweepResult>)> done);

  const RetentionPolicy& policy() const { return policy_; }

 private:
  struct Run;
  void schedule(Millis after);
  void step_audit(const std::shared_ptr<Run>& run);
  void step_uploads(const std::shared_ptr<Run>& run);
  void step_conversations(const std::shared_ptr<Run>& run);
  void expire_next(const std::shared_ptr<Run>& run);
  void step_handoffs(const std::shared_ptr<Run>& run);
  void expire_handoffs_next(const std::shared_ptr<Run>& run);
  void later(const std::shared_ptr<Run>& run, void (Retention::*next)(const std::shared_ptr<Run>&));
  void finish(const std::shared_ptr<Run>& run, Result<SweepResult> result);

  boost::asio::any_io_executor strand_;
  store::Store& store_;
  engine::Engine& engine_;
  std::shared_ptr<store::UploadFiles> uploads_;
  const Clock& clock_;
  RetentionPolicy policy_;
  RetentionOptions options_;
  std::function<void()> after_deletions_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;  // on the strand
};

}  // namespace baton::lifecycle
