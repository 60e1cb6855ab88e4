#include "core/clock.hpp"

#include <fmt/format.h>

#include <charconv>

namespace baton {

std::string format_iso8601(TimePoint t) {
  using namespace std::chrono;
  const auto ms_total = duration_cast<milliseconds>(t.time_since_epoch()).count();
  auto days_since = floor<days>(sys_time<milliseconds>(milliseconds(ms_total)));
  const year_month_day ymd{days_since};
  auto in_day = milliseconds(ms_total) - duration_cast<milliseconds>(days_since.time_since_epoch());
  const auto h = duration_cast<hours>(in_day);
  in_day -= h;
  const auto m = duration_cast<minutes>(in_day);
  in_day -= m;
  const auto s = duration_cast<seconds>(in_day);
  in_day -= s;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     h.count(), m.count(), s.count(), in_day.count());
}

namespace {

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, d)) {
    return std::nullopt;
  }
  if (!(expect(text, pos, 'T') || expect(text, pos, 't') || expect(text, pos, ' ')) ||
      !read_digits(text, pos, 2, h) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mi) ||
      !expect(text, pos, ':') || !read_digits(text, pos, 2, s)) {
    return std::nullopt;
  }
  long long nanos = 0;
  if (expect(text, pos, '.')) {
    long long scale = 100000000;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        nanos += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) {
      return std::nullopt;
    }
  }
  int offset_minutes = 0;
  if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh)) {
      return std::nullopt;
    }
    expect(text, pos, ':');
    if (!read_digits(text, pos, 2, om)) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
  return time_point_cast<system_clock::duration>(tp + nanoseconds{nanos});
}

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::int64_t total = 0;
  std::size_t i = 0;
  bool bare = true;
  while (i < text.size()) {
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), number);
    if (ec != std::errc{} || number < 0 || number > 10'000'000) {
      return std::nullopt;
    }
    i = static_cast<std::size_t>(end - text.data());
    std::string_view rest = text.substr(i);
    std::int64_t unit = 1000;
    if (rest.starts_with("ms")) {
      unit = 1;
      i += 2;
    } else if (rest.starts_with("s")) {
      i += 1;
    } else if (rest.starts_with("m")) {
      unit = 60'000;
      i += 1;
    } else if (rest.starts_with("h")) {
      unit = 3'600'000;
      i += 1;
    } else if (rest.starts_with("d")) {
      unit = 86'400'000;
      i += 1;
    } else if (!rest.empty() || !bare) {
      return std::nullopt;  // a number without unit is allowed only alone
    }
    bare = false;
    total += number * unit;
  }
  return Millis{total};
}

}  // namespace baton
