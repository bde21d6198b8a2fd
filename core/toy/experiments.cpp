#include "core/toy/experiments.h"

#include "core/merge/linear.h"
#include "core/merge/registry.h"
#include "core/merge/stats.h"
#include "core/merge/task_arithmetic.h"
#include "core/merge/ties.h"

namespace mergelab::toy {

InterpolationExperiment run_interpolation_experiment(const InterpolationSetup& setup, const std::vector<double>& ts) {
  InterpolationExperiment ex;
  ex.toy = train_interpolation_toy(setup);
  for (double t : ts) {
    const Eigen::VectorXd w = merge::lerp<double>(ex.toy.w_a, ex.toy.w_b, t);
    PathPoint p{t, bce_loss(ex.toy.task1, w), bce_loss(ex.toy.task2, w), 0.0};
    p.combined = p.task1 + p.task2;
    ex.points.push_back(p);
  }
  return ex;
}

TaskArithmeticExperiment run_task_arithmetic_experiment(const LabSetup& setup, double alpha, double beta) {
  TaskArithmeticExperiment ex;
  ex.toy = train_lab_toy(setup);
  ex.alpha = alpha;
  ex.beta = beta;
  const auto& tv = ex.toy.task_vectors;
  const Eigen::VectorXd both = ex.toy.pretrained + alpha * merge::weighted_task_sum<double>({tv[0], tv[1]}, {1.0, 1.0});
  const Eigen::VectorXd negated = merge::task_arithmetic<double>(both, {tv[1]}, {-beta});
  for (size_t i = 0; i < 3; ++i) {
    ex.specialist.push_back(accuracy(ex.toy.tasks[i], ex.toy.finetuned[i]));
    ex.merged.push_back(accuracy(ex.toy.tasks[i], both));
  }
  for (size_t i = 0; i < 2; ++i) {
    ex.before_negation.push_back(accuracy(ex.toy.tasks[i], both));
    ex.after_negation.push_back(accuracy(ex.toy.tasks[i], negated));
  }
  return ex;
}

TiesExperiment run_ties_experiment(const TiesDemoSetup& setup, double k) {
  const auto tvs = make_ties_demo_vectors(setup);
  const merge::VecViews<double> views(tvs.begin(), tvs.end());
  TiesExperiment ex;
  ex.n_params = setup.n_params;
  ex.conflicts = static_cast<long>(merge::sign_conflicts(views));
  const Eigen::VectorXd average = merge::linear_merge(views, {1.0, 1.0, 1.0}, true);
  merge::TiesOptions opts;  // the article's rule: quantile trim, count vote, plain mean
  opts.k = k;
  const Eigen::VectorXd ties = merge::ties_merge(views, {1.0, 1.0, 1.0}, opts);
  ex.average_agreement = merge::sign_agreement<double>(average, views, 0.0);
  ex.ties_agreement = merge::sign_agreement<double>(ties, views, 1e-10);
  ex.ties_sparsity = merge::sparsity<double>(ties);
  return ex;
}

MergeLabExperiment run_merge_lab_experiment(const LabSetup& setup, const LabSettings& settings) {
  const LabToy toy = train_lab_toy(setup);
  MergeLabExperiment ex;
  ex.rows = evaluate_lab(toy, {"linear", "task_arithmetic", "ties", "dare_ties", "slerp"}, settings);
  return ex;
}

}  // namespace mergelab::toy
