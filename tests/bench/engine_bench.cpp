// The streaming merge engine on whole generated checkpoints (f32, a base + 3 fine-tunes, tensors of
// 1024 x 4096 = 16 MB each), 256 MB and 1 GB per model, beside a plain copy of the same bytes in the same run.
//   BM_Copy/<MB>            read every input file once and write one model's worth of bytes (read()/write(),
//                           16 MB buffer): the bandwidth ceiling for the merge's input + output volume
//   BM_Merge/<method>/<MB>  engine::run_merge with 2 worker threads: linear, task_arithmetic, ties (density
//                           0.2), dare_linear and dare_ties (density 0.3, weight 0.5)
//   BM_Merge/<method>_1GB   (1 GB only) the newer methods at mergekit's defaults: nuslerp (2 models with the
//                           base, weights 0.5), multislerp and karcher (the 3 fine-tunes; karcher without the
//                           base), sce, ram, ramplus_tl (base + 3), nearswap and arcee_fusion (base + 1 model,
//                           as they require), passthrough (1 model)
// The copy and every merge run 3 times and each reports its fastest run (a single run swings 2-3x with
// the page cache's writeback on a shared machine).
// Counters: GB/s = (input + output bytes) / wall time; vs_copy = that / the copy's GB/s at the same size;
// cpu_s = CPU seconds of the whole process (all threads) during the run, which shows how much of the wall
// time was spent waiting for a core when the machine is shared;
// peak_rss_MB = VmHWM of this process during the run (reset through /proc/self/clear_refs before each run):
// it stays flat from 256 MB to 1 GB, i.e. it does not grow with the number of tensors.
// Output files are not fsynced in either case (both measure page-cache bandwidth); every run starts after a
// sync(), so no earlier run's writeback competes with it. Everything is generated
// under $TMPDIR/mergelab_engine_bench_<pid> and deleted when the benchmark ends.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/checkpoint/writer.h"
#include "core/engine/engine.h"

namespace fs = std::filesystem;
using namespace mergelab;

namespace {

constexpr std::uint64_t kRows = 1024, kCols = 4096;  // 16 MB per tensor
constexpr int kModels = 3;

struct BenchDir {
  fs::path root = fs::temp_directory_path() / ("mergelab_engine_bench_" + std::to_string(::getpid()));
  int current_mb = 0;
  BenchDir() { fs::create_directories(root); }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string model(int i) const { return (root / (i < 0 ? "base" : "ft" + std::to_string(i))).string(); }
  std::string out() const { return (root / "out").string(); }
};

BenchDir& dir() {
  static BenchDir d;
  return d;
}

/// Writes base + kModels fine-tunes of `mb` MB each (once per size; the previous size is deleted).
void ensure_models(int mb) {
  BenchDir& d = dir();
  if (d.current_mb == mb) return;
  for (int i = -1; i < kModels; ++i) fs::remove_all(d.model(i));
  const std::uint64_t n_tensors = static_cast<std::uint64_t>(mb) * 1000000ull / (kRows * kCols * 4);
  std::vector<ckpt::TensorSpec> specs;
  for (std::uint64_t t = 0; t < n_tensors; ++t)
    specs.push_back({"model.layers." + std::to_string(t) + ".mlp.weight", ckpt::DType::F32, {kRows, kCols}});
  std::vector<float> values(kRows * kCols);
  for (int i = -1; i < kModels; ++i) {
    fs::create_directories(d.model(i));
    std::ofstream(d.model(i) + "/config.json") << "{\"model_type\": \"bench\"}\n";
    ckpt::CheckpointWriter w(d.model(i), specs, {{"format", "pt"}}, {.max_shard_bytes = 0, .overwrite = false, .sync = false});
    for (std::uint64_t t = 0; t < n_tensors; ++t) {
      // base: a fixed pseudo-random pattern; fine-tune i: base + small model-specific noise.
      std::uint32_t s = static_cast<std::uint32_t>(t * 7919u + 17u), r = static_cast<std::uint32_t>((i + 2) * 104729u + t);
      for (auto& v : values) {
        s = s * 1664525u + 1013904223u;
        r = r * 22695477u + 1u;
        const float base = static_cast<float>(static_cast<std::int32_t>(s)) * 4.6566e-12f;
        const float noise = static_cast<float>(static_cast<std::int32_t>(r)) * 4.6566e-13f;
        v = i < 0 ? base : base + noise;
      }
      w.write(specs[t].name, values);
    }
    w.finish();
  }
  ::sync();  // the generated files' writeback would otherwise compete with the first runs
  d.current_mb = mb;
}

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
}
double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

std::map<int, double> g_copy_gbps;

