// A checkpoint family with the scorer its first model calls for: what every weight-space front end loads.
//
//   ScoredFamily f = load_scored_family({"models/ft_a", "models/ft_b"}, "data", {.split = "test"});
//   f.models.vectors[0], f.scorer.score(...), f.language_model
//
// The first checkpoint's config.json decides the scorer: a language model (lm::is_lm_model_dir) is scored by
// lm_scorer (mean NLL per token per task) with options.lm; otherwise the MLP classifier's config and the data
// folder's classifier split (classifier_scorer). Every checkpoint must have the first one's float tensors.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/analysis/flat_models.h"
#include "core/analysis/lm_scorer.h"
#include "core/analysis/scorer.h"

namespace mergelab::analysis {

struct FamilyOptions {
  std::string split = "test";
  LmDataOptions lm;  ///< tasks, max_docs, window of a language model (its split is `split`)
};

struct ScoredFamily {
  FlatModels models;
  Scorer scorer;
  bool language_model = false;
};

/// True when `model_dir`'s config.json is a language model the LM evaluator runs.
bool is_language_model(const std::filesystem::path& model_dir);

/// Loads the checkpoints and the scorer. Throws (naming the file): eval::DataError for a missing path or data
/// folder, lm::LmError / eval::DataError / ckpt::CheckpointError from the loaders.
ScoredFamily load_scored_family(const std::vector<std::filesystem::path>& paths, const std::filesystem::path& data_dir,
                                const FamilyOptions& options = {});

}  // namespace mergelab::analysis
