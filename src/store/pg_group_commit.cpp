// The PostgreSQL store's group commit: one transaction for a group of batches, every statement
// sent through one libpq pipeline; a batch that fails is left out of what commits, either by its
// own SAVEPOINT or by replaying the group without it (PgOptions::savepoints).
//
// The group goes out as BEGIN, then per batch SAVEPOINT / its ops / RELEASE, then COMMIT, in
// chunks of at most kMaxInFlight statements each ended by a Sync (inside the explicit transaction a
// Sync commits nothing; it makes the server answer). Bounding the unread results keeps them within
// the socket buffers, so neither side can block writing while the other is not reading. When an op
// breaks a constraint the server skips everything after it up to the Sync (libpq reports those
// statements as PIPELINE_ABORTED, including a COMMIT) and the transaction stays open in the
// aborted state; the writer then sends ROLLBACK TO and RELEASE of the failed batch's savepoint and
// sends again the batches after it, or, without savepoints, ROLLBACK, BEGIN and the whole group
// again without the failed batch. The replay is deterministic because this connection is the only
// writer of everything but `agents`: a batch that succeeded once succeeds again unless another
// process changed an agent meanwhile, and then it fails on its own like any other batch.
#include <fmt/format.h>

#include <chrono>
#include <deque>

#include "store/encoding.hpp"
#include "store/pg_statements.hpp"
#include "store/pg_store_impl.hpp"

namespace baton::store::pg {
namespace {

constexpr std::size_t kMaxInFlight = 256;

// A commit this long shows in every latency figure: counted in StoreStats::slow_transactions.
constexpr std::uint64_t kSlowTransactionUs = 50'000;

enum class Step { kBegin, kSavepoint, kOp, kRelease, kRollbackTo, kRollback, kCommit };

// A statement sent and not yet answered.
struct Sent {
  Step step = Step::kBegin;
  std::size_t batch = 0;
  std::size_t op = 0;
};

std::int64_t steady_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One group's transaction on the writer connection. run() is called once.
class GroupTransaction {
 public:
  GroupTransaction(PGconn* conn, const std::vector<const WriteBatch*>& batches,
                   std::vector<Status>& outcomes, bool savepoints)
      : conn_(conn), batches_(batches), outcomes_(outcomes), savepoints_(savepoints) {}

  // True when the transaction committed: `outcomes` then holds ok or each failed batch's own
  // error. False: failure() says why nothing (or perhaps everything) was applied.
  bool run() {
    if (!send_control(Step::kBegin, kBegin, 0)) {
      return false;
    }
    for (;;) {
      skip_failed();
      while (in_flight_.size() < kMaxInFlight && cursor_batch_ < batches_.size()) {
        if (!send_next()) {
          return false;
        }
        skip_failed();
      }
      if (cursor_batch_ == batches_.size()) {
        if (!send_control(Step::kCommit, kCommit, 0)) {
          return false;
        }
        commit_sent_ = true;
      }
      if (!sync() || !read_in_flight()) {
        return false;
      }
      if (!read_sync()) {
        return committed_;  // a committed group stays committed; the next one meets the failure
      }
      if (failed_batch_) {
        if (!recover()) {
          return false;
        }
        continue;
      }
      if (committed_) {
        return true;
      }
    }
  }

  const Failure& failure() const { return failure_; }
  // The connection broke while the COMMIT was outstanding: the group may have been applied.
  bool maybe_committed() const { return maybe_committed_; }

 private:
  bool send(const Sent& sent, const char* statement, const Params& params) {
    if (PQsendQueryPrepared(conn_, statement, params.count(), params.values(), params.lengths(),
                            params.formats(), 0) != 1) {
      return lost(nullptr, sent);
    }
    in_flight_.push_back(sent);
    return true;
  }

  bool send_control(Step step, const char* statement, std::size_t batch) {
    return send(Sent{step, batch, 0}, statement, Params());
  }

  // Moves the cursor past batches that already failed (replays leave them out).
  void skip_failed() {
    while (cursor_step_ == 0 && cursor_batch_ < batches_.size() && !outcomes_[cursor_batch_].ok()) {
      ++cursor_batch_;
    }
  }

  // Sends the statement at the cursor and advances it: SAVEPOINT (with savepoints), the ops,
  // RELEASE (with savepoints).
  bool send_next() {
    const WriteBatch& batch = *batches_[cursor_batch_];
    const std::size_t first_op = savepoints_ ? 1 : 0;
    const std::size_t step = cursor_step_++;
    if (savepoints_ && step == 0) {
      return send_control(Step::kSavepoint, kSavepoint, cursor_batch_);
    }
    const std::size_t batch_index = cursor_batch_;
    if (step - first_op + 1 >= batch.size() + (savepoints_ ? 1 : 0)) {
      ++cursor_batch_;  // the batch's last statement
      cursor_step_ = 0;
    }
    if (step - first_op < batch.size()) {
      const std::size_t op = step - first_op;
      OpCall call = encode_op(batch.ops()[op]);
      return send(Sent{Step::kOp, batch_index, op}, call.statement, call.params);
    }
    return send_control(Step::kRelease, kRelease, batch_index);
  }

  bool sync() {
    if (PQpipelineSync(conn_) != 1 || PQflush(conn_) != 0) {
      return lost(nullptr, Sent{Step::kCommit});
    }
    return true;
  }

  std::string describe(const Sent& sent) const {
    switch (sent.step) {
      case Step::kOp:
        return describe_op(batches_[sent.batch]->ops()[sent.op]);
      case Step::kBegin:
        return "BEGIN";
      case Step::kCommit:
        return "COMMIT";
      default:
        return "transaction control";
    }
  }

