#include "core/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "core/utf8.hpp"

namespace baton::metrics {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || (std::isdigit(static_cast<unsigned char>(name.front())) != 0)) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
  });
}

// HELP text: backslash and line feed escaped.
void append_help(std::string& out, std::string_view help) {
  for (char c : utf8::sanitize(help)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// A label value: backslash, double quote and line feed escaped.
void append_label_value(std::string& out, std::string_view value) {
  for (char c : utf8::sanitize(value)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

const char* type_name(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::uint64_t HistogramSnapshot::count() const {
  return std::accumulate(buckets.begin(), buckets.end(), std::uint64_t{0});
}

Histogram::Histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds.begin(), upper_bounds.end()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds.size() + 1)) {
  if (bounds_.empty()) {
    throw std::invalid_argument("a histogram needs at least one bucket bound");
  }
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      throw std::invalid_argument("histogram bounds must be finite and strictly ascending");
    }
  }
}

void Histogram::observe(double value) {
  if (std::isnan(value)) {
    return;
  }
  // The first bound >= value: values equal to a bound belong to its bucket (le).
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.upper_bounds = bounds_;
  s.buckets.reserve(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    s.buckets.push_back(buckets_[i].load(std::memory_order_relaxed));
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::string format_value(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", value);  // shortest text that reads back as the same double
}

void Exposition::family(std::string_view name, Type type, std::string_view help) {
  if (!valid_name(name)) {
    throw std::logic_error(fmt::format("'{}' is not a metric name", name));
  }
  if (type == Type::kCounter && !name.ends_with("_total")) {
    throw std::logic_error(fmt::format("counter '{}' must end in _total", name));
  }
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) {
    throw std::logic_error(fmt::format("metric '{}' written twice", name));
  }
  families_.emplace_back(name);
  current_ = name;
  type_ = type;
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_help(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type_name(type);
  out_ += '\n';
}

void Exposition::series(std::string_view suffix, std::initializer_list<Label> labels,
                        const Label* extra, std::string_view value) {
  out_ += current_;
  out_ += suffix;
  if (labels.size() > 0 || extra != nullptr) {
    out_ += '{';
    bool first = true;
    auto add = [&](const Label& label) {
      if (!valid_name(label.name) || label.name.find(':') != std::string_view::npos) {
        throw std::logic_error(fmt::format("'{}' is not a label name", label.name));
      }
      if (!first) {
        out_ += ',';
      }
      first = false;
      out_ += label.name;
      out_ += "=\"";
      append_label_value(out_, label.value);
      out_ += '"';
    };
    for (const Label& label : labels) {
      add(label);
    }
    if (extra != nullptr) {
      add(*extra);
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void Exposition::sample(std::initializer_list<Label> labels, double value) {
  if (current_.empty() || type_ == Type::kHistogram) {
    throw std::logic_error("a sample needs a counter or gauge family");
  }
  series("", labels, nullptr, format_value(value));
}

void Exposition::histogram(std::initializer_list<Label> labels, const HistogramSnapshot& h) {
  if (current_.empty() || type_ != Type::kHistogram) {
    throw std::logic_error("histogram() needs a histogram family");
  }
  std::uint64_t cumulative = 0;
  // Every bound and +Inf, even when the snapshot has no counts (an empty one: all zero).
  for (std::size_t i = 0; i <= h.upper_bounds.size(); ++i) {
    cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
    const std::string le =
        i < h.upper_bounds.size() ? format_value(h.upper_bounds[i]) : std::string("+Inf");
    const Label bound{"le", le};
    series("_bucket", labels, &bound, fmt::format("{}", cumulative));
  }
  series("_sum", labels, nullptr, format_value(h.sum));
  series("_count", labels, nullptr, fmt::format("{}", cumulative));
}

std::string Exposition::take() {
  families_.clear();
  current_.clear();
  return std::exchange(out_, std::string());
}

}  // namespace baton::metrics
