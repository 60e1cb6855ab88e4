// POST /conversations/{id}/upload (multipart: an `activity` part + `file` parts, or one raw file)
// and GET /conversations/{id}/files/{name}, which serves the stored files back. The files
// themselves are store::UploadFiles' (names, layout, quotas, durability): nothing here builds a
// path.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "channels/directline/channel_impl.hpp"
#include "channels/directline/multipart.hpp"
#include "core/utf8.hpp"

namespace baton::directline {
namespace {

namespace bj = boost::json;
using server::http::status;

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
    return make_error(ErrorCode::kInvalidArgument, "BadArgument", parts.error().message);
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
    return make_error(ErrorCode::kInvalidArgument, "BadArgument",
                      "uploads carry message activities");
  }
  // The attachments that describe the uploaded files get this server's links below: what the
  // client put there is dropped unchecked (Web Chat sends its local blob: contentUrl and a data:
  // thumbnailUrl it drew for the preview).
  const std::size_t described = std::min(upload.activity.attachments.size(), upload.files.size());
  for (std::size_t i = 0; i < described; ++i) {
    upload.activity.attachments[i].content_url.clear();
    upload.activity.attachments[i].thumbnail_url.clear();
  }
  if (Status allowed = check_customer_activity(upload.activity); !allowed.ok()) {
    return allowed.error();
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
  if (auto row = store::unless_erased(store.get_conversation(id)); !row.ok()) {
    responder.send(error_response(row.error()));
    return;
  }
  auto upload = read_upload(request);
  if (!upload.ok()) {
    responder.send(error_response(upload.error()));
    return;
  }
  activity::Activity& a = upload->activity;
  std::vector<store::UploadPart> parts;
  parts.reserve(upload->files.size());
  for (const Part& file : upload->files) {
    parts.push_back({file.body, file.content_type, file.filename});
  }
  auto stored = uploads->store(id, parts);
  if (!stored.ok()) {
    if (stored.error().code == ErrorCode::kIo) {
      spdlog::error("directline: upload: {}", stored.error().message);
    }
    responder.send(error_response(stored.error()));
    return;
  }
  for (std::size_t i = 0; i < stored->size(); ++i) {
    const store::StoredUpload& file = (*stored)[i];
    if (a.attachments.size() <= i) {
      a.attachments.emplace_back();
    }
    activity::Attachment& att = a.attachments[i];
    att.content_type = file.content_type;
    att.content_url = fmt::format("{}/v3/directline/conversations/{}/files/{}",
                                  options.public_url->get(), id, file.name);
    if (att.name.empty()) {
      const std::string& filename = upload->files[i].filename;
      att.name = utf8::is_valid(filename) ? filename.substr(0, 256) : file.name;
    }
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
  const std::string_view id = request.param("id");
  auto opened = is_conversation_id(id)
                    ? uploads->open_file(id, request.param("name"))
                    : Result<store::OpenedUpload>(make_error(ErrorCode::kNotFound, "no such file"));
  if (!opened.ok()) {
    return server::json_error(status::not_found, "NotFound", "no such file");
  }
  server::Response response;
  response.content_type = opened->content_type();
  boost::beast::error_code ec;
  boost::beast::file file;
  file.native_handle(opened->release());
  response.file.reset(std::move(file), ec);
  if (ec) {
    return server::json_error(status::not_found, "NotFound", "no such file");
  }
  // Uploaded bytes are the customer's: never let a browser run them as our origin's page.
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Content-Security-Policy", "sandbox");
  if (!response.content_type.starts_with("image/")) {
    response.headers.set("Content-Disposition", "attachment");
  }
  return response;
}

}  // namespace baton::directline
