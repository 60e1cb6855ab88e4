#include "cli/data.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <ostream>

#include "bot/loader.hpp"
#include "channels/externalhub/external_hubs.hpp"
#include "cli/shared.hpp"
#include "cli/store_open.hpp"
#include "core/json.hpp"
#include "core/utf8.hpp"
#include "dialog/runtime.hpp"
#include "engagement/engagement.hpp"
#include "engine/engine.hpp"
#include "lifecycle/erase.hpp"
#include "lifecycle/export.hpp"

namespace baton::cli {
namespace {

// How long `data erase` waits for external hubs to take its notices (their retries included).
constexpr std::chrono::seconds kExternalHubWait{15};

int fail(std::ostream& err, std::string_view message, int code = 1) {
  err << "baton data: " << message << '\n';
  return code;
}

// 0 when `user_id` is a user id and the store is there; else the exit code, the reason on `err`.
// A mistyped --data must not read as "nothing stored of this customer" (opening SQLite there would
// create an empty database).
int check_request(const std::string& user_id, const std::filesystem::path& data_dir,
                  const std::string& store, std::ostream& err) {
  if (user_id.empty() || user_id.size() > 256 || !utf8::is_valid(user_id)) {
    return fail(err, "--user must be 1 to 256 bytes of UTF-8", 2);
  }
  std::error_code ec;
  if (store.empty() && !std::filesystem::exists(data_dir / store::kSqliteFileName, ec)) {
    return fail(err, fmt::format("no store at {}", (data_dir / store::kSqliteFileName).string()));
  }
  return 0;
}

// DATA/uploads when it exists (nullptr otherwise: nothing was ever uploaded, and nothing is
// created here).
Result<std::shared_ptr<store::UploadFiles>> existing_uploads(
    const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir / "uploads", ec)) {
    return std::shared_ptr<store::UploadFiles>();
  }
  auto opened = store::UploadFiles::open(data_dir / "uploads");
  if (!opened.ok()) {
    return opened.error();
  }
  return std::shared_ptr<store::UploadFiles>(std::move(*opened));
}

// The store (one reader connection) and DATA/uploads when it exists.
Result<std::pair<std::unique_ptr<store::Store>, std::shared_ptr<store::UploadFiles>>> open_data(
    const std::filesystem::path& data_dir, const std::string& target) {
  auto store = open_store(target, data_dir, store::SqliteOptions{}, 1);
  if (!store.ok()) {
    return store.error();
  }
  auto uploads = existing_uploads(data_dir);
  if (!uploads.ok()) {
    return uploads.error();
  }
  return std::pair{std::move(*store), std::move(*uploads)};
}

}  // namespace

int run_data_export(const DataExportOptions& options, std::ostream& out, std::ostream& err) {
  if (const int refused = check_request(options.user_id, options.data_dir, options.store, err);
      refused != 0) {
    return refused;
  }
  auto opened = open_data(options.data_dir, options.store);
  if (!opened.ok()) {
    return fail(err, opened.error().message);
  }
  auto& [store, uploads] = *opened;
  SystemClock clock;
  auto data = lifecycle::collect_customer(*store, uploads.get(), options.user_id, clock.now());
  if (!data.ok()) {
    return fail(err, data.error().message);
  }
  store::AuditRecord record;
  record.time = clock.now();
  record.actor = "cli";
  record.action = "customer.export";
  record.detail_json = json::dump(boost::json::object{
      {"userId", options.user_id},
      {"conversations", static_cast<std::uint64_t>(data->conversations.size())}});
  store::WriteBatch batch;
  batch.append_audit(std::move(record));
  if (Status audited = store->write(std::move(batch)); !audited.ok()) {
    return fail(err, fmt::format("the audit record failed: {}", audited.error().message));
  }
  if (Status closed = store->close(); !closed.ok()) {
    return fail(err, closed.error().message);
  }
  out << json::dump(lifecycle::to_json(*data)) << '\n';
  return out.good() ? 0 : fail(err, "cannot write the document");
}

int run_data_erase(const DataEraseOptions& options, std::ostream& out, std::ostream& err) {
  if (const int refused = check_request(options.user_id, options.data_dir, options.store, err);
      refused != 0) {
    return refused;
  }
  // The summary is stdout's; the engine's and hub's warnings go to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("baton-data"));
  spdlog::set_level(spdlog::level::warn);
  auto lock = DataDirLock::acquire(options.data_dir);
  if (!lock.ok()) {
    return fail(err, lock.error().code == ErrorCode::kConflict
                         ? lock.error().message +
                               ": erase through DELETE /api/agent/customers/{userId}, or stop it"
                         : lock.error().message);
  }
  auto served = load_served_bot(options.bot_path, err);
  if (!served) {
    return 1;
  }
  auto opened = open_data(options.data_dir, options.store);
  if (!opened.ok()) {
    return fail(err, opened.error().message);
  }
  auto& [store, uploads] = *opened;
  SystemClock clock;
  Result<lifecycle::ErasureSummary> erased =
      make_error(ErrorCode::kInternal, "the erasure did not run");
  {
    EngineThread engine_thread;
    boost::asio::thread_pool io(1);
    engine::EngineOptions engine_options;
    engine_options.live_chat_supported =
        served->hub->live_chat_supported(engine_options.channel_id);
    engine::Engine engine(engine_thread.strand(), *store, served->bot, clock, engine_options);
    engagement::Engagement engagement(engine_thread.strand(), engine, *store, served->hub, clock);
    // An external hub still holding one of the customer's conversations is told it is gone;
    // handoffs waiting for an external hub stay waiting until Baton serves again.
    std::shared_ptr<externalhub::ExternalHubs> hubs;
    if (auto targets = engagement::external_hub_targets(*served->hub); !targets.empty()) {
      externalhub::ExternalHubOptions hub_options;
      hub_options.send_handoffs = false;
      hubs = std::make_shared<externalhub::ExternalHubs>(engagement, io.get_executor(),
                                                         std::move(targets), hub_options);
      engagement.set_external_sink(hubs);
    }
    std::promise<Result<bool>> started;
    engagement.start([&started](const Result<bool>& r) { started.set_value(r); });
    if (auto ok = started.get_future().get(); !ok.ok()) {
      erased = ok.error();
    } else {
      std::promise<Result<lifecycle::ErasureSummary>> finished;
      lifecycle::erase_customer(
          io.get_executor(), *store, engagement, uploads, clock,
          engagement::Actor{"cli", hub::Role::kAdmin}, options.user_id,
          [&finished](const Result<lifecycle::ErasureSummary>& r) { finished.set_value(r); });
      erased = finished.get_future().get();
    }
    if (hubs) {
      auto sent = std::make_shared<std::promise<void>>();
      hubs->drain([sent] { sent->set_value(); });
      if (sent->get_future().wait_for(kExternalHubWait) != std::future_status::ready) {
        spdlog::warn(
            "an external hub did not take Baton's notice within {} s; it learns the "
            "conversation is gone from the 404 of its next call",
            kExternalHubWait.count());
      }
    }
    engine_thread.run_on_strand([&] { engagement.stop(); });
    if (Status closed = store->close(); !closed.ok() && erased.ok()) {
      erased = closed.error();
    }
    io.join();
    engine_thread.stop();
  }
  if (!erased.ok()) {
    return fail(err, erased.error().message);
  }
  out << json::dump(erased->to_json()) << '\n';
  return out.good() ? 0 : fail(err, "cannot write the summary");
}

}  // namespace baton::cli
