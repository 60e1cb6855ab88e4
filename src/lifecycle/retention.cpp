#include "lifecycle/retention.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <string>
#include <vector>

namespace baton::lifecycle {

Result<RetentionPolicy> parse_retention(std::string_view text) {
  RetentionPolicy policy;
  if (text.empty()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "retention: expected KIND=DURATION (conversations, uploads, handoffs, audit)");
  }
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "retention: a trailing ','");
    }
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("retention: '{}' is not KIND=DURATION", part));
    }
    const std::string_view kind = part.substr(0, eq);
    const std::optional<Millis> duration = parse_duration(part.substr(eq + 1));
    if (!duration || *duration < std::chrono::seconds(1)) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("retention: '{}' is not a duration of at least 1s (e.g. 90d, "
                                    "12h, 30m)",
                                    part.substr(eq + 1)));
    }
    std::optional<Millis>* slot = nullptr;
    if (kind == "conversations") {
      slot = &policy.conversations;
    } else if (kind == "uploads") {
      slot = &policy.uploads;
    } else if (kind == "audit") {
      slot = &policy.audit;
    } else if (kind == "handoffs") {
      slot = &policy.handoffs;
    } else {
      return make_error(
          ErrorCode::kInvalidArgument,
          fmt::format("retention: unknown kind '{}' (conversations, uploads, handoffs, audit)",
                      kind));
    }
    if (slot->has_value()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("retention: '{}' is given twice", kind));
    }
    *slot = duration;
  }
  return policy;
}

// One sweep in progress; lives on the strand.
struct Retention::Run {
  explicit Run(const boost::asio::any_io_executor& strand) : pause(strand) {}

  std::function<void(Result<SweepResult>)> done;
  SweepResult result;
  TimePoint now{};
  std::string after_id;                         // the conversation listing's cursor
  std::vector<store::Conversation> candidates;  // of the current page
  std::size_t next = 0;
  std::size_t deleted_this_step = 0;
  std::vector<std::string> handoff_conversations;  // of the current page
  std::uint64_t handoff_records_before_page = 0;   // result.handoff_records when it was listed
  boost::asio::steady_timer pause;
};

Retention::Retention(const boost::asio::any_io_executor& executor, store::Store& store,
                     engine::Engine& engine, std::shared_ptr<store::UploadFiles> uploads,
                     const Clock& clock, RetentionPolicy policy, RetentionOptions options,
                     std::function<void()> after_deletions)
    : strand_(boost::asio::make_strand(executor)),
      store_(store),
      engine_(engine),
      uploads_(std::move(uploads)),
      clock_(clock),
      policy_(policy),
      options_(options),
      after_deletions_(std::move(after_deletions)),
      timer_(strand_) {
  options_.batch = std::clamp<std::size_t>(options_.batch, 1, store::kMaxPageSize);
}

void Retention::start() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (self->policy_.any() && !self->stopped_) {
      self->schedule(Millis{0});
    }
  });
}

void Retention::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void Retention::schedule(Millis after) {
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) {
      return;
    }
    self->sweep([self](const Result<SweepResult>& r) {
      if (!r.ok()) {
        spdlog::warn("retention: the sweep stopped: {}", r.error().message);
      } else if (r->conversations_deleted + r->upload_files + r->audit_records +
                     r->handoff_records >
                 0) {
        spdlog::info(
            "retention: deleted {} conversations (of {} examined), {} uploads ({} bytes), {} "
            "handoff records, {} audit records",
            r->conversations_deleted, r->conversations_examined, r->upload_files, r->upload_bytes,
            r->handoff_records, r->audit_records);
      }
      if (!self->stopped_) {
        self->schedule(self->options_.interval);
      }
    });
  });
}

void Retention::sweep(std::function<void(Result<SweepResult>)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    auto run = std::make_shared<Run>(self->strand_);
    run->done = std::move(done);
    run->now = self->clock_.now();
    self->step_audit(run);
  });
}

void Retention::later(const std::shared_ptr<Run>& run,
                      void (Retention::*next)(const std::shared_ptr<Run>&)) {
  run->pause.expires_after(options_.pause);
  run->pause.async_wait(
      [self = shared_from_this(), run, next](const boost::system::error_code& /*ec*/) {
        if (self->stopped_) {
          self->finish(run, make_error(ErrorCode::kUnavailable, "retention was stopped"));
          return;
        }
        ((*self).*next)(run);
      });
}

void Retention::step_audit(const std::shared_ptr<Run>& run) {
  if (!policy_.audit) {
    step_uploads(run);
    return;
  }
  const TimePoint cutoff = run->now - *policy_.audit;
  auto page = store_.read_audit(0, options_.batch, "");
  if (!page.ok()) {
    finish(run, page.error());
    return;
  }
  std::uint64_t old = 0;
  for (const auto& record : *page) {
    old += record.time < cutoff ? 1 : 0;
  }
  if (old == 0) {
    step_uploads(run);
    return;
  }
  auto on_strand = [self = shared_from_this(), run, old](const Status& s) {
    boost::asio::post(self->strand_, [self, run, old, s] {
      if (!s.ok()) {
        self->finish(run, s.error());
        return;
      }
      run->result.audit_records += old;
      self->later(run, &Retention::step_audit);
    });
  };
  if (Status accepted = store_.submit(
          std::move(store::WriteBatch().delete_audit_before(cutoff, options_.batch)), on_strand);
      !accepted.ok()) {
    finish(run, accepted.error());
  }
}

