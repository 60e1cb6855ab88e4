#pragma once
// Result<T>: the value-or-error type returned by every fallible operation in Baton.
//
// Expected failures (bad input, missing files, I/O) are values, never exceptions; a Result that is
// read as the wrong alternative is a programming error and aborts. `Status` is Result<void>.
// A Result is a plain value: copyable when T is, not thread-safe to mutate, safe to read
// concurrently.

#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace baton {

// Broad error classes; the message carries the precise detail for humans.
enum class ErrorCode {
  kInvalidArgument,  // input is malformed or violates a documented limit
  kParse,            // text could not be parsed (JSON, YAML, expression)
  kNotFound,         // an id or path that does not exist
  kTooLarge,         // input over a size limit
  kUnauthorized,     // missing or malformed credentials
  kForbidden,        // credentials valid but not for this resource (or expired)
  kConflict,         // the operation conflicts with current state (e.g. stale owner epoch)
  kUnavailable,      // a dependency is not available right now
  kNoSpace,          // storage is full or over its quota (a disk, an upload quota)
  kIo,               // storage or network failure
  kInternal,         // a bug-shaped condition reported instead of crashing
};

// Stable snake_case name of an error code, used in logs and JSON error bodies.
const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // The code a protocol's error answer carries, when the class's default for `code` is not precise
  // enough (Direct Line's "BadToken" or "TokenExpired" for kUnauthorized / kForbidden); "" to let
  // the channel choose by `code`. Channels never parse `message`.
  std::string protocol_code;

  friend bool operator==(const Error&, const Error&) = default;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}};
}

inline Error make_error(ErrorCode code, std::string protocol_code, std::string message) {
  return Error{code, std::move(message), std::move(protocol_code)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return checked_value(); }
  const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
  T&& value() && { return std::move(checked_value()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    if (ok()) {
      std::abort();  // reading the error of a successful Result is a bug
    }
    return std::get<1>(v_);
  }

 private:
  T& checked_value() {
    if (!ok()) {
      std::abort();  // reading the value of a failed Result is a bug
    }
    return std::get<0>(v_);
  }

  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) {
      std::abort();
    }
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace baton
