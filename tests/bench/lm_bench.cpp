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
// 12 independent FMA chains on vector registers of kind R ("zmm" or "ymm"), written in asm so that nothing spills:
// one pass of the loop is 12 FMAs of 16 (zmm) or 8 (ymm) floats.
#define MERGELAB_ZERO(R, i) "vxorps %%" R #i ", %%" R #i ", %%" R #i "\n"
#define MERGELAB_FMA(R, i) "vfmadd231ps %%" R "12, %%" R "13, %%" R #i "\n"
#define MERGELAB_12(M, R) M(R, 0) M(R, 1) M(R, 2) M(R, 3) M(R, 4) M(R, 5) M(R, 6) M(R, 7) M(R, 8) M(R, 9) M(R, 10) M(R, 11)
#define MERGELAB_FMA_LOOP(R)                                                                                      \
  asm volatile(MERGELAB_12(MERGELAB_ZERO, R) MERGELAB_ZERO(R, 12) MERGELAB_ZERO(R, 13) "1:\n" MERGELAB_12(MERGELAB_FMA, R) \
               "dec %0\n"                                                                                          \
               "jnz 1b\n"                                                                                          \
               : "+r"(n)                                                                                           \
               :                                                                                                   \
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",  \
                 "xmm12", "xmm13", "cc")

__attribute__((target("avx512f,fma"))) long fma_loop(long iterations) {
  long n = iterations;
  MERGELAB_FMA_LOOP("zmm");
  return n;
}

__attribute__((target("avx2,fma"))) long fma_loop_avx2(long iterations) {
  long n = iterations;
  MERGELAB_FMA_LOOP("ymm");
  return n;
}

// The core's peak f32 FLOP rate on one ISA: `lanes` floats per FMA, 2 FLOPs each.
void BM_FmaPeak(benchmark::State& state, bool supported, long (*loop)(long), int lanes) {
  if (!supported) {
    state.SkipWithError("not supported here");
    return;
  }
  const long iters = 1 << 22;
  for (auto _ : state) benchmark::DoNotOptimize(loop(iters));
  state.counters["GFLOP/s"] = benchmark::Counter(double(iters) * 12 * lanes * 2 * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_FmaPeak, avx512, __builtin_cpu_supports("avx512f"), &fma_loop, 16)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_FmaPeak, avx2, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), &fma_loop_avx2, 8)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();
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
    LmEvalOptions options;
    options.window = W;
    options.threads = threads;
    const LmReport r = evaluate(model, tasks, options);
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
