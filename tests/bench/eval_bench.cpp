// Built-in evaluator speed on the digits fixtures (64 -> 64 -> 10 MLP; test split: 3 tasks, 359 rows,
// plus the pooled 359 rows).
//   BM_EvaluateTestSplit        one full evaluation (per-task + pooled accuracy and cross-entropy)
//   BM_MergeAndEvaluate         task arithmetic in memory (base + alpha * sum of task vectors) + set_weights +
//                               full evaluation: one point of a sweep / one CMA-ES candidate
//   BM_RegistryMergeAndEvaluate the same through MergeFamily and the method registry (per-tensor run_merge,
//                               a new classifier per point): task_arithmetic, ties, dare_ties
//   BM_RecipeMergeAndEvaluate   the per-tensor-params path of sweep/evolve: copy the recipe, write the point into it
//                               (search::apply_point), resolve Params per tensor as the engine does, merge, evaluate.
//                               task_arithmetic on the digits family renamed to numbered layers (layers.0/1):
//                               /scalar = lambda only, /gradient = three per-model weights as 2-point gradients
//   BM_LoadCheckpoint           config.json + safetensors read into a classifier
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "core/checkpoint/checkpoint.h"
#include "core/eval/merge_eval.h"
#include "core/eval/mlp.h"
#include "core/search/recipe_space.h"

namespace fs = std::filesystem;
using namespace mergelab::eval;

namespace {

// The bench targets get no MERGELAB_TEST_DATA define: take the env var, else tests/data beside this file.
fs::path test_data() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return fs::path(__FILE__).parent_path().parent_path() / "data";
}
const fs::path kDigits = test_data() / "digits";

