#include "core/toy/lab.h"

#include <algorithm>
#include <stdexcept>

#include "core/merge/registry.h"

namespace mergelab::toy {

const std::vector<std::string>& lab_methods() {
  static const std::vector<std::string> names = {"linear", "task_arithmetic", "ties", "dare_ties", "slerp", "dare_linear"};
  return names;
}

std::vector<std::string> lab_all_methods() {
  std::vector<std::string> names = lab_methods();
  for (const auto& m : merge::method_registry())
    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  return names;
}

std::vector<double> lab_scores(const LabToy& toy, const Eigen::VectorXd& w) {
  std::vector<double> out;
  for (const auto& task : toy.tasks) out.push_back(accuracy(task, w));
  return out;
}

Eigen::VectorXd lab_merge(const LabToy& toy, const std::string& method, const LabSettings& s) {
  using namespace mergelab::merge;
  const MethodSpec* spec = find_method(method);
  if (!spec) throw std::invalid_argument("unknown merge method '" + method + "'");
  for (int t : s.tasks)
    if (t < 0 || t >= static_cast<int>(toy.finetuned.size())) throw std::invalid_argument("task index out of range");
  Params params = make_params(*spec, spec->presets.count("article") ? "article" : "");
  params.seed = s.seed;
  MergeInputs<double> in;
  in.size = toy.pretrained.size();
  if (method == "slerp") {
    const int n = static_cast<int>(toy.finetuned.size());
    if (s.slerp_a < 0 || s.slerp_a >= n || s.slerp_b < 0 || s.slerp_b >= n)
      throw std::invalid_argument("slerp: specialist index out of range");
    in.models = {toy.finetuned[static_cast<size_t>(s.slerp_a)].data(), toy.finetuned[static_cast<size_t>(s.slerp_b)].data()};
    params.set("t", s.slerp_t);
    return run_merge(*spec, in, params);
  }
  if (method == "nuslerp") {
    // SLERP's pair of specialists, through their task vectors: weights 1 - t and t give nuslerp's t.
    const int n = static_cast<int>(toy.finetuned.size());
    if (s.slerp_a < 0 || s.slerp_a >= n || s.slerp_b < 0 || s.slerp_b >= n)
      throw std::invalid_argument("nuslerp: specialist index out of range");
    in.base = toy.pretrained.data();
    in.models = {toy.finetuned[static_cast<size_t>(s.slerp_a)].data(), toy.finetuned[static_cast<size_t>(s.slerp_b)].data()};
    params.set_model(0, "weight", 1.0 - s.slerp_t);
    params.set_model(1, "weight", s.slerp_t);
    return run_merge(*spec, in, params);
  }
  if (s.tasks.empty()) throw std::invalid_argument("no specialist selected");
  if (method == "linear") {
    // The article's lerp: theta_0 + alpha * mean(tau) = soup of base and specialists.
    const double n = static_cast<double>(s.tasks.size());
    in.models.push_back(toy.pretrained.data());
    params.set_model(0, "weight", 1.0 - s.alpha);
    for (size_t i = 0; i < s.tasks.size(); ++i) {
      in.models.push_back(toy.finetuned[static_cast<size_t>(s.tasks[i])].data());
      params.set_model(i + 1, "weight", s.alpha / n);
    }
    return run_merge(*spec, in, params);
  }
  in.base = toy.pretrained.data();
  for (int t : s.tasks) in.models.push_back(toy.finetuned[static_cast<size_t>(t)].data());
  if (spec->param("lambda")) params.set("lambda", s.alpha);
  if (spec->param("sign_rule")) params.set("sign_rule", s.sign_rule);
  if (method == "ties") params.set("density", s.k);
  if (method == "dare_ties" || method == "dare_linear") params.set("density", 1.0 - s.p);
  if (method == "dare_ties") params.set("k", s.k);
  return run_merge(*spec, in, params);
}

LabRow evaluate_lab_method(const LabToy& toy, const std::string& method, const LabSettings& s) {
  LabRow row;
  row.method = method;
  row.label = merge::find_method(method) ? merge::find_method(method)->label : method;
  row.weights = lab_merge(toy, method, s);
  row.accuracy = lab_scores(toy, row.weights);
  double sum = 0.0;
  for (double a : row.accuracy) sum += a;
  row.combined = row.accuracy.empty() ? 0.0 : sum / static_cast<double>(row.accuracy.size());
  return row;
}

std::vector<LabRow> evaluate_lab(const LabToy& toy, const std::vector<std::string>& methods, const LabSettings& s) {
  std::vector<LabRow> rows;
  for (const auto& m : methods) rows.push_back(evaluate_lab_method(toy, m, s));
  return rows;
}

size_t lab_winner(const std::vector<LabRow>& rows) {
  size_t best = 0;
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i].combined > rows[best].combined) best = i;
  return best;
}

}  // namespace mergelab::toy
