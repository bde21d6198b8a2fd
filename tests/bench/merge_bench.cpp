// Every registry method on 1 M, 16 M and 64 M-element float vectors with a base and 3 models,
// reported as GB/s of bytes read + written, beside a plain copy of the same bytes.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <memory>

#include "core/merge/registry.h"
#include "core/rng.h"

namespace {

using mergelab::merge::MergeInputs;
using mergelab::merge::Params;

struct Inputs {
  Eigen::VectorXf base;
  std::vector<Eigen::VectorXf> models;
};

const Inputs& inputs(Eigen::Index n) {
  static std::map<Eigen::Index, std::unique_ptr<Inputs>> cache;
  auto& slot = cache[n];
  if (!slot) {
    slot = std::make_unique<Inputs>();
    mergelab::RandomState rng(1);
    slot->base = Eigen::VectorXf::NullaryExpr(n, [&] { return static_cast<float>(rng.random_sample() - 0.5); });
    for (int m = 0; m < 3; ++m) {
      Eigen::VectorXf delta = Eigen::VectorXf::NullaryExpr(n, [&] { return static_cast<float>(rng.random_sample() - 0.5) * 0.01f; });
      slot->models.push_back(slot->base + delta);
    }
  }
  return *slot;
}

void BM_Copy(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const Inputs& in = inputs(n);
  // The same bytes a 3-model merge with a base reads and writes: 4 vectors in, 1 out.
  std::vector<float> dst(static_cast<size_t>(n));
  for (auto _ : state) {
    for (int k = 0; k < 4; ++k) {
      const float* src = k == 0 ? in.base.data() : in.models[static_cast<size_t>(k - 1)].data();
      std::memcpy(dst.data(), src, static_cast<size_t>(n) * sizeof(float));
      benchmark::DoNotOptimize(dst.data());
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(8 * n * sizeof(float)));
}

void BM_Merge(benchmark::State& state, const std::string& method) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const Inputs& in = inputs(n);
  const auto* spec = mergelab::merge::find_method(method);
  Params p = mergelab::merge::make_params(*spec, "mergekit");
  if (method == "ties") p.set("density", 0.2);
  if (method == "dare_linear" || method == "dare_ties") p.set("density", 0.1);
  MergeInputs<float> mi;
  mi.size = n;
  if (spec->needs_base) mi.base = in.base.data();
  const int n_models = spec->max_models == 2 ? 2 : 3;
  for (int m = 0; m < n_models; ++m) mi.models.push_back(in.models[static_cast<size_t>(m)].data());
  for (auto _ : state) {
    Eigen::VectorXf out = mergelab::merge::run_merge(*spec, mi, p);
    benchmark::DoNotOptimize(out.data());
  }
  const int64_t vectors_in = n_models + (spec->needs_base ? 1 : 0);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>((vectors_in + 1) * n * static_cast<int64_t>(sizeof(float))));
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(1 << 20)->Arg(16 << 20)->Arg(64 << 20)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.3);
}

}  // namespace

BENCHMARK(BM_Copy)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Merge, linear, std::string("linear"))->Apply(sizes);
BENCHMARK_CAPTURE(BM_Merge, slerp, std::string("slerp"))->Apply(sizes);
BENCHMARK_CAPTURE(BM_Merge, task_arithmetic, std::string("task_arithmetic"))->Apply(sizes);
BENCHMARK_CAPTURE(BM_Merge, ties, std::string("ties"))->Apply(sizes);
BENCHMARK_CAPTURE(BM_Merge, dare_linear, std::string("dare_linear"))->Apply(sizes);
BENCHMARK_CAPTURE(BM_Merge, dare_ties, std::string("dare_ties"))->Apply(sizes);
