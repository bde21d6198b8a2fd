// Checkpoint I/O throughput: reading a generated ~256 MB F32 safetensors file through the mmap reader and
// converting to f32 into a caller buffer, one tensor at a time (as the streaming merge does), and writing it with
// the streaming writer, beside a plain memcpy of the same bytes. Files live under /tmp and are deleted at exit.
// (MERGELAB_BENCH_DIR overrides /tmp.) Figures are bytes of the file per second (SetBytesProcessed), so all rows compare with the memcpy row.
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"

namespace {

namespace fs = std::filesystem;
using namespace mergelab::ckpt;

constexpr int kTensors = 64;
constexpr std::size_t kPerTensor = 1 << 20;  // 1 Mi floats = 4 MiB per tensor, 256 MiB in all

struct Files {
  fs::path dir;
  std::vector<TensorSpec> specs_f32, specs_bf16;
  std::vector<float> values;  // one tensor's worth of data, reused for every tensor
  std::string f32_path, bf16_path;
  Files() {
    // MERGELAB_BENCH_DIR=/dev/shm separates the writer's own cost from the disk's
    const char* env = std::getenv("MERGELAB_BENCH_DIR");
    dir = fs::path(env ? env : fs::temp_directory_path().string()) /
          ("mergelab_ckpt_bench_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    values.resize(kPerTensor);
    std::uint32_t s = 12345;
    for (auto& v : values) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<float>(static_cast<std::int32_t>(s)) * 0x1p-38f;
    }
    for (int t = 0; t < kTensors; ++t) {
      const std::string name = "layers." + std::to_string(t) + ".weight";
      specs_f32.push_back({name, DType::F32, {1024, kPerTensor / 1024}});
      specs_bf16.push_back({name, DType::BF16, {1024, kPerTensor / 1024}});
    }
    f32_path = write(specs_f32, "model_f32.safetensors");
    bf16_path = write(specs_bf16, "model_bf16.safetensors");
  }
  ~Files() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::vector<TensorSpec>& specs, const std::string& name, bool sync = false) const {
    const std::string path = (dir / name).string();
    WriterOptions opt;
    opt.overwrite = true;
    opt.sync = sync;
    SafetensorsWriter w(path, specs, {{"format", "pt"}}, opt);
    for (const auto& s : specs) w.write(s.name, values);
    w.finish();
    return path;
  }
};

Files& files() {
  static Files f;
  return f;
}

constexpr std::int64_t kF32Bytes = std::int64_t{kTensors} * kPerTensor * 4;

void BM_Memcpy(benchmark::State& state) {
  std::vector<char> src(kF32Bytes, 1), dst(kF32Bytes, 0);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kF32Bytes);
}

// the same bytes copied tensor by tensor into one tensor-sized buffer: the access pattern of read_all below
void BM_MemcpyPerTensor(benchmark::State& state) {
  std::vector<char> src(kF32Bytes, 1), dst(kPerTensor * 4, 0);
  for (auto _ : state) {
    for (std::size_t off = 0; off < src.size(); off += dst.size()) {
      std::memcpy(dst.data(), src.data() + off, dst.size());
      benchmark::DoNotOptimize(dst.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetBytesProcessed(state.iterations() * kF32Bytes);
}

// open (validate header) + read every tensor as f32 into one caller buffer + release its pages
void read_all(benchmark::State& state, const std::string& path, std::int64_t file_bytes) {
  std::vector<float> buf(kPerTensor);
  for (auto _ : state) {
    const Checkpoint ck = Checkpoint::open(path);
    for (const auto& t : ck.tensors()) {
      ck.read_f32(t.name, buf);
      benchmark::DoNotOptimize(buf.data());
      ck.release(t.name);
    }
  }
  state.SetBytesProcessed(state.iterations() * file_bytes);
}

void BM_ReadF32(benchmark::State& state) { read_all(state, files().f32_path, kF32Bytes); }
void BM_ReadBF16ToF32(benchmark::State& state) { read_all(state, files().bf16_path, kF32Bytes / 2); }

// baseline for the writer: the same bytes written with plain write(2) in tensor-sized chunks to a new file
void BM_PlainFileWrite(benchmark::State& state) {
  const std::string path = (files().dir / "plain.bin").string();
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (int t = 0; t < kTensors; ++t)
      if (::write(fd, files().values.data(), kPerTensor * 4) != static_cast<ssize_t>(kPerTensor * 4)) state.SkipWithError("write failed");
    ::close(fd);
    ::unlink(path.c_str());
  }
  state.SetBytesProcessed(state.iterations() * kF32Bytes);
}

void BM_WriteF32(benchmark::State& state) {
  for (auto _ : state) files().write(files().specs_f32, "out_f32.safetensors", state.range(0) != 0);
  state.SetBytesProcessed(state.iterations() * kF32Bytes);
}

void BM_WriteF32AsBF16(benchmark::State& state) {
  for (auto _ : state) files().write(files().specs_bf16, "out_bf16.safetensors");
  state.SetBytesProcessed(state.iterations() * kF32Bytes);  // f32 bytes in
}

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MemcpyPerTensor)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadF32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadBF16ToF32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlainFileWrite)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WriteF32)->Arg(0)->ArgName("fsync")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WriteF32)->Arg(1)->ArgName("fsync")->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WriteF32AsBF16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
