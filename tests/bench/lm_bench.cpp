// Language-model forward speed (core/lm), f32, windows of 256 tokens through lm::evaluate (one window per thread
// at a time, as the evaluator runs them):
//   BM_FmaPeak/avx512          a pure FMA loop (12 independent zmm chains): the core's peak f32 FLOP rate
//   BM_Sgemm/<isa>             the packed kernel on 256 × 1536 × 576 (SmolLM's gate/up projection)
//   BM_PrefillSmolLM/threads   randomly initialised model with SmolLM-135M's configuration (hidden 576, 30 layers,
//                              9 heads, 3 KV heads, intermediate 1536, vocab 49152, tied): 4 windows per iteration
//   BM_PrefillTinyLm/threads   the tinylm fixture's base (hidden 96, 3 layers): 32 windows per iteration
//   BM_FmaPeak/avx2            the same with 12 ymm chains (AVX2 + FMA machines, e.g. AMD Zen 2/3)
//   BM_FixtureCandidate        one search candidate as `mergelab sweep` scores it (search::TuningProblem::metrics):
//                              task arithmetic of the three fine-tunes merged in memory (lm::LmMergeFamily) + the 3
//                              test tasks (perplexity + MC) on one thread = merge + full evaluation of the family
// Counters: tokens/s (tokens through the model), GFLOP/s (projections + lm_head + causal attention, 2 per MAC), both
// per second of process CPU time (MeasureProcessCPUTime: every thread counted), so /threads:2 shows per-core
// efficiency and a loaded machine still gives fair figures; the Time column is wall-clock.
// Run with MERGELAB_TEST_DATA=tests/data (the fixture) from the source folder, or from build/ as the other benches.
// Compare: tests/bench/torch_forward.py times the same random-config forward in PyTorch.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "core/lm/data.h"
#include "core/lm/evaluate.h"
#include "core/lm/model.h"
#include "core/lm/sgemm.h"
#include "core/lm/tokenizer.h"
#include "core/merge/registry.h"
#include "core/search/tuning.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace fs = std::filesystem;
using namespace mergelab;
using namespace mergelab::lm;

namespace {

fs::path test_data() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return fs::path(__FILE__).parent_path().parent_path() / "data";
}
const fs::path kTinyLm = test_data() / "tinylm";

