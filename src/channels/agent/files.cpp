// POST /api/agent/conversations/{id}/files (docs/AGENT_API.md, "Files"): the owning agent sends
// the customer a file. The bytes are stored like a customer's Direct Line upload
// (store::UploadFiles: DATA/uploads/<conversation>/, the same quotas and unguessable names) and
// served by the same route, GET /v3/directline/conversations/{id}/files/{name}, with the same
// safe headers; the customer gets a message whose one attachment is {contentType, contentUrl,
// name}, which Web Chat shows as a file (or an image).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>

#include "channels/agent/channel_impl.hpp"
#include "channels/directline/multipart.hpp"
#include "core/utf8.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

constexpr std::size_t kMaxFileName = 256;  // bytes of UTF-8, as a customer's upload's name
constexpr std::size_t kMaxTypePart = 63;   // each side of type/subtype
constexpr std::string_view kTokenExtra = "!#$&^_.+-";  // RFC 6838 restricted-name characters

struct AgentFile {
  std::string bytes;
  std::string content_type;
  std::string name;
};

Error bad(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

bool type_part_ok(std::string_view s) {
  if (s.empty() || s.size() > kMaxTypePart) {
    return false;
  }
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s.front())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return alnum(c) || kTokenExtra.find(c) != std::string_view::npos;
  });
}

// "image/png" or "text/plain; charset=utf-8" → "image/png" / "text/plain"; an error when there is
// none or it is not type/subtype of RFC 6838's restricted names.
Result<std::string> checked_type(std::string_view declared) {
  std::string_view type = declared.substr(0, declared.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  const std::size_t slash = type.find('/');
  if (type.empty()) {
    return bad("the file needs a Content-Type (type/subtype, e.g. application/pdf)");
  }
  if (slash == std::string_view::npos || !type_part_ok(type.substr(0, slash)) ||
      !type_part_ok(type.substr(slash + 1))) {
    return bad(fmt::format("invalid content type '{}': use type/subtype, e.g. application/pdf",
                           utf8::sanitize(std::string(type.substr(0, 128)))));
  }
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

Result<std::string> checked_name(const std::string& name) {
  if (name.empty()) {
    return bad(
        "the file needs a name (the multipart part's filename, or Content-Disposition: "
        "attachment; filename=\"...\")");
  }
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '/' || c == '\\';
  });
  if (name.size() > kMaxFileName || !utf8::is_valid(name) || control) {
    return bad(fmt::format(
        "invalid file name: 1 to {} bytes of UTF-8 without control characters or slashes",
        kMaxFileName));
  }
  return name;
}

// The file of the request: one multipart part named "file" (with its filename and Content-Type),
// or the raw body (Content-Type, and Content-Disposition's filename).
Result<AgentFile> read_file(const server::Request& request) {
  const std::string content_type(request.header("Content-Type").value_or(""));
  const std::string boundary = directline::multipart_boundary(content_type);
  AgentFile file;
  std::string_view body;
  std::string declared;
  if (boundary.empty()) {
    body = request.body();
    declared = content_type;
    file.name = directline::header_parameter(request.header("Content-Disposition").value_or(""),
                                             "filename");
  } else {
    auto parts = directline::parse_multipart(boundary, request.body(), 4);
    if (!parts.ok()) {
      return bad(parts.error().message);
    }
    if (parts->size() != 1 || (*parts)[0].name != "file") {
      return bad("send one multipart part named \"file\"");
    }
    body = (*parts)[0].body;
    declared = (*parts)[0].content_type;
    file.name = (*parts)[0].filename;
  }
  if (body.empty()) {
    return bad("the file is empty");
  }
  auto type = checked_type(declared);
  if (!type.ok()) {
    return type.error();
  }
  auto name = checked_name(file.name);
  if (!name.ok()) {
    return name.error();
  }
  file.content_type = std::move(*type);
  file.bytes.assign(body);
  return file;
}

activity::ChannelAccount agent_from(const Session& session) {
  return {"agent:" + session.agent.id,
          session.agent.display_name.empty() ? session.agent.id : session.agent.display_name,
          "bot"};
}

}  // namespace

std::string AgentChannel::Impl::files_base() const {
  const std::string url = options.public_url->get();
  return url.empty() ? std::string() : url + "/v3/directline/conversations/";
}

void AgentChannel::Impl::send_file(const server::Request& request, server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  std::string id(request.param("id"));
  if (!store::UploadFiles::valid_conversation_id(id)) {
    responder.send(error_response(make_error(ErrorCode::kNotFound, "no such conversation")));
    return;
  }
  std::string base = files_base();
  if (!options.uploads || base.empty()) {
    responder.send(
        error_response(make_error(ErrorCode::kUnavailable, "this server does not store files")));
    return;
  }
  auto file = read_file(request);
  if (!file.ok()) {
    responder.send(error_response(file.error()));
    return;
  }
  // Only the owner may send, checked before anything is stored: agents see 403 for a
  // conversation that is not theirs (Engagement::access), supervisors for one they do not own;
  // 409 for one of yours that is offered or in wrap-up.
  engagement.access(
      session->actor, id,
      [this, s = std::move(*session), id, base, f = std::move(*file),
       responder = std::move(responder)](Result<engagement::ConversationAccess> access) mutable {
        if (!access.ok()) {
          responder.send(error_response(access.error()));
          return;
        }
        const auto& view = access->hub;
        const std::string& me = s.actor.agent_id;
        if (!view || (view->agent != me && view->offered_to != me)) {
          responder.send(error_response(
              make_error(ErrorCode::kForbidden, "only the agent who owns it may send files")));
          return;
        }
        if (view->agent != me || view->state != hub::ConversationState::kAssigned) {
          responder.send(error_response(make_error(
              ErrorCode::kConflict, fmt::format("the conversation is {}, not assigned to you",
                                                hub::to_string(view->state)))));
          return;
        }
        // The writes block (fsync): on an I/O thread, never on the engagement's strand.
        boost::asio::post(io, [this, s = std::move(s), id = std::move(id), base = std::move(base),
                               f = std::move(f), responder = std::move(responder)]() mutable {
          auto stored = options.uploads->store(id, {{f.bytes, f.content_type, f.name}});
          if (!stored.ok()) {
            if (stored.error().code == ErrorCode::kIo) {
              spdlog::error("agent api: file: {}", stored.error().message);
            }
            responder.send(error_response(stored.error()));
            return;
          }
          activity::Attachment att;
          att.content_type = stored->front().content_type;
          att.content_url = fmt::format("{}{}/files/{}", base, id, stored->front().name);
          att.name = f.name;
          bj::object shown{{"contentType", att.content_type},
                           {"contentUrl", att.content_url},
                           {"name", att.name}};
          activity::Activity a = activity::make_message("");
          a.from = agent_from(s);
          a.attachments.push_back(std::move(att));
          engagement.send(s.actor, id, std::move(a),
                          answer<engagement::PostResult>(
                              std::move(responder),
                              [shown = std::move(shown)](const engagement::PostResult& r) {
                                return bj::object{{"id", r.id}, {"attachment", shown}};
                              }));
        });
      });
}

}  // namespace baton::agent
