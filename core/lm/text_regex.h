// A tokenizer.json regex (Split pre-tokenizer, Replace normalizer, the ByteLevel GPT-2 split), evaluated
// with ICU on UTF-8 text: ICU has the Unicode categories (\p{L}, \p{N}), lookahead (\s+(?!\S)) and inline
// flags ((?i:'s|'t)) that these patterns use.
//
//   const TextRegex re(R"('s|'t| ?\p{L}+|\s+(?!\S)|\s+)");   // compiled once, shared by threads
//   TextRegex::Matcher m(re);                                 // one per thread / per call
//   m.find_all("it's here", matches);                         // byte ranges, left to right
//
// The GPT-2 split regex (kGpt2SplitRegex, the one ByteLevel(use_regex) applies and many Split steps carry)
// is matched by a hand-written scanner with the same leftmost-first semantics and ICU's character classes,
// about ten times faster than the regex engine; tests pin it to ICU's result.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mergelab::lm {

/// The GPT-2 split regex that ByteLevel(use_regex: true) applies.
inline constexpr const char* kGpt2SplitRegex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class TextRegex {
 public:
  /// Compiles `pattern` (ICU syntax, which covers the Oniguruma patterns tokenizer.json files carry).
  /// `allow_scanner`: use the hand-written scanner when `pattern` is kGpt2SplitRegex (false: always ICU).
  /// Throws LmError "invalid regex '<pattern>': <ICU problem> at offset N" (no file name: callers add it).
  explicit TextRegex(const std::string& pattern, bool allow_scanner = true);
  ~TextRegex();
  TextRegex(const TextRegex&) = delete;
  TextRegex& operator=(const TextRegex&) = delete;

  const std::string& pattern() const { return pattern_; }
  /// True when matching goes through the GPT-2 scanner rather than ICU.
  bool uses_scanner() const { return scanner_; }

  /// Match state for one thread. Not shareable; cheap to keep per encode() call.
  class Matcher {
   public:
    explicit Matcher(const TextRegex& regex);
    ~Matcher();
    /// Replaces `matches` with the [begin, end) byte ranges of the successive non-overlapping matches in
    /// `text` (UTF-8), leftmost first; empty matches are left out.
    void find_all(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& matches);

   private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

 private:
  struct Impl;
  std::string pattern_;
  bool scanner_ = false;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mergelab::lm
