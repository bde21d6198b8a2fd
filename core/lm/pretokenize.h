// tokenizer.json `pre_tokenizer`: cuts a text segment into the pieces BPE works on.
//
// Supported: ByteLevel (add_prefix_space, use_regex = the GPT-2 split regex), Split (pattern
// {"Regex": ...} evaluated with ICU, or {"String": ...}; behavior Removed / Isolated / MergedWithPrevious /
// MergedWithNext / Contiguous; invert), Digits (individual_digits: each \p{N} character alone, else runs of
// them), Metaspace (replacement, prepend_scheme always / first / never or the older add_prefix_space, split),
// Sequence of these, and null (one piece). ByteLevel must come last: its
// byte -> character mapping is done by the BPE model (BpeModel::encode_piece with byte_level), so pieces
// stay raw bytes here. Anything else (Whitespace, Punctuation, BertPreTokenizer, ...) is refused.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/lm/text_regex.h"

namespace mergelab::lm {

/// How a Split keeps the delimiters it finds (tokenizers' SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

/// One piece of pre-tokenized text. `at_start`: the piece begins where the whole input text begins
/// (Metaspace's prepend_scheme "first" looks at it).
struct Piece {
  std::string_view text;
  bool at_start = false;
};

class PreTokenizer {
 public:
  /// From the `pre_tokenizer` JSON value. Throws LmError "<file>: pre_tokenizer...: <problem>".
  static PreTokenizer from_json(const nlohmann::json& j, const std::string& file);

  /// True when a ByteLevel step is present: pieces are raw bytes for a byte-level BPE.
  bool byte_level() const { return byte_level_; }

  /// Per-thread buffers; the pieces split() returns point into the text or into this scratch and stay valid
  /// until the next split() with the same scratch.
  struct Scratch {
    Scratch();
    ~Scratch();
    std::deque<std::string> arena;  ///< texts rewritten by a step (prefix space, metaspace)
    std::vector<Piece> next;
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    std::vector<std::unique_ptr<TextRegex::Matcher>> matchers;  ///< per step, created on first use
  };

  /// Replaces `out` with the pieces of `text` (a segment between added tokens, already normalized).
  /// Thread-safe (const; state lives in `scratch`).
  void split(std::string_view text, bool at_start, std::vector<Piece>& out, Scratch& scratch) const;

 private:
  struct Step {
    enum Kind { Split, ByteLevel, Metaspace } kind;
    // Split
    std::shared_ptr<const TextRegex> regex;  ///< null for a String pattern
    std::string literal;                     ///< String pattern
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    // ByteLevel
    bool add_prefix_space = false;
    // Metaspace
    std::string replacement;
    enum Prepend { Always, First, Never } prepend = Always;
    bool metaspace_split = true;
  };
  void parse(const nlohmann::json& j, const std::string& where);
  void apply_split(const Step& step, std::size_t index, const Piece& piece, Scratch& s) const;

  std::vector<Step> steps_;
  bool byte_level_ = false;
};

/// Cuts `text` at `matches` (sorted, non-overlapping byte ranges) as tokenizers' NormalizedString::split does
/// for `behavior` and `invert`, appending the non-empty pieces to `out`. Exposed for tests.
void split_by_matches(const Piece& text, const std::vector<std::pair<std::size_t, std::size_t>>& matches,
                      SplitBehavior behavior, bool invert, std::vector<Piece>& out);

}  // namespace mergelab::lm