void BM_EvaluateTestSplit(benchmark::State& state) {
  const auto model = MlpClassifier::load(kDigits / "models" / "base");
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  double acc = 0;
  for (auto _ : state) {
    const EvalReport r = evaluate(model, test);
    benchmark::DoNotOptimize(r.combined_accuracy);  // const overload: the "+m,r" one miscompiles doubles on GCC 12
    acc = r.combined_accuracy;
  }
  state.counters["rows"] = static_cast<double>(test.pooled.rows() * 2);
  state.counters["evals/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["combined_acc"] = acc;
}
BENCHMARK(BM_EvaluateTestSplit)->Unit(benchmark::kMicrosecond);

void BM_MergeAndEvaluate(benchmark::State& state) {
  using mergelab::ckpt::Checkpoint;
  const auto base = Checkpoint::open((kDigits / "models" / "base").string());
  std::vector<Checkpoint> fts;
  for (int i = 0; i < 3; ++i)
    fts.push_back(Checkpoint::open((kDigits / "models" / ("ft_task" + std::to_string(i))).string()));
  std::vector<std::string> names;
  std::vector<std::vector<std::uint64_t>> shapes;
  std::vector<Eigen::VectorXf> base_values, task_sum, merged;
  for (const auto& info : base.tensors()) {
    names.push_back(info.name);
    shapes.push_back(info.shape);
    base_values.push_back(base.read_vector(info.name));
    Eigen::VectorXf sum = Eigen::VectorXf::Zero(base_values.back().size());
    for (const auto& ft : fts) sum += ft.read_vector(info.name) - base_values.back();
    task_sum.push_back(sum);
    merged.push_back(base_values.back());
  }
  auto views_of = [&] {
    WeightViews v;
    for (size_t i = 0; i < names.size(); ++i)
      v[names[i]] = {std::span<const float>(merged[i].data(), static_cast<size_t>(merged[i].size())), shapes[i]};
    return v;
  };
  auto model = MlpClassifier::from_weights(load_mlp_config(kDigits / "models" / "base"), views_of());
  const TaskSet test = load_data_dir(kDigits / "data", "test");
  const WeightViews views = views_of();  // views into `merged`, refilled in place each iteration
  double alpha = 0.0;
  for (auto _ : state) {
    alpha = alpha >= 1.0 ? 0.0 : alpha + 0.05;
    for (size_t i = 0; i < names.size(); ++i) merged[i] = base_values[i] + static_cast<float>(alpha) * task_sum[i];
    model.set_weights(views);
    const EvalReport r = evaluate(model, test);
    benchmark::DoNotOptimize(r.combined_accuracy);
  }
  state.counters["merges+evals/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MergeAndEvaluate)->Unit(benchmark::kMicrosecond);

void BM_RegistryMergeAndEvaluate(benchmark::State& state, const char* method_name) {
  const fs::path m = kDigits / "models";
  const auto family = MergeFamily::load(m / "base", {m / "ft_task0", m / "ft_task1", m / "ft_task2"});
  const TaskSet val = load_data_dir(kDigits / "data", "val");
  const auto* method = mergelab::merge::find_method(method_name);
  auto params = mergelab::merge::make_params(*method);
  double lambda = 0.0;
  for (auto _ : state) {
    lambda = lambda >= 1.0 ? 0.0 : lambda + 0.05;
    params.set("lambda", lambda);
    const EvalReport r = family.evaluate(*method, params, val);
    benchmark::DoNotOptimize(r.combined_accuracy);
  }
  state.counters["merges+evals/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_RegistryMergeAndEvaluate, task_arithmetic, "task_arithmetic")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RegistryMergeAndEvaluate, ties, "ties")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RegistryMergeAndEvaluate, dare_ties, "dare_ties")->Unit(benchmark::kMicrosecond);

void BM_RecipeMergeAndEvaluate(benchmark::State& state, bool gradient) {
  namespace search = mergelab::search;
  namespace recipe = mergelab::recipe;
  const fs::path m = kDigits / "models";
  const auto digits = MergeFamily::load(m / "base", {m / "ft_task0", m / "ft_task1", m / "ft_task2"});
  MlpConfig config = digits.config();
  config.layers = {"layers.0", "layers.1"};
  std::vector<TensorSlot> layout = digits.layout();
  for (auto& s : layout) s.name.replace(0, 3, s.name.starts_with("fc1") ? "layers.0" : "layers.1");
  std::vector<Eigen::VectorXf> models;
  for (size_t i = 0; i < digits.model_count(); ++i) models.push_back(digits.model(i));
  const MergeFamily family(config, layout, digits.base(), models);
  const TaskSet val = load_data_dir(kDigits / "data", "val");
  recipe::Recipe r;
  r.method = "task_arithmetic";
  r.base_model = "base";
  r.models = {{"ft0", {}}, {"ft1", {}}, {"ft2", {}}};
  const recipe::MergeLayout merge_layout{"base", {"ft0", "ft1", "ft2"}, {0, 1, 2}};
  const std::vector<search::RecipeParam> space =
      gradient ? std::vector<search::RecipeParam>{{"weight", 0, 2}, {"weight", 1, 2}, {"weight", 2, 2}}
               : std::vector<search::RecipeParam>{{"lambda", -1, 1}};
  std::vector<double> point(search::point_size(space), 0.0);
  double v = 0.0;
  for (auto _ : state) {
    v = v >= 1.0 ? 0.0 : v + 0.05;
    for (size_t i = 0; i < point.size(); ++i) point[i] = i % 2 ? v : 1.0 - v;
    recipe::Recipe candidate = r;
    search::apply_point(candidate, merge_layout, space, point);
    const EvalReport rep = family.evaluate(candidate, merge_layout, val);
    benchmark::DoNotOptimize(rep.combined_accuracy);
  }
  state.counters["merges+evals/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_RecipeMergeAndEvaluate, scalar, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RecipeMergeAndEvaluate, gradient, true)->Unit(benchmark::kMicrosecond);

void BM_LoadCheckpoint(benchmark::State& state) {
  for (auto _ : state) {
    auto model = MlpClassifier::load(kDigits / "models" / "ft_task1-sharded");
    benchmark::DoNotOptimize(model.parameter_count());
  }
}
BENCHMARK(BM_LoadCheckpoint)->Unit(benchmark::kMicrosecond);

}  // namespace
