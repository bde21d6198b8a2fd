// Pre-flight: each refusal is one message with the YAML file, the line of the entry and what to change; the checks
// read headers and config files only (a family of 7B-sized checkpoints whose data sections are sparse zeros is
// checked in well under a second); the plan's bytes and peak-memory estimate follow from the tensor shapes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "core/engine/engine.h"
#include "core/engine/preflight.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kModels = std::string(MERGELAB_TEST_DATA) + "/tinylm/models";
using mergelab::testing::TempDir;

/// Pre-flight of `yaml` written to dir/bad.yml; the refusal (or "" when it passes).
std::string refusal(const TempDir& dir, const std::string& yaml) {
  dir.write("bad.yml", yaml);
  const engine::Preflight p = engine::preflight(dir / "bad.yml");
  return p.ok ? "" : p.error;
}

const std::string kTies = "merge_method: ties\nbase_model: " + kModels + "/base\nmodels:\n  - model: " + kModels +
                          "/ft_python\n    parameters: {weight: 0.5, density: 0.5}\n  - model: " + kModels + "/ft_c\n" +
                          "    parameters: {weight: 0.5, density: 0.5}\n";

/// A safetensors file of BF16 tensors whose data section is a hole (sparse zeros): header only on disk.
void sparse_model(const std::string& dir, int layers, std::uint64_t hidden, std::uint64_t inter, std::uint64_t vocab) {
  fs::create_directories(dir);
  std::vector<std::pair<std::string, std::vector<std::uint64_t>>> t = {{"model.embed_tokens.weight", {vocab, hidden}},
                                                                      {"model.norm.weight", {hidden}},
                                                                      {"lm_head.weight", {vocab, hidden}}};
  for (int i = 0; i < layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"}) t.push_back({p + "self_attn." + n + ".weight", {hidden, hidden}});
    t.push_back({p + "mlp.gate_proj.weight", {inter, hidden}});
    t.push_back({p + "mlp.up_proj.weight", {inter, hidden}});
    t.push_back({p + "mlp.down_proj.weight", {hidden, inter}});
    t.push_back({p + "input_layernorm.weight", {hidden}});
    t.push_back({p + "post_attention_layernorm.weight", {hidden}});
  }
  nlohmann::json h = nlohmann::json::object();
  std::uint64_t off = 0;
  for (const auto& [name, shape] : t) {
    std::uint64_t n = 2;
    for (auto d : shape) n *= d;
    h[name] = {{"dtype", "BF16"}, {"shape", shape}, {"data_offsets", {off, off + n}}};
    off += n;
  }
  std::string text = h.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  {
    std::ofstream f(dir + "/model.safetensors", std::ios::binary);
    const std::uint64_t n = text.size();
    f.write(reinterpret_cast<const char*>(&n), 8);
    f << text;
  }
  fs::resize_file(dir + "/model.safetensors", 8 + text.size() + off);
  std::ofstream(dir + "/config.json") << nlohmann::json{{"model_type", "llama"}, {"num_hidden_layers", layers},
                                                        {"hidden_size", hidden}, {"vocab_size", vocab},
                                                        {"torch_dtype", "bfloat16"}}.dump();
}
}  // namespace

