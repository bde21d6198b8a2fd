// mergekit YAML configs in and out.
//
// Read: merge_method, base_model, models[].model / models[].parameters, parameters, dtype, out_dtype.
//  - `slices` / `layer_range` / `modules` are refused with a clear message (MergeLab merges whole models).
//  - tokenizer_source, tokenizer, chat_template are ignored with a warning (the base's tokenizer files are
//    copied as they are).
//  - model paths must be local: relative to the YAML's folder, or absolute. A name that is not a local path
//    (e.g. a Hugging Face hub id "org/model") is refused. "BASE+ADAPTER" (mergekit's LoRA syntax) is accepted
//    when BASE is the base_model: the model is the PEFT adapter applied to the base.
//  - parameter values: numbers, booleans, lists of numbers (gradients), lists of {filter, value}; `rescale`
//    true/false maps to MergeLab's l1/none; choice parameters take their choice name ("count", "topk", ...).
// Write: a valid mergekit config for any recipe. Parameters that mergekit does not know (MergeLab's rule
// options such as sign_rule) are written too, so the YAML reads back into the same recipe; mergekit ignores
// them, and a comment at the top of the file says which ones and what mergekit does instead.
#pragma once

#include <string>

#include "core/recipe/recipe.h"

namespace mergelab::recipe {

struct YamlReadOptions {
  bool check_paths = true;  ///< every model/base path must exist locally
};

/// Reads a mergekit YAML file; base_dir = the file's folder. Throws RecipeError "<file>: <problem>".
Recipe read_mergekit_yaml(const std::string& path, const YamlReadOptions& options = {});
/// Same from text; `source` names it in messages, `base_dir` resolves relative paths.
Recipe parse_mergekit_yaml(const std::string& text, const std::string& source, const std::string& base_dir,
                           const YamlReadOptions& options = {});

/// The recipe as mergekit YAML. Paths are written as they are when `target_dir` is empty or is the recipe's
/// base_dir, else resolved to absolute paths (so the file works wherever it is saved).
std::string to_mergekit_yaml(const Recipe& recipe, const std::string& target_dir = "");

/// Writes to_mergekit_yaml(recipe, folder of path) to `path` atomically (temp + rename).
void write_mergekit_yaml(const Recipe& recipe, const std::string& path);

/// True for the parameter names mergekit itself reads (weight, density, lambda, t, normalize, rescale, gamma,
/// epsilon, filter_wise, int8_mask).
bool is_mergekit_param(const std::string& name);

}  // namespace mergelab::recipe
