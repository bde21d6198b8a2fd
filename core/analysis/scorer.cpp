#include "core/analysis/scorer.h"

#include <cmath>
#include <memory>

namespace mergelab::analysis {

bool Scorer::better(double x, double y) const {
  if (std::isnan(x)) return false;
  if (std::isnan(y)) return true;
  return lower_is_better ? x < y : x > y;
}

Scorer classifier_scorer(const eval::MlpConfig& config, const std::vector<eval::TensorSlot>& layout,
                         const eval::TaskSet& tasks) {
  // Shared, immutable copies: the scorer outlives the caller's arguments and is copied freely.
  auto cfg = std::make_shared<const eval::MlpConfig>(config);
  auto slots = std::make_shared<const std::vector<eval::TensorSlot>>(layout);
  eval::TaskSet only_tasks;
  only_tasks.tasks = tasks.tasks;
  auto data = std::make_shared<const eval::TaskSet>(std::move(only_tasks));

  Scorer s;
  for (const auto& t : data->tasks) {
    s.metric_names.push_back(t.name + ".acc");
    s.metric_names.push_back(t.name + ".loss");
  }
  s.metric_names.push_back("combined.acc");
  s.combined_name = "combined.loss";
  s.lower_is_better = true;
  s.score = [cfg, slots, data](const Eigen::VectorXf& flat) {
    const auto views = eval::split_flat(std::span<const float>(flat.data(), static_cast<std::size_t>(flat.size())), *slots);
    const eval::EvalReport r = eval::evaluate(eval::MlpClassifier::from_weights(*cfg, views), *data);
    PointScore p;
    for (const auto& t : r.tasks) {
      p.metrics.push_back(t.metrics.accuracy);
      p.metrics.push_back(t.metrics.cross_entropy);
    }
    p.metrics.push_back(r.combined_accuracy);
    p.combined = r.combined_cross_entropy;
    return p;
  };
  // Fail now, with the evaluator's message, rather than on the first worker thread.
  if (!layout.empty()) {
    std::size_t n = 0;
    for (const auto& t : layout) {
      std::size_t k = 1;
      for (auto d : t.shape) k *= static_cast<std::size_t>(d);
      n += k;
    }
    s.score(Eigen::VectorXf::Zero(static_cast<Eigen::Index>(n)));
  }
  return s;
}

}  // namespace mergelab::analysis
