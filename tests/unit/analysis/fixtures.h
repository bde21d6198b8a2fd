// The digits fixtures and small hand-made scorers for the weight-space analysis tests.
#pragma once

#include <filesystem>
#include <functional>

#include "core/analysis/flat_models.h"
#include "core/analysis/scorer.h"
#include "core/eval/dataset.h"
#include "core/eval/mlp.h"

namespace mergelab::testing {

inline const std::filesystem::path kDigits = std::filesystem::path(MERGELAB_TEST_DATA) / "digits";
inline const std::filesystem::path kDigitsModels = kDigits / "models";

/// Digits checkpoints by name ("base", "ft_task0", ...), in the given order.
inline analysis::FlatModels digits_models(const std::vector<std::string>& names) {
  std::vector<std::filesystem::path> paths;
  for (const auto& n : names) paths.push_back(kDigitsModels / n);
  return analysis::load_flat_models(paths);
}

/// The classifier scorer of the digits family on a split of tests/data/digits/data.
inline analysis::Scorer digits_scorer(const analysis::Layout& layout, const std::string& split = "test") {
  return analysis::classifier_scorer(eval::load_mlp_config(kDigitsModels / "base"), layout,
                                     eval::load_data_dir(kDigits / "data", split));
}

/// A scorer whose combined value is f(flat[0]) (one metric "x" = flat[0]), lower is better.
inline analysis::Scorer first_value_scorer(std::function<double(double)> f) {
  analysis::Scorer s;
  s.metric_names = {"x"};
  s.combined_name = "f";
  s.score = [f](const Eigen::VectorXf& flat) {
    return analysis::PointScore{{static_cast<double>(flat[0])}, f(static_cast<double>(flat[0]))};
  };
  return s;
}

}  // namespace mergelab::testing
