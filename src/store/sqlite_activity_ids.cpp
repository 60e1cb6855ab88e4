#include "store/sqlite_activity_ids.hpp"

#include <fmt/format.h>

namespace baton::store::sqlite {
namespace {

constexpr std::size_t kPadding = 7;        // engine::make_activity_id's zero padding
constexpr std::size_t kMaxSeqDigits = 19;  // INT64_MAX has 19 digits

}  // namespace

std::optional<ActivityKey> parse_canonical_activity_id(std::string_view activity_id) {
  const std::size_t bar = activity_id.rfind('|');
  if (bar == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view digits = activity_id.substr(bar + 1);
  if (digits.size() < kPadding || digits.size() > kMaxSeqDigits) {
    return std::nullopt;
  }
  // Past the padding width the engine prints no leading zero, so "c|00000012345678" is not the
  // canonical id of seq 12345678 (which is "c|12345678").
  if (digits.size() > kPadding && digits.front() == '0') {
    return std::nullopt;
  }
  std::uint64_t seq = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') {
      return std::nullopt;
    }
    seq = seq * 10 + static_cast<std::uint64_t>(ch - '0');  // 19 digits cannot overflow 2^64
  }
  if (seq == 0 || seq > kMaxSeq) {
    return std::nullopt;
  }
  return ActivityKey{activity_id.substr(0, bar), seq};
}

std::string canonical_activity_id(std::string_view conversation_id, std::uint64_t seq) {
  return fmt::format("{}|{:07}", conversation_id, seq);
}

bool has_canonical_id(const ActivityRecord& a) {
  auto key = parse_canonical_activity_id(a.activity_id);
  return key && key->seq == a.seq && key->conversation_id == a.conversation_id;
}

}  // namespace baton::store::sqlite
