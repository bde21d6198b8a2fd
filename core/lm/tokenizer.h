// A Hugging Face tokenizer.json BPE tokenizer: byte-level BPE (GPT-2, Llama-3, Qwen2, SmolLM) and
// SentencePiece-style BPE with byte fallback (Llama-2, Mistral, TinyLlama).
//
//   const Tokenizer tok = Tokenizer::load("models/base");       // tokenizer.json + tokenizer_config.json
//   std::vector<int32_t> ids = tok.encode("def f(x):");          // no BOS; see add_bos() / bos_id()
//   std::string text = tok.decode(ids);                          // == the input for byte-level BPE
//
// encode(): added tokens are split out first (added_tokens.h), each remaining segment is normalized
// (normalizer.h), pre-tokenized (pretokenize.h) and every piece is encoded by the BPE model (bpe.h).
// decode(): token strings through the file's decoder (decoder.h). The post_processor, truncation and padding
// of the file are ignored: ids are the model's, BOS is the caller's business (add_bos()).
// Refused at load time with one LmError "<file>: <problem>": a missing file, malformed JSON, a model other than
// BPE (WordPiece, Unigram, WordLevel), BPE dropout, continuing_subword_prefix / end_of_word_suffix, merges
// naming unknown tokens or producing tokens missing from the vocabulary, and every normalizer, pre-tokenizer
// or decoder the headers above do not list. A Tokenizer is immutable: concurrent encode()/decode() calls
// from many threads are safe (each call keeps its own scratch buffers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mergelab::lm {

class Tokenizer {
 public:
  /// `path`: a model folder (reads tokenizer.json and, when present, tokenizer_config.json) or a
  /// tokenizer.json file (read alone: no BOS/EOS, add_bos() false).
  /// Throws LmError "FILE: problem" (unsupported model type such as WordPiece/Unigram, missing file,
  /// malformed JSON, bad merges...).
  static Tokenizer load(const std::filesystem::path& path);

  /// `tokenizer_json` with the BOS/EOS settings of `config_json` (a tokenizer_config.json), if given.
  static Tokenizer load_files(const std::filesystem::path& tokenizer_json,
                              const std::optional<std::filesystem::path>& config_json);

  /// Token ids of `text` (UTF-8), no BOS added.
  std::vector<std::int32_t> encode(std::string_view text) const;

  /// The text of `ids` (added tokens included, as tokenizers' decode without skip_special_tokens).
  /// Throws LmError for an id outside [0, vocab_size()) or one that no token has.
  std::string decode(std::span<const std::int32_t> ids) const;

  bool add_bos() const;                   ///< tokenizer_config.json add_bos_token (missing = false)
  std::optional<std::int32_t> bos_id() const;  ///< id of tokenizer_config.json bos_token (string or {"content":...}), if any
  std::optional<std::int32_t> eos_id() const;  ///< the same for eos_token
  std::int32_t vocab_size() const;        ///< largest id (vocab + added tokens) + 1

  /// The token's string form, for display (byte-level tokens as stored, e.g. "Ġthe"). Throws LmError for an id
  /// no token has.
  std::string token(std::int32_t id) const;

  /// Id of the token whose string form is `token` (added tokens first, then the vocabulary).
  std::optional<std::int32_t> token_id(std::string_view token) const;

  /// The tokenizer.json this was loaded from (for messages).
  const std::filesystem::path& file() const;

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<const Impl> impl);
  const std::string& checked_token(std::int32_t id) const;
  std::unique_ptr<const Impl> impl_;
};

}  // namespace mergelab::lm
