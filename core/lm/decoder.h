// tokenizer.json `decoder`: token strings back to text.
//
// Supported: ByteLevel (GPT-2 table back to bytes; invalid UTF-8 becomes U+FFFD), Replace (String pattern),
// ByteFallback (<0xNN> runs back to bytes), Fuse, Strip (content, start, stop), Metaspace, Sequence of these;
// null joins the tokens with spaces (as tokenizers does without a decoder). Anything else (WordPiece,
// BPEDecoder, CTC, ...) is refused at load time. Each step maps the list of token strings to a new list,
// as tokenizers' decode_chain does; the result is their concatenation.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mergelab::lm {

class Decoder {
 public:
  /// From the `decoder` JSON value. Throws LmError "<file>: decoder...: <problem>".
  static Decoder from_json(const nlohmann::json& j, const std::string& file);

  /// The text of `tokens` (token strings in order). Thread-safe.
  std::string decode(std::vector<std::string> tokens) const;

 private:
  struct Step {
    enum Kind { ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace } kind;
    std::string from, to;  ///< Replace: literal -> replacement; Metaspace: from = replacement character
    std::string strip;     ///< Strip: the character removed
    int start = 0, stop = 0;
    bool metaspace_prepends = true;  ///< Metaspace: prepend_scheme is not "never"
  };
  static void parse(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps);

  std::vector<Step> steps_;
  bool join_with_spaces_ = false;
};

}  // namespace mergelab::lm