void BM_Copy(benchmark::State& state) {
  const int mb = static_cast<int>(state.range(0));
  ensure_models(mb);
  const BenchDir& d = dir();
  std::vector<char> buf(16 << 20);
  std::uint64_t bytes = 0;
  double best = 0, cpu = 0;
  reset_peak_rss();
  for (auto _ : state) {
    ::sync();  // start each run with no writeback pending
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    const std::string out = d.out() + ".copy";
    const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bytes = 0;
    for (int i = -1; i < kModels; ++i) {
      const int fi = ::open((d.model(i) + "/model.safetensors").c_str(), O_RDONLY);
      for (ssize_t got; (got = ::read(fi, buf.data(), buf.size())) > 0;) {
        bytes += static_cast<std::uint64_t>(got);
        if (i < 0) {  // the output: one model's worth of bytes
          if (::write(fo, buf.data(), static_cast<size_t>(got)) != got) state.SkipWithError("write failed");
          bytes += static_cast<std::uint64_t>(got);
        }
      }
      ::close(fi);
    }
    ::close(fo);
    fs::remove(out);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (best == 0 || seconds < best) {
      best = seconds;
      cpu = process_cpu_seconds() - cpu_start;
    }
    state.SetIterationTime(seconds);
  }
  g_copy_gbps[mb] = static_cast<double>(bytes) / best / 1e9;
  state.counters["GB/s"] = g_copy_gbps[mb];
  state.counters["cpu_s"] = cpu;
  state.counters["peak_rss_MB"] = peak_rss_mb();
  state.counters["GB_moved"] = static_cast<double>(bytes) / 1e9;
}

/// How many fine-tunes a method merges here, and whether the base is given: what the method allows.
struct ModelUse {
  int models = kModels;
  bool base = true;
};
ModelUse model_use(const std::string& method) {
  if (method == "linear" || method == "karcher" || method == "multislerp") return {kModels, method == "multislerp"};
  if (method == "nuslerp") return {2, true};
  if (method == "nearswap" || method == "arcee_fusion") return {1, true};
  if (method == "passthrough") return {1, false};
  return {};
}

void BM_Merge(benchmark::State& state, const std::string& method) {
  const int mb = static_cast<int>(state.range(0));
  ensure_models(mb);
  const BenchDir& d = dir();
  const ModelUse use = model_use(method);
  recipe::Recipe r;
  r.method = method;
  if (use.base) r.base_model = d.model(-1);
  for (int i = 0; i < use.models; ++i) {
    recipe::ModelEntry e{d.model(i), {}};
    if (method == "linear") e.params["weight"] = recipe::ParamSetting::scalar(1.0 / kModels);
    if (method == "task_arithmetic") e.params["weight"] = recipe::ParamSetting::scalar(0.5);
    if (method == "ties") e.params["density"] = recipe::ParamSetting::scalar(0.2);
    if (method == "dare_ties" || method == "dare_linear") {
      e.params["density"] = recipe::ParamSetting::scalar(0.3);
      e.params["weight"] = recipe::ParamSetting::scalar(0.5);
    }
    if (method == "nuslerp") e.params["weight"] = recipe::ParamSetting::scalar(0.5);
    r.models.push_back(e);
  }
  std::uint64_t bytes = 0;
  double seconds = 0;
  reset_peak_rss();
  double cpu = 0;
  for (auto _ : state) {
    fs::remove_all(d.out());
    ::sync();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    const engine::MergePlan plan = engine::plan_merge(r, {.seed = 1});
    engine::RunOptions o;
    o.out_dir = d.out();
    o.threads = 2;
    o.sync = false;
    engine::run_merge(plan, o);
    const double run = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds == 0 || run < seconds) {
      seconds = run;
      cpu = process_cpu_seconds() - cpu_start;
    }
    state.SetIterationTime(run);
    bytes = plan.input_bytes + plan.output_bytes;
    fs::remove_all(d.out());
  }
  const double gbps = static_cast<double>(bytes) / seconds / 1e9;
  state.counters["GB/s"] = gbps;
  state.counters["vs_copy"] = g_copy_gbps.count(mb) ? gbps / g_copy_gbps[mb] : 0.0;
  state.counters["cpu_s"] = cpu;
  state.counters["peak_rss_MB"] = peak_rss_mb();
  state.counters["GB_moved"] = static_cast<double>(bytes) / 1e9;
}

}  // namespace

// 256 MB first, then 1 GB: each size's copy runs right before its merges.
BENCHMARK(BM_Copy)->Arg(256)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, linear, std::string("linear"))->Arg(256)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, task_arithmetic, std::string("task_arithmetic"))->Arg(256)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, ties, std::string("ties"))->Arg(256)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, dare_linear, std::string("dare_linear"))->Arg(256)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, dare_ties, std::string("dare_ties"))->Arg(256)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Copy)->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond)->Name("BM_Copy_1GB");
BENCHMARK_CAPTURE(BM_Merge, linear_1GB, std::string("linear"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, task_arithmetic_1GB, std::string("task_arithmetic"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, ties_1GB, std::string("ties"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, dare_linear_1GB, std::string("dare_linear"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, dare_ties_1GB, std::string("dare_ties"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
// The newer methods on the 1 GB family, after its copy (mergekit's defaults; see model_use for the models).
BENCHMARK_CAPTURE(BM_Merge, nuslerp_1GB, std::string("nuslerp"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, multislerp_1GB, std::string("multislerp"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, karcher_1GB, std::string("karcher"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, sce_1GB, std::string("sce"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, ram_1GB, std::string("ram"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, ramplus_tl_1GB, std::string("ramplus_tl"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, nearswap_1GB, std::string("nearswap"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, arcee_fusion_1GB, std::string("arcee_fusion"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Merge, passthrough_1GB, std::string("passthrough"))->Arg(1024)->Iterations(3)->UseManualTime()->Unit(benchmark::kSecond);
