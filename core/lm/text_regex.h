// A tokenizer.json regex (Split pre-tokenizer, Replace normalizer, the ByteLevel GPT-2 split), evaluated
// with ICU on UTF-8 text: ICU has the Unicode categories (\p{L}, \p{N}), lookahead (\s+(?!\S)) and inline
// flags ((?i:'s|'t)) that these patterns use.
//
//   const TextRegex re(R"('s|'t| ?\p{L}+|\s+(?!\S)|\s+)");   // compiled once, shared by threads
//   TextRegex::Matcher m(re);                                 // one per thread / per call
//   m.find_all("it's here", matches);                         // byte ranges, left to right
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mergelab::lm {

class TextRegex {
 public:
  /// Compiles `pattern` (ICU syntax, which covers the Oniguruma patterns tokenizer.json files carry).
  /// Throws LmError "invalid regex '<pattern>': <ICU problem> at offset N" (no file name: callers add it).
  explicit TextRegex(const std::string& pattern);
  ~TextRegex();
  TextRegex(const TextRegex&) = delete;
  TextRegex& operator=(const TextRegex&) = delete;

  const std::string& pattern() const { return pattern_; }

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
  std::unique_ptr<Impl> impl_;
};

}  // namespace mergelab::lm
