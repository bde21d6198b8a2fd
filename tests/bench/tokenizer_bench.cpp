// Tokenizer encode throughput on the tinylm fixture texts (byte-level BPE, 640 tokens, 383 merges).
//   BM_EncodeTestSplit   encode() of every test-split document of python, c and prose (127 kB), one thread;
//                        bytes_per_second = UTF-8 input bytes per second
//   BM_DecodeTestSplit   decode() of the same ids
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/lm/tokenizer.h"

namespace fs = std::filesystem;
using mergelab::lm::Tokenizer;

namespace {

// The bench targets get no MERGELAB_TEST_DATA define: take the env var, else tests/data beside this file.
fs::path test_data() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return fs::path(__FILE__).parent_path().parent_path() / "data";
}
const fs::path kTinyLm = test_data() / "tinylm";

std::vector<std::string> test_texts() {
  std::vector<std::string> texts;
  for (const char* task : {"python", "c", "prose"}) {
    std::ifstream in(kTinyLm / "data" / (std::string(task) + "_test.jsonl"));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) texts.push_back(nlohmann::json::parse(line).at("text"));
  }
  return texts;
}

void BM_EncodeTestSplit(benchmark::State& state) {
  const Tokenizer tok = Tokenizer::load(kTinyLm / "models" / "base");
  const auto texts = test_texts();
  std::size_t bytes = 0, ids = 0;
  for (const auto& t : texts) bytes += t.size();
  for (auto _ : state) {
    ids = 0;
    for (const auto& t : texts) {
      const auto encoded = tok.encode(t);
      ids += encoded.size();
      benchmark::DoNotOptimize(encoded.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["ids"] = static_cast<double>(ids);
}
BENCHMARK(BM_EncodeTestSplit)->Unit(benchmark::kMillisecond);

void BM_DecodeTestSplit(benchmark::State& state) {
  const Tokenizer tok = Tokenizer::load(kTinyLm / "models" / "base");
  const auto texts = test_texts();
  std::vector<std::vector<std::int32_t>> encoded;
  std::size_t bytes = 0;
  for (const auto& t : texts) {
    encoded.push_back(tok.encode(t));
    bytes += t.size();
  }
  for (auto _ : state)
    for (const auto& ids : encoded) {
      const std::string text = tok.decode(ids);
      benchmark::DoNotOptimize(text.data());
    }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_DecodeTestSplit)->Unit(benchmark::kMillisecond);

}  // namespace
