// The non-tensor files of a merge's output folder, so it loads in transformers as the base did:
//  - config.json: the base's (else the first model's; the tokenizer source gives only its tokenizer files) with num_hidden_layers (or n_layer / num_layers, whichever it has) set to the output's
//    layer count, vocab_size to the output's embedding rows and torch_dtype to the output's float dtype; written
//    only when one of them changes (else the file is copied byte for byte);
//  - README.md: a model card as mergekit writes one: YAML front matter (base_model: the inputs, tags: [merge,
//    mergekit, mergelab], library_name: transformers), the method, the models and the recipe as mergekit YAML.
// The remaining files (tokenizer files, generation_config.json, ...) are MergePlan::copied_files (output_copies).
#pragma once

#include <string>
#include <vector>

#include "core/engine/engine.h"

namespace mergelab::engine {

/// Fills plan.generated_files (config.json when it changes, README.md) from the planned tensors and
/// plan.copied_files. Throws nothing: a config.json that is not a JSON object is copied as it is.
void add_output_files(MergePlan& plan);

/// The non-tensor files of `dir` (a model folder) to copy into the output; with a tokenizer_source, its folder's
/// tokenizer files instead of `dir`'s.
std::vector<std::string> output_copies(const recipe::Recipe& recipe, const std::string& dir);

/// The model card text for a recipe (paths as written in it).
std::string model_card(const recipe::Recipe& recipe, const std::vector<std::string>& inputs);

}  // namespace mergelab::engine
