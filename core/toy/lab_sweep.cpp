#include "core/toy/lab_sweep.h"

#include <cmath>
#include <stdexcept>

#include "core/merge/registry.h"

namespace mergelab::toy {

std::vector<double> sweep_values(double lo, double hi, int n) {
  if (n <= 0) return {};
  if (n == 1) return {lo};
  std::vector<double> out(static_cast<size_t>(n));
  // lo + i * step rounded to 1e-12 so 0.05 steps print and compare as the decimals they stand for.
  const double step = (hi - lo) / (n - 1);
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)] = std::round((lo + i * step) * 1e12) / 1e12;
  return out;
}

std::vector<double> default_sweep_alphas() { return sweep_values(0.0, 2.0, 41); }

std::vector<double> default_sweep_values(SweepAxis axis) {
  return axis == SweepAxis::K ? sweep_values(0.05, 1.0, 20) : sweep_values(0.0, 0.95, 20);
}

bool lab_method_uses(const std::string& method, SweepAxis axis) {
  if (axis == SweepAxis::K) return method == "ties" || method == "dare_ties";
  return method == "dare_linear" || method == "dare_ties";
}

std::string default_sweep_method(SweepAxis axis) { return axis == SweepAxis::K ? "ties" : "dare_ties"; }

double fast_accuracy(const Dataset& data, const Eigen::VectorXd& w) {
  // sigmoid(z) > 0.5 is false for every z <= 0 (the stable sigmoid's negative branch e/(1+e) never
  // rounds above 0.5) and true for every z > 1e-14 (1/(1 + exp(-z)) is then at least two ulps
  // above 0.5). Only logits in between go through the sigmoid, so predictions equal accuracy()'s.
  const Eigen::VectorXd z = data.X * w;
  Eigen::Index correct = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    bool positive;
    if (z[i] > 1e-14) positive = true;
    else if (z[i] <= 0.0) positive = false;
    else positive = sigmoid(z[i]) > 0.5;
    if ((positive ? 1.0 : 0.0) == data.y[i]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(z.size());
}

namespace {

/// The toy with the pretrained vector moved to 0 and each specialist replaced by its task vector
/// (finetuned - pretrained, the same subtraction the merge methods do). A task-vector method run on
/// it at alpha 1 returns 0 + 1 * tau_merged: the merged task vector itself, bit for bit.
LabToy zero_based(const LabToy& toy) {
  LabToy z;
  z.tasks = {};  // not needed: only merged weights are taken from this toy
  z.pretrained = Eigen::VectorXd::Zero(toy.pretrained.size());
  for (const auto& ft : toy.finetuned) z.finetuned.push_back(ft - toy.pretrained);
  z.task_vectors = z.finetuned;
  return z;
}

double combined_accuracy(const LabToy& toy, const Eigen::VectorXd& w) {
  double sum = 0.0;
  for (const auto& task : toy.tasks) sum += fast_accuracy(task, w);
  return sum / static_cast<double>(toy.tasks.size());
}

}  // namespace

SweepMap sweep_lab_map(const LabToy& toy, const std::string& method, const LabSettings& settings, SweepAxis axis,
                       const std::vector<double>& alphas, const std::vector<double>& values) {
  if (!merge::find_method(method)) throw std::invalid_argument("sweep: unknown merge method '" + method + "'");
  if (alphas.empty() || values.empty()) throw std::invalid_argument("sweep: empty grid");
  if (toy.tasks.empty()) throw std::invalid_argument("sweep: the toy has no tasks");
  SweepMap map;
  map.method = method;
  map.axis = axis;
  map.alphas = alphas;
  map.values = values;
  map.combined.resize(static_cast<Eigen::Index>(values.size()), static_cast<Eigen::Index>(alphas.size()));
  const LabToy zero = zero_based(toy);
  LabSettings s = settings;
  double best = -1.0;
  for (size_t r = 0; r < values.size(); ++r) {
    (axis == SweepAxis::K ? s.k : s.p) = values[r];
    // Most methods are theta_0 + alpha * tau_merged with tau_merged independent of alpha: merge once
    // per row and form each cell's weights as the method does. A probe at the row's second alpha
    // checks that this is bit-identical to lab_merge; methods where it is not (the lab's lerp is a
    // soup of the base and the specialists, SLERP ignores alpha) are merged cell by cell.
    s.alpha = 1.0;
    const Eigen::VectorXd merged_tv = lab_merge(zero, method, s);
    s.alpha = alphas.size() > 1 ? alphas[1] : alphas[0];
    const Eigen::VectorXd probe = lab_merge(toy, method, s);
    const Eigen::VectorXd probe_fast = toy.pretrained + s.alpha * merged_tv;
    const bool affine = probe == probe_fast;
    for (size_t c = 0; c < alphas.size(); ++c) {
      s.alpha = alphas[c];
      const Eigen::VectorXd w = affine ? Eigen::VectorXd(toy.pretrained + s.alpha * merged_tv) : lab_merge(toy, method, s);
      const double combined = combined_accuracy(toy, w);
      map.combined(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = combined;
      if (combined > best) {
        best = combined;
        map.best_row = static_cast<Eigen::Index>(r);
        map.best_col = static_cast<Eigen::Index>(c);
      }
    }
  }
  return map;
}

}  // namespace mergelab::toy
