// Weight-space analyses on the digits fixtures (64 -> 64 -> 10 MLP, 4810 parameters; test split: 3 tasks, 359 rows),
// scored by the built-in classifier (per-task accuracy and cross-entropy), on 1 and 2 threads (the argument).
//   BM_Path21Lerp    ft_task0 -> ft_task1, 21 LERP points (no refinement)
//   BM_Path21Slerp   the same with mergekit's per-tensor SLERP
//   BM_Plane21x21    base + a tau_0 + b tau_1 over a 21 x 21 grid (441 points)
//   BM_Landscape2D   2-D filter-normalised landscape around multitask, 21 x 21 points
// and on the tiny LM family (tests/data/tinylm: Llama, 427,680 parameters), scored by the LM evaluator (mean NLL per
// token on the first 2 test documents of each of its 3 tasks, 64-token windows: the GUI's kind of setting):
//   BM_LmPath21Lerp  ft_python -> ft_prose, 21 LERP points
//   BM_LmPlane21x21  base + a tau_python + b tau_prose over a 21 x 21 grid
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "core/analysis/family.h"
#include "core/analysis/flat_models.h"
#include "core/analysis/landscape.h"
#include "core/analysis/path.h"
#include "core/analysis/plane.h"
#include "core/analysis/scorer.h"
#include "core/eval/dataset.h"
#include "core/eval/mlp.h"

namespace fs = std::filesystem;
using namespace mergelab;

namespace {

// The bench targets get no MERGELAB_TEST_DATA define: take the env var, else tests/data beside this file.
fs::path test_data() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return fs::path(__FILE__).parent_path().parent_path() / "data";
}
const fs::path kDigits = test_data() / "digits";

analysis::FlatModels load(const std::vector<std::string>& names) {
  std::vector<fs::path> paths;
  for (const auto& n : names) paths.push_back(kDigits / "models" / n);
  return analysis::load_flat_models(paths);
}

analysis::Scorer scorer(const analysis::Layout& layout) {
  return analysis::classifier_scorer(eval::load_mlp_config(kDigits / "models" / "base"), layout,
                                     eval::load_data_dir(kDigits / "data", "test"));
}

void path_bench(benchmark::State& state, analysis::PathMethod method) {
  const auto m = load({"ft_task0", "ft_task1"});
  const auto s = scorer(m.layout);
  const analysis::RunControl run{.threads = static_cast<int>(state.range(0))};
  double barrier = 0;
  for (auto _ : state) {
    const auto r = analysis::interpolation_path(m.layout, m.vectors[0], m.vectors[1], s,
                                                {.method = method, .points = 21, .refine = 0}, run);
    barrier += r.barrier.height;
  }
  benchmark::DoNotOptimize(barrier);
  state.counters["points/s"] = benchmark::Counter(21.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Path21Lerp(benchmark::State& state) { path_bench(state, analysis::PathMethod::Lerp); }
void BM_Path21Slerp(benchmark::State& state) { path_bench(state, analysis::PathMethod::Slerp); }

void BM_Plane21x21(benchmark::State& state) {
  const auto m = load({"base", "ft_task0", "ft_task1"});
  const auto s = scorer(m.layout);
  const analysis::RunControl run{.threads = static_cast<int>(state.range(0))};
  double sum = 0;
  for (auto _ : state) {
    const auto r = analysis::task_plane(m.layout, m.vectors[0], m.vectors[1], m.vectors[2], s, {.grid = 21}, run);
    sum += r.cells[0].combined;
  }
  benchmark::DoNotOptimize(sum);
  state.counters["points/s"] = benchmark::Counter(441.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Landscape2D(benchmark::State& state) {
  const auto m = load({"multitask"});
  const auto s = scorer(m.layout);
  const analysis::RunControl run{.threads = static_cast<int>(state.range(0))};
  double sum = 0;
  for (auto _ : state) {
    const auto r = analysis::loss_landscape(m.layout, m.vectors[0], s, {.dims = 2, .points = 21}, run);
    sum += r.cells[0].combined;
  }
  benchmark::DoNotOptimize(sum);
  state.counters["points/s"] = benchmark::Counter(441.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The tiny LM family with its scorer, loaded once per benchmark.
analysis::ScoredFamily tinylm(const std::vector<std::string>& names) {
  const fs::path root = test_data() / "tinylm";
  std::vector<fs::path> paths;
  for (const auto& n : names) paths.push_back(root / "models" / n);
  analysis::FamilyOptions opt;
  opt.lm.max_docs = 2;
  opt.lm.window = 64;
  return analysis::load_scored_family(paths, root / "data", opt);
}

void BM_LmPath21Lerp(benchmark::State& state) {
  const auto f = tinylm({"ft_python", "ft_prose"});
  const analysis::RunControl run{.threads = static_cast<int>(state.range(0))};
  double barrier = 0;
  for (auto _ : state) {
    const auto r = analysis::interpolation_path(f.models.layout, f.models.vectors[0], f.models.vectors[1], f.scorer,
                                                {.method = analysis::PathMethod::Lerp, .points = 21, .refine = 0}, run);
    barrier += r.barrier.height;
  }
  benchmark::DoNotOptimize(barrier);
  state.counters["points/s"] = benchmark::Counter(21.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_LmPlane21x21(benchmark::State& state) {
  const auto f = tinylm({"base", "ft_python", "ft_prose"});
  const auto& v = f.models.vectors;
  const analysis::RunControl run{.threads = static_cast<int>(state.range(0))};
  double sum = 0;
  for (auto _ : state) {
    const auto r = analysis::task_plane(f.models.layout, v[0], v[1], v[2], f.scorer, {.grid = 21}, run);
    sum += r.cells[0].combined;
  }
  benchmark::DoNotOptimize(sum);
  state.counters["points/s"] = benchmark::Counter(441.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_Path21Lerp)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Path21Slerp)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Plane21x21)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Landscape2D)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LmPath21Lerp)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_LmPlane21x21)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
