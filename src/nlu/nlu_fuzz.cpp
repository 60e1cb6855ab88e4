// libFuzzer target: the classifier and every entity extractor must return (never crash, hang or
// read out of bounds) on arbitrary bytes. The first byte picks the language.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "nlu/classifier.hpp"
#include "nlu/entities.hpp"

namespace {

const baton::nlu::IntentClassifier& classifier() {
  static const auto clf = [] {
    baton::nlu::TrainOptions options;
    return baton::nlu::train_classifier({{"where is my order", "track"},
                                         {"track my package", "track"},
                                         {"i want a refund", "refund"},
                                         {"money back please", "refund"},
                                         {"talk to a human", "__escalate__"},
                                         {"Ich möchte meine Bestellung stornieren", "storno"}},
                                        options);
  }();
  return *clf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* kLanguages[] = {"en", "de", "fr", "es", "xx", ""};
  static const std::vector<baton::nlu::ChoiceOption> choices{
      {"Bellevue", {"bellevue square"}}, {"Seattle Downtown", {"downtown"}}, {"Redmond", {}}};
  static const std::regex pattern(R"([A-Z]{2}\d{4})");
  if (size == 0) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)classifier().classify(text);
  baton::nlu::EntityContext ctx;
  ctx.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'795'000'000));
  ctx.utc_offset_minutes = static_cast<int>(data[0]) * 7 - 840;
  ctx.language = kLanguages[data[0] % 6];
  ctx.choices = &choices;
  ctx.pattern = &pattern;
  for (int t = 0; t <= static_cast<int>(baton::nlu::EntityType::kRegex); ++t) {
    (void)baton::nlu::extract_entity(static_cast<baton::nlu::EntityType>(t), text, ctx);
  }
  return 0;
}
