#include "core/analysis/family.h"

#include "core/eval/dataset.h"
#include "core/eval/mlp.h"
#include "core/lm/config.h"

namespace mergelab::analysis {

namespace fs = std::filesystem;

bool is_language_model(const fs::path& model_dir) { return lm::is_lm_model_dir(model_dir); }

ScoredFamily load_scored_family(const std::vector<fs::path>& paths, const fs::path& data_dir, const FamilyOptions& options) {
  if (paths.empty()) throw eval::DataError("no checkpoint given");
  std::error_code ec;
  for (const auto& p : paths)
    if (!fs::exists(p, ec)) throw eval::DataError(p.string() + ": no such file or directory");
  if (!fs::is_directory(data_dir, ec)) throw eval::DataError(data_dir.string() + ": not a data folder");
  ScoredFamily f;
  f.language_model = is_language_model(paths[0]);
  if (f.language_model) {
    LmDataOptions lm_opt = options.lm;
    lm_opt.split = options.split;
    const LmScorerData data = load_lm_scorer_data(paths[0], data_dir, lm_opt);
    f.models = load_flat_models(paths);
    f.scorer = lm_scorer(data, f.models.layout);
    return f;
  }
  const eval::MlpConfig config = eval::load_mlp_config(paths[0]);
  f.models = load_flat_models(paths);
  f.scorer = classifier_scorer(config, f.models.layout, eval::load_data_dir(data_dir, options.split));
  return f;
}

}  // namespace mergelab::analysis
