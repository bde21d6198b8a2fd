// Sweep maps of the Merge Lab (alpha x k, alpha x p) and one full lab table, on the article's toys.
#include <benchmark/benchmark.h>

#include "core/toy/lab_sweep.h"

namespace {
using namespace mergelab::toy;

const LabToy& toy() {
  static const LabToy t = train_lab_toy(LabSetup{});
  return t;
}

void BM_SweepAlphaK_Ties(benchmark::State& state) {
  const auto a = default_sweep_alphas();
  const auto k = default_sweep_values(SweepAxis::K);
  for (auto _ : state) benchmark::DoNotOptimize(sweep_lab_map(toy(), "ties", LabSettings{}, SweepAxis::K, a, k));
}
BENCHMARK(BM_SweepAlphaK_Ties)->Unit(benchmark::kMillisecond);

void BM_SweepAlphaP_DareTies(benchmark::State& state) {
  const auto a = default_sweep_alphas();
  const auto p = default_sweep_values(SweepAxis::P);
  for (auto _ : state) benchmark::DoNotOptimize(sweep_lab_map(toy(), "dare_ties", LabSettings{}, SweepAxis::P, a, p));
}
BENCHMARK(BM_SweepAlphaP_DareTies)->Unit(benchmark::kMillisecond);

void BM_LabTableAllMethods(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(evaluate_lab(toy(), lab_methods(), LabSettings{}));
}
BENCHMARK(BM_LabTableAllMethods)->Unit(benchmark::kMicrosecond);

}  // namespace