TEST(Preflight, EachRefusalNamesFileLineAndTheFix) {
  TempDir tmp;
  const std::string f = tmp / "bad.yml";
  struct Case {
    std::string yaml, where, fix;
  };
  const std::string sl = "slices:\n  - sources:\n      - model: " + kModels + "/base\n        layer_range: ";
  const std::vector<Case> cases = {
      {"merge_method: dare-ties\nbase_model: " + kModels + "/base\nmodels: [" + kModels + "/ft_c]\n", f + ":1: ",
       "did you mean 'dare_ties'?"},
      {kTies + "parameters:\n  densty: 0.5\n", f + ":9: ", "did you mean 'density'?"},
      {kTies + "parameters:\n  t: 0.5\n", f + ":9: ", "(known: "},
      {"merge_method: ties\nbase_model: " + kModels + "/base\nmodels:\n  - model: " + kModels +
           "/ft_c\n    parameters:\n      weight: 1\n      density: 1.5\n", f + ":7: ", "outside [0, 1]"},
      {"merge_method: passthrough\n" + sl + "[1, 4]\n", f + ":3: ", "give a layer_range within [0, 3]"},
      {kTies + "dtype: float8\n", f + ":8: ", "(float32, float16, bfloat16)"},
      {"merge_method: linear\nmodels:\n  - model: " + kModels + "/base\n  - model: " + kModels + "/nope\n", f + ":4: ",
       "download the model and give its local path"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const std::string e = refusal(tmp, c.yaml);
    EXPECT_EQ(e.rfind(c.where, 0), 0u) << e;
    EXPECT_NE(e.find(c.fix), std::string::npos) << e;
  }
}

TEST(Preflight, MissingTensorsAndVocabSizesPointAtTheModelsLine) {
  TempDir tmp;
  // Copies of ft_c without lm_head.weight, and with 700-row vocabulary tensors.
  const auto c = ckpt::Checkpoint::open(kModels + "/ft_c");
  for (const std::string m : {"nohead", "wide"}) {
    fs::create_directories(tmp / m);
    std::vector<ckpt::TensorData> data;
    for (const auto& t : c.tensors()) {
      if (m == "nohead" && t.name == "lm_head.weight") continue;
      const Eigen::VectorXf v = c.read_vector(t.name);
      std::vector<float> values(v.data(), v.data() + v.size());
      std::vector<std::uint64_t> shape = t.shape;
      if (m == "wide" && shape.size() == 2 && shape[0] == 640) shape[0] = 700, values.resize(700 * shape[1], 0.f);
      data.push_back({{t.name, t.dtype, shape}, values});
    }
    ckpt::write_safetensors(tmp / (m + "/model.safetensors"), data);
    fs::copy_file(kModels + "/ft_c/config.json", tmp / (m + "/config.json"));
  }
  const std::string head = "merge_method: linear\nmodels:\n  - model: " + kModels + "/base\n  - model: ";
  EXPECT_EQ(refusal(tmp, head + tmp / "nohead" + "\n"),
            tmp / "bad.yml" + ":4: " + tmp / "nohead" + ": tensor 'lm_head.weight': missing (" + kModels +
                "/base has it); every model must have the same tensors: merge models of one architecture");
  const std::string v = refusal(tmp, head + tmp / "wide" + "\n");
  EXPECT_EQ(v.rfind(tmp / "bad.yml" + ":4: vocabulary sizes differ: 'lm_head.weight' has 640 rows in ", 0), 0u) << v;
  EXPECT_NE(v.find("add 'tokenizer_source: base'"), std::string::npos) << v;
}

TEST(Preflight, ReadsNoTensorDataAndEstimatesTheCost) {
  // Three 7B-shaped checkpoints (32 layers, hidden 4096, 13.5 GB of BF16 each) whose data are holes: reading them
  // would take minutes; the pre-flight reads their headers only.
  TempDir tmp;
  const std::uint64_t hidden = 4096, inter = 11008, vocab = 32000;
  for (const char* m : {"base", "a", "b"}) sparse_model(tmp / m, 32, hidden, inter, vocab);
  tmp.write("ties.yml", "merge_method: ties\nbase_model: base\nmodels:\n  - model: a\n    parameters: {weight: 0.5, "
                        "density: 0.5}\n  - model: b\n    parameters: {weight: 0.5, density: 0.5}\ndtype: bfloat16\n");
  const auto start = std::chrono::steady_clock::now();
  const engine::Preflight p = engine::preflight(tmp / "ties.yml", {.threads = 2});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_LT(s, 1.0);
  const std::uint64_t per_layer = 4 * hidden * hidden + 3 * inter * hidden + 2 * hidden;
  const std::uint64_t numel = 32 * per_layer + 2 * vocab * hidden + hidden;
  EXPECT_EQ(p.tensors, 32u * 9u + 3u);
  EXPECT_EQ(p.layers, 32);
  EXPECT_EQ(p.bytes_read, 3 * 2 * numel);
  EXPECT_EQ(p.bytes_written, 2 * numel);
  // Peak: the 2 largest working sets (embed_tokens, lm_head): 3 inputs + the result, float32.
  EXPECT_EQ(p.peak_memory_bytes, 2 * (vocab * hidden * 4 * 4));
  EXPECT_DOUBLE_EQ(p.estimated_seconds, static_cast<double>(4 * 2 * numel) / engine::kEstimateBytesPerSecond);
  const std::string text = p.text();
  EXPECT_NE(text.find("pre-flight of " + tmp / "ties.yml" + ": ok"), std::string::npos) << text;
  EXPECT_NE(text.find("estimate: read " + engine::format_bytes(3 * 2 * numel) + ", write " + engine::format_bytes(2 * numel) +
                      ", peak memory about " + engine::format_bytes(2 * (vocab * hidden * 4 * 4))),
            std::string::npos)
      << text;
  std::printf("pre-flight of three 7B-shaped checkpoints: %.3f s\n", s);
  EXPECT_NE(text.find("; BF16: 291 tensor(s)"), std::string::npos) << text;
}
