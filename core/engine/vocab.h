// Vocabulary tensors (embeddings, lm_head: one row per token) of models whose vocabularies differ, as mergekit
// handles them (its tokenizer/build.py permutations and tokenizer/embed.py PermutedEmbeddings):
//  - without tokenizer_source, every input's vocabulary tensors must have the same row count; else
//    check_vocab_rows throws before any tensor data is read, naming the models, the tensor and the sizes;
//  - with tokenizer_source (base, or a model), the output vocabulary is the tokenizer source's: "base" = the
//    base's tokenizer (the first model's when there is no base) without the tokens whose id is >= its config.json
//    vocab_size; a model = that model's tokenizer as it is. Every input's row for a token is found by the token's
//    text in the input's own tokenizer (a model without tokenizer files is taken to use the base's; a token whose
//    id there is >= the model's vocab_size or its tensor's rows counts as missing). A token missing from an input
//    gets a default row: zeros if no input has it, the one input's row if only one has it, else the base's row
//    when the base has it, else the mean of the inputs' rows that have it. Then the method merges the re-ordered
//    rows as any other tensor; the output has one row per output token (config.json vocab_size follows).
//  When every input already has the output's tokens in the output's order and rows, nothing is re-ordered and the
//  result is bit-identical to a merge without tokenizer_source.
// Refused: tokenizer_source: union and the tokenizer: block (core/recipe/mergekit_yaml.cpp), a tokenizer_source
// without readable tokenizer files, embedding widths that differ.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/recipe/recipe.h"

namespace mergelab::engine {

/// A tokenizer's token -> id map: tokenizer.json (model vocab, a map or Unigram's list, plus added_tokens), else
/// vocab.json (+ added_tokens.json). Empty when the folder has neither. Throws EngineError on a malformed file.
std::map<std::string, std::int64_t> read_token_vocab(const std::string& model_folder);

/// The rows of one vocabulary tensor's method inputs in the output's vocabulary.
struct VocabRemap {
  std::uint64_t rows = 0;  ///< output rows
  /// Per method input (the base first when the method has one, then the models, as merge::MergeInputs): the
  /// input's row for each output row, -1 = missing there (the default row is used).
  std::vector<std::vector<std::int64_t>> source_rows;
  /// The rows a default is made of, per output row that some input lacks: (input, row) pairs; one = copied,
  /// several = their mean, none = zeros.
  std::map<std::uint64_t, std::vector<std::pair<int, std::int64_t>>> defaults;

  /// out[k] (rows x cols) from each input's whole tensor in[k] (its own rows x cols).
  void apply(const std::vector<const float*>& in, std::uint64_t cols, std::vector<std::vector<float>>& out) const;
};

/// One opened input of the vocabulary planning.
struct VocabInput {
  std::string path;                          ///< as the plan names it (messages)
  const ckpt::Checkpoint* checkpoint = nullptr;
};

/// The output vocabulary and every input's row for each output token (per plan, shared by its vocab tensors).
struct VocabMapping {
  std::uint64_t rows = 0;
  std::vector<std::vector<std::int64_t>> rows_of_input;  ///< per VocabInput
  bool identity = true;  ///< every input already in the output's order with the output's rows
};

/// Throws EngineError when a vocabulary tensor's rows differ between inputs and the recipe has no
/// tokenizer_source (or when embedding widths differ). Reads headers only. `source` names the recipe file.
void check_vocab_rows(const recipe::Recipe& r, const std::vector<VocabInput>& inputs);

/// With a tokenizer_source: the mapping of every input (input `base` = the base, -1 = none: the first input's
/// tokenizer stands for the base). Reads tokenizer files and config.json only. Throws EngineError.
VocabMapping map_vocabularies(const recipe::Recipe& r, const std::vector<VocabInput>& inputs, int base);

/// The remap of one vocabulary tensor whose method inputs are `inputs` (indices into the mapping's inputs, in
/// merge::MergeInputs order), each with `input_rows` rows; `base_slot` = the position of the recipe's base_model
/// among them (-1 = none), whose row mergekit's default prefers.
std::shared_ptr<const VocabRemap> vocab_remap(const VocabMapping& m, const std::vector<int>& inputs, int base_slot,
                                              const std::vector<std::uint64_t>& input_rows);

struct TensorPlan;
/// Plans vocabulary tensor `tp` (its shape the inputs' but for the rows) for re-ordering: output shape, remap,
/// bytes read. Per method input (MergeInputs order): its index into the mapping's inputs, its checkpoint, its
/// tensor name.
void plan_vocab_tensor(TensorPlan& tp, const VocabMapping& m, const std::vector<int>& slots,
                       const std::vector<const ckpt::Checkpoint*>& inputs, const std::vector<std::string>& names,
                       int base_slot);

}  // namespace mergelab::engine
