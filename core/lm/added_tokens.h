// tokenizer.json `added_tokens`: strings split out of the text before anything else, each becoming its id.
//
// Matching is leftmost-longest over all tokens of a set (tokenizers' aho-corasick LeftmostLongest): scanning
// left to right, the first position where some token starts wins, and the longest token starting there.
// single_word tokens only count when no word character (letter, digit, '_') touches them; lstrip / rstrip
// tokens also swallow the whitespace before / after them. Tokens with `normalized: false` are matched on the
// raw text, the others on each normalized segment (with their content normalized the same way).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mergelab::lm {

struct AddedToken {
  std::string content;
  std::int32_t id = 0;
  bool special = false, lstrip = false, rstrip = false, single_word = false, normalized = true;
};

class AddedTokenMatcher {
 public:
  /// A matcher over `tokens`, each matched by its `patterns[i]` (the content, or the normalized content).
  AddedTokenMatcher() = default;
  AddedTokenMatcher(std::vector<AddedToken> tokens, std::vector<std::string> patterns);

  bool empty() const { return tokens_.empty(); }

  /// A part of the text: either text to tokenize (id -1) or an added token (its id). `offset`: where the part
  /// starts in the text.
  struct Segment {
    std::string_view text;
    std::int32_t id;
    std::size_t offset;
  };

  /// Appends the parts of `text` to `out`, in order; they cover `text` exactly. Thread-safe.
  void split(std::string_view text, std::vector<Segment>& out) const;

 private:
  std::vector<AddedToken> tokens_;
  std::vector<std::string> patterns_;
  std::vector<std::vector<std::uint32_t>> by_first_byte_;  ///< 256 lists of token indices, longest first
};

}  // namespace mergelab::lm
