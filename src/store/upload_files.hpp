#pragma once
// UploadFiles: the files customers upload into their conversations, DATA/uploads/<conversation>/,
// and the ONLY code that opens anything in that tree. The database files sit beside it in DATA, and
// a process that opens and closes any descriptor of the database (or its -wal / -shm) drops every
// POSIX lock it holds there (fcntl locks belong to the process), after which another process (a
// `baton agent` command, a backup) may delete the live WAL. So no path here is ever built from a
// request: names are checked against the exact alphabet the server issues, and every file is
// opened relative to a descriptor of DATA/uploads with O_NOFOLLOW, one validated component at a
// time, so nothing outside DATA/uploads/<conversation>/ can be reached.
//
// Layout: DATA/uploads/<conversation>/<name> holds the bytes, <id>.ct beside it the content type
// (one line), written and fsynced before the data file appears under its name. A name is 22
// base64url characters (128 random bits: unguessable, because Web Chat fetches files without
// credentials) and, optionally, '.' and an extension of 1..8 ASCII letters or digits other than
// "ct".
//
// Quotas: per conversation (413) and for the whole tree (507), and a floor of free space on the
// filesystem (507), all checked before anything is written.
//
// Thread safety: all methods may be called concurrently from any thread. The running total is
// kept under a mutex; the files themselves are only ever created, never rewritten.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace baton::store {

struct UploadLimits {
  std::uint64_t max_conversation_bytes = std::uint64_t{64} * 1024 * 1024;  // 413 beyond
  std::uint64_t max_total_bytes = std::uint64_t{4} * 1024 * 1024 * 1024;   // 507 beyond; 0 = none
  // Refuse (507) an upload that would leave less than this free on the filesystem, so a stream of
  // uploads never fills the disk the database needs.
  std::uint64_t min_free_bytes = std::uint64_t{512} * 1024 * 1024;
};

// One file to store: its bytes, the content type the client declared, the client's file name
// (only its extension is kept, when safe).
struct UploadPart {
  std::string_view bytes;
  std::string_view content_type;
  std::string_view filename;
};

// A stored file: the name it is served under and the content type recorded for it.
struct StoredUpload {
  std::string name;
  std::string content_type;
};

// A stored file as a listing shows it.
struct UploadInfo {
  std::string name;
  std::string content_type;
  std::uint64_t size = 0;

  friend bool operator==(const UploadInfo&, const UploadInfo&) = default;
};

// What a removal deleted: data files (their type records not counted) and their bytes.
struct UploadRemoval {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;

  friend bool operator==(const UploadRemoval&, const UploadRemoval&) = default;
};

// An opened file, ready to be served: an owned descriptor (closed by the destructor unless
// released) with its size and recorded content type.
class OpenedUpload {
 public:
  OpenedUpload(int fd, std::uint64_t size, std::string content_type)
      : fd_(fd), size_(size), content_type_(std::move(content_type)) {}
  ~OpenedUpload();
  OpenedUpload(OpenedUpload&& other) noexcept;
  OpenedUpload& operator=(OpenedUpload&&) = delete;
  OpenedUpload(const OpenedUpload&) = delete;
  OpenedUpload& operator=(const OpenedUpload&) = delete;

  // Gives the descriptor to the caller, who must close it.
  int release();
  std::uint64_t size() const { return size_; }
  const std::string& content_type() const { return content_type_; }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string content_type_;
};

class UploadFiles {
 public:
  // Opens (creating if needed) `dir` (normally DATA/uploads) and sums what it holds for the total
  // quota. Errors: kIo when it cannot be created or opened.
  static Result<std::unique_ptr<UploadFiles>> open(const std::filesystem::path& dir,
                                                   UploadLimits limits = {});
  ~UploadFiles();
  UploadFiles(const UploadFiles&) = delete;
  UploadFiles& operator=(const UploadFiles&) = delete;

  // Whether `id` can name a conversation's folder: 1..64 characters of [A-Za-z0-9_-] (no dots, no
  // separators). Callers check the exact format they issue on top of this.
  static bool valid_conversation_id(std::string_view id);
  // Whether `name` is a name this class issues (see the header comment).
  static bool valid_name(std::string_view name);

  // Stores every part durably (the files and the folder are fsynced) or none: on an error the
  // files already written are removed. Errors: kInvalidArgument (a bad conversation id),
  // kTooLarge (the conversation's quota), kNoSpace (the total quota, the free-space floor, or the
  // disk filled while writing), kIo (other write failures).
  Result<std::vector<StoredUpload>> store(std::string_view conversation_id,
                                          const std::vector<UploadPart>& parts);

  // Opens a stored file for reading. The content type is read before the file is opened.
  // kNotFound for an invalid id or name and for anything that does not exist or is not a regular
  // file; kIo for other failures.
  Result<OpenedUpload> open_file(std::string_view conversation_id, std::string_view name) const;

  // The files stored in a conversation, in name order (what open_file would serve; anything else
  // in the folder is left out). Empty for an invalid id or a conversation without uploads.
  Result<std::vector<UploadInfo>> list(std::string_view conversation_id) const;

  // Deletes the conversation's folder and every file in it, then syncs DATA/uploads so the removal
  // is durable. The files' blocks are freed, not overwritten (docs/DEPLOY.md, "Data and
  // privacy"). An invalid id or a conversation without uploads removes nothing. Errors: kIo.
  Result<UploadRemoval> remove_conversation(std::string_view conversation_id);

  // Retention: deletes at most `limit` files (each with its type record) last written before
  // `cutoff`, in whatever conversations hold them; folders left empty go too. Call again until a
  // call removes nothing. Errors: kIo (what was removed before the failure stays removed).
  Result<UploadRemoval> remove_older_than(TimePoint cutoff, std::size_t limit);

  // Bytes stored in all conversations, as counted by this object.
  std::uint64_t total_bytes() const;

 private:
  UploadFiles(int dir_fd, UploadLimits limits, std::uint64_t total);

  int dir_fd_;  // DATA/uploads, O_DIRECTORY; owned
  UploadLimits limits_;
  mutable std::mutex mu_;
  std::uint64_t total_ = 0;     // guarded by mu_
  std::uint64_t reserved_ = 0;  // guarded by mu_: bytes of uploads being written
};

}  // namespace baton::store
