// tokenizer.json `normalizer`: null, NFC, Prepend, Replace (String or Regex pattern) and Sequence of
// these. Anything else (NFKC, Lowercase, BertNormalizer, Strip, ...) is refused at load time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mergelab::lm {

class TextRegex;

class Normalizer {
 public:
  /// From the `normalizer` JSON value (null = identity). Throws LmError "<file>: normalizer...: <problem>".
  static Normalizer from_json(const nlohmann::json& j, const std::string& file);

  /// True when apply() returns its input unchanged.
  bool identity() const { return steps_.empty(); }

  /// The normalized text (UTF-8 in and out). Thread-safe.
  std::string apply(std::string_view text) const;

 private:
  struct Step {
    enum Kind { Nfc, Prepend, ReplaceString, ReplaceRegex } kind;
    std::string text;     ///< Prepend: what to prepend; Replace: the replacement
    std::string pattern;  ///< ReplaceString: the literal searched for
    std::shared_ptr<const TextRegex> regex;
  };
  static void parse(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps);

  std::vector<Step> steps_;
};

}  // namespace mergelab::lm