void Retention::step_uploads(const std::shared_ptr<Run>& run) {
  if (!policy_.uploads || !uploads_) {
    step_conversations(run);
    return;
  }
  auto removed = uploads_->remove_older_than(run->now - *policy_.uploads, options_.batch);
  if (!removed.ok()) {
    finish(run, removed.error());
    return;
  }
  run->result.upload_files += removed->files;
  run->result.upload_bytes += removed->bytes;
  if (removed->files == 0) {
    step_conversations(run);
    return;
  }
  later(run, &Retention::step_uploads);
}

void Retention::step_conversations(const std::shared_ptr<Run>& run) {
  if (!policy_.conversations) {
    step_handoffs(run);
    return;
  }
  const TimePoint cutoff = run->now - *policy_.conversations;
  auto page = store_.list_conversations(run->after_id, store::kMaxPageSize, false);
  if (!page.ok()) {
    finish(run, page.error());
    return;
  }
  if (page->empty()) {
    step_handoffs(run);
    return;
  }
  run->result.conversations_examined += page->size();
  run->after_id = page->back().id;
  run->candidates.clear();
  run->next = 0;
  for (auto& row : *page) {
    // The row is a hint (the engine checks again when it deletes); anything a queue or an agent
    // holds is left alone here already.
    if ((row.ownership == "bot" || row.ownership == "closed") && row.updated < cutoff) {
      run->candidates.push_back(std::move(row));
    }
  }
  expire_next(run);
}

void Retention::expire_next(const std::shared_ptr<Run>& run) {
  if (run->next == run->candidates.size()) {
    step_conversations(run);
    return;
  }
  const store::Conversation& row = run->candidates[run->next++];
  const std::string id = row.id;
  auto deleted = [self = shared_from_this(), run, id](const Result<bool>& r) {
    boost::asio::post(self->strand_, [self, run, id, r] {
      if (!r.ok() && r.error().code != ErrorCode::kNotFound) {
        self->finish(run, r.error());
        return;
      }
      if (r.ok() && *r) {
        ++run->result.conversations_deleted;
        if (self->uploads_) {
          if (auto removed = self->uploads_->remove_conversation(id); removed.ok()) {
            run->result.upload_files += removed->files;
            run->result.upload_bytes += removed->bytes;
          }
        }
        if (++run->deleted_this_step >= self->options_.batch) {
          run->deleted_this_step = 0;
          self->later(run, &Retention::expire_next);
          return;
        }
      }
      self->expire_next(run);
    });
  };
  if (store::is_erased(row)) {
    // A tombstone: the engine refuses its id, so it is removed here, like any closed row.
    Status accepted =
        store_.submit(std::move(store::WriteBatch().delete_conversation(id)),
                      [deleted](const Status& s) { s.ok() ? deleted(true) : deleted(s.error()); });
    if (!accepted.ok()) {
      deleted(accepted.error());
    }
    return;
  }
  engine_.expire_conversation(id, run->now - *policy_.conversations, deleted);
}

void Retention::step_handoffs(const std::shared_ptr<Run>& run) {
  if (!policy_.handoffs) {
    finish(run, run->result);
    return;
  }
  auto page =
      store_.conversations_with_ended_handoffs(run->now - *policy_.handoffs, options_.batch);
  if (!page.ok()) {
    finish(run, page.error());
    return;
  }
  if (page->empty()) {
    finish(run, run->result);
    return;
  }
  run->handoff_conversations = std::move(*page);
  run->handoff_records_before_page = run->result.handoff_records;
  run->next = 0;
  expire_handoffs_next(run);
}

void Retention::expire_handoffs_next(const std::shared_ptr<Run>& run) {
  if (run->next == run->handoff_conversations.size()) {
    // Each listed conversation had a record to delete; a page where the engine found none (the
    // conversation vanished meanwhile) would be listed again, so the sweep ends there.
    if (run->result.handoff_records == run->handoff_records_before_page) {
      finish(run, run->result);
      return;
    }
    later(run, &Retention::step_handoffs);
    return;
  }
  const std::string id = run->handoff_conversations[run->next++];
  engine_.expire_handoffs(id, run->now - *policy_.handoffs,
                          [self = shared_from_this(), run](const Result<std::size_t>& r) {
                            boost::asio::post(self->strand_, [self, run, r] {
                              if (!r.ok() && r.error().code != ErrorCode::kNotFound &&
                                  r.error().code != ErrorCode::kForbidden) {
                                self->finish(run, r.error());
                                return;
                              }
                              run->result.handoff_records += r.ok() ? *r : 0;
                              self->expire_handoffs_next(run);
                            });
                          });
}

void Retention::finish(const std::shared_ptr<Run>& run, Result<SweepResult> result) {
  if (run->result.conversations_deleted + run->result.handoff_records > 0 && after_deletions_) {
    after_deletions_();
  }
  if (run->done) {
    auto done = std::move(run->done);
    run->done = nullptr;
    done(std::move(result));
  }
}

}  // namespace baton::lifecycle
