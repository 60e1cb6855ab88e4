// Loading the compact word-vector file and pooling a text's word vectors.
#include "nlu/word_vectors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <system_error>

namespace baton::nlu {
namespace {

constexpr std::string_view kMagic = "BATONWV1";
constexpr std::size_t kHeaderBytes = 16;
constexpr std::uint32_t kMaxDimensions = 1024;

// Smooth inverse frequency: a word of estimated frequency p weighs kSifA / (kSifA + p). With
// Zipf's law over the vocabulary, p(rank) = 1 / ((rank + kZipfShift) × H), H ≈ ln(V) + 0.58 for
// the source's 341,479 words. kSifA was chosen on CLINC150's validation lists (docs/NLU.md).
constexpr double kSifA = 1e-4;
constexpr double kZipfShift = 10.0;
constexpr double kZipfNorm = 13.3;

std::uint32_t read_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

void normalise(std::vector<float>& v, std::size_t from, std::size_t n) {
  double norm = 0.0;
  for (std::size_t i = from; i < from + n; ++i) {
    norm += static_cast<double>(v[i]) * static_cast<double>(v[i]);
  }
  if (norm <= 0.0) {
    return;
  }
  const double inv = 1.0 / std::sqrt(norm);
  for (std::size_t i = from; i < from + n; ++i) {
    v[i] = static_cast<float>(static_cast<double>(v[i]) * inv);
  }
}

}  // namespace

Result<std::unique_ptr<WordVectors>> WordVectors::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return make_error(ErrorCode::kNotFound, "cannot open " + path);
  }
  std::string bytes(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) {
    return make_error(ErrorCode::kNotFound, "cannot read " + path);
  }
  auto parsed = parse(std::move(bytes));
  if (!parsed.ok()) {
    return make_error(parsed.error().code, path + ": " + parsed.error().message);
  }
  return parsed;
}

Result<std::unique_ptr<WordVectors>> WordVectors::parse(std::string bytes) {
  if (bytes.size() < kHeaderBytes || std::string_view(bytes).substr(0, kMagic.size()) != kMagic) {
    return make_error(ErrorCode::kParse, "not a word-vector file (no BATONWV1 header)");
  }
  const std::uint32_t dims = read_u32(bytes, 8);
  const std::uint32_t count = read_u32(bytes, 12);
  if (dims == 0 || dims > kMaxDimensions) {
    return make_error(ErrorCode::kParse, "bad dimensions " + std::to_string(dims));
  }
  const std::size_t record = 4 + static_cast<std::size_t>(dims);
  const std::size_t words_at = kHeaderBytes + record * count;
  if (words_at > bytes.size()) {
    return make_error(ErrorCode::kParse,
                      "file shorter than its " + std::to_string(count) + " vectors");
  }
  auto out = std::make_unique<WordVectors>();
  out->bytes_ = std::move(bytes);
  out->dimensions_ = dims;
  out->index_.reserve(count);
  const std::string_view all(out->bytes_);
  std::size_t at = words_at;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t end = all.find('\0', at);
    if (end == std::string_view::npos) {
      return make_error(ErrorCode::kParse, "word list cut short at word " + std::to_string(i));
    }
    out->index_.try_emplace(all.substr(at, end - at), i);
    at = end + 1;
  }
  return out;
}

std::optional<WordVectors::Entry> WordVectors::find(std::string_view word) const {
  const auto it = index_.find(word);
  if (it == index_.end()) {
    return std::nullopt;
  }
  const std::size_t at = kHeaderBytes + (4 + dimensions_) * it->second;
  Entry e;
  std::memcpy(&e.scale, bytes_.data() + at, sizeof e.scale);
  e.values = reinterpret_cast<const std::int8_t*>(bytes_.data() + at + 4);  // NOLINT
  e.rank = it->second;
  return e;
}

std::size_t WordVectors::memory_bytes() const {
  return bytes_.capacity() +
         index_.size() * (sizeof(std::string_view) + sizeof(std::uint32_t) + 2 * sizeof(void*)) +
         index_.bucket_count() * sizeof(void*);
}

std::vector<float> sentence_vector(const std::vector<AnalyzedToken>& tokens,
                                   const WordVectors& vectors) {
  const std::size_t dims = vectors.dimensions();
  std::vector<float> out(2 * dims, 0.0F);
  std::vector<float> max(dims, -1e30F);
  std::size_t used = 0;
  for (const bool stop_words : {false, true}) {
    for (const auto& tok : tokens) {
      if (tok.stop != stop_words) {
        continue;
      }
      const auto e = vectors.find(tok.text);
      if (!e) {
        continue;
      }
      const double p = 1.0 / ((static_cast<double>(e->rank) + kZipfShift) * kZipfNorm);
      const auto w = static_cast<float>(kSifA / (kSifA + p)) * e->scale;
      for (std::size_t d = 0; d < dims; ++d) {
        const float v = static_cast<float>(e->values[d]);
        out[d] += w * v;
        max[d] = std::max(max[d], e->scale * v);
      }
      ++used;
    }
    if (used > 0) {
      break;
    }
  }
  if (used == 0) {
    return {};
  }
  std::copy(max.begin(), max.end(), out.begin() + static_cast<long>(dims));
  normalise(out, 0, dims);
  normalise(out, dims, dims);
  return out;
}

std::string word_vectors_path(std::string_view language) {
  if (primary_language(language) != "en") {
    return {};
  }
  constexpr const char* kFile = "en.bin";
  // NOLINTNEXTLINE(concurrency-mt-unsafe): Baton never writes the environment (setenv, putenv)
  if (const char* dir = std::getenv("BATON_WORD_VECTORS_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/" + kFile;
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share/baton/word-vectors" / kFile;
    if (std::filesystem::exists(installed, ec)) {
      return installed.string();
    }
  }
  return std::string(BATON_BUILD_WORD_VECTORS_DIR) + "/" + kFile;
}

namespace {

struct LoadedVectors {
  std::unique_ptr<WordVectors> vectors;
  Status status;
};

std::mutex& vectors_mutex() {
  static std::mutex m;
  return m;
}

// Never destroyed: classifiers may outlive static destruction order.
std::map<std::string, LoadedVectors, std::less<>>& all_vectors() {
  static auto* m = new std::map<std::string, LoadedVectors, std::less<>>();
  return *m;
}

const LoadedVectors& loaded(std::string_view language) {
  const std::string primary = primary_language(language);
  const std::lock_guard lock(vectors_mutex());
  auto& all = all_vectors();
  if (auto it = all.find(primary); it != all.end()) {
    return it->second;
  }
  LoadedVectors entry;
  const std::string path = word_vectors_path(primary);
  if (path.empty()) {
    entry.status =
        make_error(ErrorCode::kNotFound, "no word vectors for language '" + primary + "'");
  } else if (auto v = WordVectors::load(path); v.ok()) {
    entry.vectors = std::move(v).value();
  } else {
    entry.status = make_error(v.error().code, v.error().message +
                                                  " (the build writes it from web/node_modules: "
                                                  "run scripts/setup.sh, then build)");
  }
  return all.emplace(primary, std::move(entry)).first->second;
}

}  // namespace

const WordVectors* word_vectors_for(std::string_view language) {
  return loaded(language).vectors.get();
}

Status word_vectors_status(std::string_view language) { return loaded(language).status; }

}  // namespace baton::nlu