#if defined(__x86_64__)
// 12 independent FMA chains on zmm registers (written in asm so that nothing spills): iterations × 12 × 16 FMAs.
__attribute__((target("avx512f,fma"))) long fma_loop(long iterations) {
  long n = iterations;
  asm volatile(
      "vxorps %%zmm0, %%zmm0, %%zmm0\n"
      "vxorps %%zmm1, %%zmm1, %%zmm1\n"
      "vxorps %%zmm2, %%zmm2, %%zmm2\n"
      "vxorps %%zmm3, %%zmm3, %%zmm3\n"
      "vxorps %%zmm4, %%zmm4, %%zmm4\n"
      "vxorps %%zmm5, %%zmm5, %%zmm5\n"
      "vxorps %%zmm6, %%zmm6, %%zmm6\n"
      "vxorps %%zmm7, %%zmm7, %%zmm7\n"
      "vxorps %%zmm8, %%zmm8, %%zmm8\n"
      "vxorps %%zmm9, %%zmm9, %%zmm9\n"
      "vxorps %%zmm10, %%zmm10, %%zmm10\n"
      "vxorps %%zmm11, %%zmm11, %%zmm11\n"
      "vxorps %%zmm12, %%zmm12, %%zmm12\n"
      "vxorps %%zmm13, %%zmm13, %%zmm13\n"
      "1:\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm0\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm1\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm2\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm3\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm4\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm5\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm6\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm7\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm8\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm9\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm10\n"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm11\n"
      "dec %0\n"
      "jnz 1b\n"
      : "+r"(n)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc");
  return n;
}

void BM_FmaPeak(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("no AVX-512");
    return;
  }
  const long iters = 1 << 22;
  for (auto _ : state) benchmark::DoNotOptimize(fma_loop(iters));
  state.counters["GFLOP/s"] = benchmark::Counter(double(iters) * 12 * 16 * 2 * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FmaPeak)->Name("BM_FmaPeak/avx512")->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// 12 independent FMA chains on ymm registers: iterations × 12 × 8 FMAs.
__attribute__((target("avx2,fma"))) long fma_loop_avx2(long iterations) {
  long n = iterations;
  asm volatile(
      "vxorps %%ymm0, %%ymm0, %%ymm0\n"
      "vxorps %%ymm1, %%ymm1, %%ymm1\n"
      "vxorps %%ymm2, %%ymm2, %%ymm2\n"
      "vxorps %%ymm3, %%ymm3, %%ymm3\n"
      "vxorps %%ymm4, %%ymm4, %%ymm4\n"
      "vxorps %%ymm5, %%ymm5, %%ymm5\n"
      "vxorps %%ymm6, %%ymm6, %%ymm6\n"
      "vxorps %%ymm7, %%ymm7, %%ymm7\n"
      "vxorps %%ymm8, %%ymm8, %%ymm8\n"
      "vxorps %%ymm9, %%ymm9, %%ymm9\n"
      "vxorps %%ymm10, %%ymm10, %%ymm10\n"
      "vxorps %%ymm11, %%ymm11, %%ymm11\n"
      "vxorps %%ymm12, %%ymm12, %%ymm12\n"
      "vxorps %%ymm13, %%ymm13, %%ymm13\n"
      "1:\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm0\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm1\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm2\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm3\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm4\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm5\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm6\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm7\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm8\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm9\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm10\n"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm11\n"
      "dec %0\n"
      "jnz 1b\n"
      : "+r"(n)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc");
  return n;
}

void BM_FmaPeakAvx2(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    state.SkipWithError("no AVX2 + FMA");
    return;
  }
  const long iters = 1 << 22;
  for (auto _ : state) benchmark::DoNotOptimize(fma_loop_avx2(iters));
  state.counters["GFLOP/s"] = benchmark::Counter(double(iters) * 12 * 8 * 2 * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FmaPeakAvx2)->Name("BM_FmaPeak/avx2")->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
#endif

void BM_Sgemm(benchmark::State& state, const char* isa) {
  const std::string saved = sgemm_isa();
  if (!set_sgemm_isa(isa)) {
    state.SkipWithError("not supported here");
    return;
  }
  const int M = 256, N = 1536, K = 576;
  std::vector<float> A(M * K), W(N * K), C(M * N), P(packed_size(K, N));
  std::mt19937 gen(1);
  std::normal_distribution<float> nd;
  for (auto& x : A) x = nd(gen);
  for (auto& x : W) x = nd(gen);
  pack_nk(W.data(), N, K, K, P.data());
  for (auto _ : state) {
    sgemm(M, N, K, A.data(), K, P.data(), C.data(), N, false);
    benchmark::DoNotOptimize(C.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * N * K * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  set_sgemm_isa(saved.c_str());
}
BENCHMARK_CAPTURE(BM_Sgemm, avx512, "avx512")->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_Sgemm, avx2, "avx2")->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_Sgemm, generic, "generic")->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// FLOPs of one window of T tokens with `scored` logit rows.
double window_flops(const LmConfig& c, int T, int scored) {
  const double proj = double(c.hidden) * (c.q_width() + 2 * c.kv_width()) + double(c.q_width()) * c.hidden +
                      (c.family == Family::Llama ? 3.0 : 2.0) * c.hidden * c.intermediate;
  const double attn = 2.0 * c.heads * c.head_dim * (double(T) * (T + 1) / 2);  // q·kᵀ and p·v, causal
  return 2.0 * (c.layers * (proj * T + attn) + double(scored) * c.hidden * c.vocab);
}

// The random model: every layer shares one set of random tensors (same speed, a fraction of the memory).
struct RandomModel {
  LmConfig config;
  std::vector<std::vector<float>> storage;
  LmModel model;
};
const RandomModel& smollm() {
  static const RandomModel m = [] {
    RandomModel r;
    r.config = parse_lm_config(R"({"model_type": "llama", "hidden_size": 576, "intermediate_size": 1536,
      "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "vocab_size": 49152,
      "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "rope_theta": 100000.0, "hidden_act": "silu",
      "tie_word_embeddings": true})", "SmolLM-135M config");
    const LmConfig& c = r.config;
    std::mt19937 gen(7);
    std::normal_distribution<float> nd(0.0f, 0.02f);
    auto tensor = [&](std::size_t n) {
      r.storage.emplace_back(n);
      for (auto& x : r.storage.back()) x = nd(gen);
      return std::span<const float>(r.storage.back());
    };
    const std::uint64_t H = c.hidden, I = c.intermediate, Q = c.q_width(), KV = c.kv_width(), V = c.vocab;
    WeightViews w;
    w["model.embed_tokens.weight"] = {tensor(V * H), {V, H}};
    std::vector<float> ones(H, 1.0f);
    r.storage.push_back(ones);
    const std::span<const float> norm(r.storage.back());
    w["model.norm.weight"] = {norm, {H}};
    const auto q = tensor(Q * H), k = tensor(KV * H), v = tensor(KV * H), o = tensor(H * Q), g = tensor(I * H),
               u = tensor(I * H), d = tensor(H * I);
    for (int i = 0; i < c.layers; ++i) {
      const std::string p = "model.layers." + std::to_string(i) + ".";
      w[p + "input_layernorm.weight"] = {norm, {H}};
      w[p + "post_attention_layernorm.weight"] = {norm, {H}};
      w[p + "self_attn.q_proj.weight"] = {q, {Q, H}};
      w[p + "self_attn.k_proj.weight"] = {k, {KV, H}};
      w[p + "self_attn.v_proj.weight"] = {v, {KV, H}};
      w[p + "self_attn.o_proj.weight"] = {o, {H, Q}};
      w[p + "mlp.gate_proj.weight"] = {g, {I, H}};
      w[p + "mlp.up_proj.weight"] = {u, {I, H}};
      w[p + "mlp.down_proj.weight"] = {d, {H, I}};
    }
    r.model = LmModel::from_weights(c, w, "random");
    r.storage.clear();
    return r;
  }();
  return m;
}

std::vector<PreparedTask> random_windows(int windows, int W, int vocab) {
  PreparedTask t;
  t.name = "random";
  t.has_perplexity = true;
  std::mt19937 gen(3);
  for (int i = 0; i < windows; ++i) {
    PreparedDoc d;
    for (int j = 0; j < W; ++j) d.ids.push_back(static_cast<std::int32_t>(gen() % vocab));
    t.docs.push_back(std::move(d));
  }
  t.max_id = vocab - 1;
  return {t};
}

void prefill(benchmark::State& state, const LmModel& model, int windows) {
  const int threads = static_cast<int>(state.range(0));
  const int W = 256;
  const auto tasks = random_windows(windows, W, model.config().vocab);
  for (auto _ : state) {
    const LmReport r = evaluate(model, tasks, {.window = W, .threads = threads});
    benchmark::DoNotOptimize(r.tasks[0].perplexity.nll_sum);
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["tokens/s"] = benchmark::Counter(it * windows * W, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(it * windows * window_flops(model.config(), W, W - 1) / 1e9, benchmark::Counter::kIsRate);
}

void BM_PrefillSmolLM(benchmark::State& state) { prefill(state, smollm().model, 4); }
BENCHMARK(BM_PrefillSmolLM)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kSecond)->MeasureProcessCPUTime()->Iterations(2);

void BM_PrefillTinyLm(benchmark::State& state) {
  static const LmModel base = LmModel::load(kTinyLm / "models" / "base");
  prefill(state, base, 32);
}
BENCHMARK(BM_PrefillTinyLm)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

void BM_FixtureCandidate(benchmark::State& state) {
  search::TuningSpec spec;
  spec.recipe = kTinyLm / "expected" / "task_arithmetic.yml";
  spec.data = kTinyLm / "data";
  spec.lm_threads = 1;
  const search::TuningProblem problem = search::TuningProblem::load(spec);
  const std::vector<search::RecipeParam> space{search::parse_recipe_param("weight@0", problem.method(), problem.model_count())};
  double w = 0.5;
  for (auto _ : state) {
    const eval::MetricMap m = problem.metrics(space, {w}, search::Split::Test);  // merge in memory + 3 tasks
    benchmark::DoNotOptimize(m.at("objective"));
    w = w == 0.5 ? 0.6 : 0.5;
  }
  state.counters["candidates/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FixtureCandidate)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace
