#include "cli/data.hpp"

#include <fmt/format.h>

#include <ostream>

#include "cli/store_open.hpp"
#include "core/json.hpp"
#include "core/utf8.hpp"
#include "lifecycle/export.hpp"

namespace baton::cli {
namespace {

int fail(std::ostream& err, std::string_view message, int code = 1) {
  err << "baton data: " << message << '\n';
  return code;
}

}  // namespace

int run_data_export(const DataExportOptions& options, std::ostream& out, std::ostream& err) {
  if (options.user_id.empty() || options.user_id.size() > 256 || !utf8::is_valid(options.user_id)) {
    return fail(err, "--user must be 1 to 256 bytes of UTF-8", 2);
  }
  // A mistyped --data must not read as "nothing stored of this customer" (opening SQLite there
  // would create an empty database).
  if (std::error_code ec; options.store.empty() &&
                          !std::filesystem::exists(options.data_dir / store::kSqliteFileName, ec)) {
    return fail(
        err, fmt::format("no store at {}", (options.data_dir / store::kSqliteFileName).string()));
  }
  auto store = open_store(options.store, options.data_dir, store::SqliteOptions{}, 1);
  if (!store.ok()) {
    return fail(err, store.error().message);
  }
  std::unique_ptr<store::UploadFiles> uploads;
  if (std::error_code ec; std::filesystem::is_directory(options.data_dir / "uploads", ec)) {
    auto opened = store::UploadFiles::open(options.data_dir / "uploads");
    if (!opened.ok()) {
      return fail(err, opened.error().message);
    }
    uploads = std::move(*opened);
  }
  SystemClock clock;
  auto data = lifecycle::collect_customer(**store, uploads.get(), options.user_id, clock.now());
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
  if (Status audited = (*store)->write(std::move(batch)); !audited.ok()) {
    return fail(err, fmt::format("the audit record failed: {}", audited.error().message));
  }
  if (Status closed = (*store)->close(); !closed.ok()) {
    return fail(err, closed.error().message);
  }
  out << json::dump(lifecycle::to_json(*data)) << '\n';
  return out.good() ? 0 : fail(err, "cannot write the document");
}

}  // namespace baton::cli