  // Reads the results of every statement in flight, in order.
  bool read_in_flight() {
    while (!in_flight_.empty()) {
      const Sent sent = in_flight_.front();
      in_flight_.pop_front();
      PgResult result(PQgetResult(conn_));
      if (!result || PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) {
        return lost(result.get(), sent);
      }
      PgResult end(PQgetResult(conn_));  // the NULL that ends each statement's results
      const ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        committed_ = committed_ || sent.step == Step::kCommit;
        continue;
      }
      if (status == PGRES_PIPELINE_ABORTED) {
        continue;  // skipped after an earlier error: not executed
      }
      Failure f = classify(result.get(), conn_, describe(sent));
      if (f.kind == FailureKind::kBatch && sent.step == Step::kOp && !failed_batch_) {
        outcomes_[sent.batch] = f.error;
        failed_batch_ = sent.batch;
        continue;
      }
      if (f.kind == FailureKind::kBatch) {
        f.kind = FailureKind::kPermanent;  // transaction control itself failed
        f.error.code = ErrorCode::kIo;
      }
      return fail(std::move(f), sent);
    }
    return true;
  }

  bool read_sync() {
    PgResult result(PQgetResult(conn_));
    if (!result || PQresultStatus(result.get()) != PGRES_PIPELINE_SYNC) {
      return lost(result.get(), Sent{});
    }
    return true;
  }

  // After a batch-local failure (the Sync that ended the chunk also ended the pipeline's aborted
  // state). With savepoints: undo the failed batch alone and go on with the batches after it.
  // Without: roll the whole transaction back and send the group again without the failed batch
  // (and any other that failed before); the batches that had succeeded are applied again. A COMMIT
  // sent in the same chunk was skipped either way, so nothing is committed yet.
  bool recover() {
    commit_sent_ = false;
    const std::size_t failed = *failed_batch_;
    failed_batch_.reset();
    if (savepoints_) {
      if (!send_control(Step::kRollbackTo, kRollbackTo, failed) ||
          !send_control(Step::kRelease, kRelease, failed)) {
        return false;
      }
      cursor_batch_ = failed + 1;
    } else {
      if (!send_control(Step::kRollback, kRollback, failed) ||
          !send_control(Step::kBegin, kBegin, failed)) {
        return false;
      }
      cursor_batch_ = 0;
    }
    cursor_step_ = 0;
    return true;
  }

  // The transaction failed on `sent` with `result` (or without a result: the connection broke).
  bool lost(const PGresult* result, const Sent& sent) {
    return fail(classify(result, conn_, describe(sent)), sent);
  }

  bool fail(Failure f, const Sent& sent) {
    // Proof that the COMMIT did not run: it was never sent, or the server itself reported the
    // failure of a statement before it (the rest of the pipeline is then skipped).
    const bool known_not_applied = !commit_sent_ || (f.from_server && sent.step != Step::kCommit);
    maybe_committed_ = !known_not_applied;
    failure_ = std::move(f);
    return false;
  }

  PGconn* conn_;
  const std::vector<const WriteBatch*>& batches_;
  std::vector<Status>& outcomes_;
  std::deque<Sent> in_flight_;
  std::size_t cursor_batch_ = 0;             // the next statement to send: batch and step within it
  std::size_t cursor_step_ = 0;              // 0 = SAVEPOINT, 1..size = ops, size + 1 = RELEASE
  std::optional<std::size_t> failed_batch_;  // a batch-local failure waiting for recover()
  const bool savepoints_;                    // a SAVEPOINT per batch, else replays
  bool commit_sent_ = false;
  bool committed_ = false;
  bool maybe_committed_ = false;
  Failure failure_;
};

}  // namespace

void PgStore::commit_group(std::vector<Pending>& group, std::vector<Status>& outcomes) {
  outcomes.assign(group.size(), Status{});
  if (auto error = poison_error()) {
    outcomes.assign(group.size(), Status(*error));
    return;
  }
  if (Status ready = ensure_writer(); !ready.ok()) {
    outcomes.assign(group.size(), ready);
    return;
  }
  std::vector<const WriteBatch*> batches;
  batches.reserve(group.size());
  for (const Pending& pending : group) {
    batches.push_back(&pending.batch);
  }
  const std::int64_t began_us = steady_now_us();
  GroupTransaction transaction(writer_conn_.get(), batches, outcomes, options_.savepoints);
  if (transaction.run()) {
    transactions_.fetch_add(1);
    const auto took_us = static_cast<std::uint64_t>(steady_now_us() - began_us);
    if (took_us > max_transaction_us_.load()) {
      max_transaction_us_.store(took_us);
    }
    if (took_us >= kSlowTransactionUs) {
      slow_transactions_.fetch_add(1);
    }
    commit_seconds_.observe(static_cast<double>(took_us) / 1e6);
    commit_batches_.observe(static_cast<double>(group.size()));
    return;
  }
  const Failure& failure = transaction.failure();
  Error error = failure.error;
  if (failure.kind == FailureKind::kPermanent) {
    poison(failure.error);
    error = *poison_error();
  } else if (transaction.maybe_committed()) {
    error = make_error(ErrorCode::kIo,
                       fmt::format("the connection to PostgreSQL at {} failed while the COMMIT "
                                   "was outstanding, so whether this batch was applied is "
                                   "unknown: {}",
                                   target_, failure.error.message));
  } else {
    error.code = ErrorCode::kUnavailable;
  }
  for (Status& outcome : outcomes) {
    if (outcome.ok() || !is_batch_local(outcome.error().code)) {
      outcome = error;  // a batch that failed on its own keeps its own error: it was not applied
    }
  }
  transaction_failed(GroupFailure{failure, transaction.maybe_committed()});
}

}  // namespace baton::store::pg
