// POST /conversations/{id}/upload (multipart: an `activity` part + `file` parts, or one raw file)
// and GET /conversations/{id}/files/{name}, which serves the stored files back.
//
// Files live at UPLOADS/<conversationId>/<random>.<ext>, with the uploaded content type beside them
// in <name>.ct. Names are 128-bit random, so a contentUrl is unguessable (Web Chat fetches images
// without credentials, so files are served without auth).
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "channels/directline/channel_impl.hpp"
#include "channels/directline/multipart.hpp"
#include "core/utf8.hpp"

namespace baton::directline {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;
using server::http::status;

constexpr std::string_view kTypeSuffix = ".ct";

bool safe_name_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '-' || ch == '_' || ch == '.';
}

// The extension of an uploaded file name, reduced to safe characters ("" when none).
std::string safe_extension(std::string_view filename) {
  const std::size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos || filename.size() - dot > 10) {
    return {};
  }
  std::string ext(filename.substr(dot));
  if (!std::all_of(ext.begin() + 1, ext.end(),
                   [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); })) {
    return {};
  }
  return ext;
}

bool safe_content_type(std::string_view type) {
  return !type.empty() && type.size() < 128 && std::all_of(type.begin(), type.end(), [](char ch) {
    return ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\';
  });
}

// Writes `data` durably: a temporary file, fsync, rename into place, fsync of the directory — so an
// attachment whose message was acknowledged is on disk like the message (the activity's batch is
// committed after this returns). Runs on the I/O thread: uploads are rare and bounded in size.
Status write_file(const fs::path& path, std::string_view data) {
  const fs::path temp = path.string() + ".part";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    return make_error(ErrorCode::kIo, fmt::format("cannot create {}: {}", temp.string(),
                                                  std::system_category().message(error)));
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == data.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return make_error(ErrorCode::kIo, fmt::format("cannot write {}", path.string()));
  }
  return {};
}

// Makes the renames in `dir` durable.
Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(ErrorCode::kIo, fmt::format("cannot open {}", dir.string()));
  }
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status{} : make_error(ErrorCode::kIo, fmt::format("cannot sync {}", dir.string()));
}

struct Upload {
  activity::Activity activity;
  std::vector<Part> files;
};

// Splits the request into the activity (parsed, or an empty message) and the file parts.
Result<Upload> read_upload(const server::Request& request) {
  Upload upload;
  upload.activity.type = "message";
  const std::string content_type(request.header("Content-Type").value_or(""));
  const std::string boundary = multipart_boundary(content_type);
  if (boundary.empty()) {  // one raw file (Direct Line docs' single-file form)
    Part raw;
    raw.name = "file";
    raw.filename = header_parameter(request.header("Content-Disposition").value_or(""), "filename");
    raw.content_type = content_type.empty() ? "application/octet-stream" : content_type;
    raw.body = request.body();
    upload.files.push_back(std::move(raw));
    return upload;
  }
  auto parts = parse_multipart(boundary, request.body());
  if (!parts.ok()) {
    return make_error(ErrorCode::kInvalidArgument, "BadArgument: " + parts.error().message);
  }
  for (auto& part : *parts) {
    if (part.name == "activity") {
      auto parsed = activity::parse(part.body);
      if (!parsed.ok()) {
        return parsed.error();
      }
      upload.activity = std::move(*parsed);
    } else {
      upload.files.push_back(std::move(part));
    }
  }
  if (upload.activity.type != "message") {
    return make_error(ErrorCode::kInvalidArgument, "BadArgument: uploads carry message activities");
  }
  return upload;
}

}  // namespace

void DirectLineChannel::Impl::upload(const server::Request& request, server::Responder responder) {
  std::string id(request.param("id"));
  auto admitted = admit_write(request, id);
  if (auto* refused = std::get_if<server::Response>(&admitted)) {
    responder.send(std::move(*refused));
    return;
  }
  const Caller& caller = std::get<Caller>(admitted);
  if (auto row = store.get_conversation(id); !row.ok()) {
    responder.send(error_response(row.error()));
    return;
  }
  auto upload = read_upload(request);
  if (!upload.ok()) {
    responder.send(error_response(upload.error()));
    return;
  }
  activity::Activity& a = upload->activity;
  const fs::path dir = options.uploads_dir / id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (std::size_t i = 0; i < upload->files.size(); ++i) {
    const Part& file = upload->files[i];
    const std::string name = random_id(16) + safe_extension(file.filename);
    const std::string type =
        safe_content_type(file.content_type) ? file.content_type : "application/octet-stream";
    Status written = write_file(dir / name, file.body);
    if (written.ok()) {
      written = write_file(dir / (name + std::string(kTypeSuffix)), type);
    }
    if (!written.ok()) {
      spdlog::error("directline: upload: {}", written.error().message);
      responder.send(error_response(written.error()));
      return;
    }
    if (a.attachments.size() <= i) {
      a.attachments.emplace_back();
    }
    activity::Attachment& att = a.attachments[i];
    att.content_type = type;
    att.content_url =
        fmt::format("{}/v3/directline/conversations/{}/files/{}", origin(request, false), id, name);
    if (att.name.empty()) {
      att.name = utf8::is_valid(file.filename) ? file.filename.substr(0, 256) : name;
    }
  }
  if (Status synced = sync_directory(dir); !synced.ok()) {
    spdlog::error("directline: upload: {}", synced.error().message);
    responder.send(error_response(synced.error()));
    return;
  }
  if (!caller.secret && !caller.claims.user_id.empty()) {
    a.from.id = caller.claims.user_id;
  } else if (auto user = request.query_value("userId"); user && !user->empty()) {
    a.from.id = std::string(user->substr(0, 256));
  }
  engine.post_activity(
      std::move(id), std::move(a),
      [responder = std::move(responder)](Result<engine::PostResult> posted) {
        if (!posted.ok()) {
          responder.send(error_response(posted.error()));
          return;
        }
        responder.send(server::json_response(status::ok, bj::object{{"id", posted->id}}));
      });
}

server::Response DirectLineChannel::Impl::serve_file(const server::Request& request) {
  const std::string id(request.param("id"));
  const std::string name(request.param("name"));
  const bool safe = !id.empty() && !name.empty() && name.front() != '.' &&
                    !name.ends_with(kTypeSuffix) &&
                    std::all_of(id.begin(), id.end(), safe_name_char) &&
                    std::all_of(name.begin(), name.end(), safe_name_char);
  if (!safe) {
    return server::json_error(status::not_found, "NotFound", "no such file");
  }
  const fs::path path = options.uploads_dir / id / name;
  std::ifstream type_in(options.uploads_dir / id / (name + std::string(kTypeSuffix)));
  std::string type;
  std::getline(type_in, type);
  server::Response response;
  boost::beast::error_code ec;
  response.file.open(path.c_str(), boost::beast::file_mode::scan, ec);
  if (ec || !safe_content_type(type)) {
    return server::json_error(status::not_found, "NotFound", "no such file");
  }
  response.content_type = type;
  // Uploaded bytes are the customer's: never let a browser run them as our origin's page.
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Content-Security-Policy", "sandbox");
  if (!type.starts_with("image/")) {
    response.headers.set("Content-Disposition", "attachment");
  }
  return response;
}

}  // namespace baton::directline
