// The language-model scorer: a weight-space point scored by the LM evaluator (core/lm/evaluate.h).
//
//   LmScorerData d = load_lm_scorer_data("models/base", "data", {.split = "test", .max_docs = 8, .window = 64});
//   Scorer s = lm_scorer(d, layout);    // per task "<task>.nll", combined "combined.nll" (lower is better)
//
// A point's flat weights (the layout's tensors, as load_flat_models reads them) become an LmModel in memory
// (LmModel::from_weights: nothing is written to disk) and run the perplexity protocol on the prepared tasks:
// "<task>.nll" is the task's mean NLL per predicted token (natural log), "combined.nll" the mean over the tasks
// — the numbers `mergelab eval` prints for the same model, data, window and --max-docs. Only the perplexity
// files are scored (multiple-choice files are left out: the metric is the NLL). Each point runs on one thread:
// the analyses score several points at once (RunControl::threads), so the evaluator itself is not threaded.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/analysis/flat_models.h"
#include "core/analysis/scorer.h"
#include "core/lm/config.h"
#include "core/lm/data.h"

namespace mergelab::analysis {

struct LmDataOptions {
  std::string split = "test";
  std::vector<std::string> tasks;  ///< empty: every task of the folder that has a perplexity file
  int max_docs = 0;                ///< > 0: the first documents of each file only
  int window = 0;                  ///< evaluation window; 0 = the model's default
};

/// The model family's config and the tokenized perplexity tasks, shared by every point.
struct LmScorerData {
  lm::LmConfig config;
  int window = 0;  ///< the window used (resolved from the config when the option was 0)
  std::shared_ptr<const std::vector<lm::PreparedTask>> tasks;
};

/// Reads `model_dir`/config.json, its tokenizer (tokenizer.json, when present; pre-tokenized data needs none) and
/// the perplexity files of `data_dir` for the split. Throws lm::LmError naming the file (no perplexity task,
/// an id past the vocabulary, a window longer than the model's positions) or ckpt errors.
LmScorerData load_lm_scorer_data(const std::filesystem::path& model_dir, const std::filesystem::path& data_dir,
                                 const LmDataOptions& options = {});

/// The scorer over `layout` (which must hold every tensor the model needs). Throws lm::LmError when it does not
/// (checked once here, on the zero point's shapes, not on the first worker thread).
Scorer lm_scorer(const LmScorerData& data, const Layout& layout);

}  // namespace mergelab::analysis
