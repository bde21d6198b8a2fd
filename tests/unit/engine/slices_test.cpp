// `slices:` recipes on the tiny Llama family (tests/data/tinylm: 3 layers, real names and config.json): a
// passthrough frankenmerge checked tensor by tensor against its inputs, a models: config and the same merge
// written with full-range slices (bit-identical), and the refusals of layer ranges that do not fit.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "core/engine/engine.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kTiny = std::string(MERGELAB_TEST_DATA) + "/tinylm";
const std::string kRecipes = kTiny + "/recipes";
using mergelab::testing::quiet;
using mergelab::testing::TempDir;

const std::vector<std::string> kLayerTensors = {
    "input_layernorm.weight",  "mlp.down_proj.weight",    "mlp.gate_proj.weight",    "mlp.up_proj.weight",
    "post_attention_layernorm.weight", "self_attn.k_proj.weight", "self_attn.o_proj.weight", "self_attn.q_proj.weight",
    "self_attn.v_proj.weight"};

std::string layer(int i, const std::string& suffix) { return "model.layers." + std::to_string(i) + "." + suffix; }

std::string error_of(const std::string& yaml_text, const std::string& name = "bad.yml") {
  const std::string path = kRecipes + "/" + name;
  try {
    engine::plan_merge(recipe::parse_mergekit_yaml(yaml_text, path, kRecipes));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Slices, PassthroughFrankenmergeStacksLayersInOutputOrder) {
  TempDir tmp;
  const recipe::Recipe r = recipe::read_mergekit_yaml(kRecipes + "/frankenmerge.yml");
  const engine::MergePlan plan = engine::plan_merge(r);
  EXPECT_EQ(plan.n_layers, 4);
  engine::run_merge(plan, quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto base = ckpt::Checkpoint::open(kTiny + "/models/base");
  const auto py = ckpt::Checkpoint::open(kTiny + "/models/ft_python");
  ASSERT_EQ(out.tensors().size(), 4u * kLayerTensors.size() + 3u);
  // Before the stack: the first slice's model; after it: the last slice's.
  EXPECT_EQ(out.read_vector("model.embed_tokens.weight"), base.read_vector("model.embed_tokens.weight"));
  EXPECT_EQ(out.read_vector("model.norm.weight"), py.read_vector("model.norm.weight"));
  EXPECT_EQ(out.read_vector("lm_head.weight"), py.read_vector("lm_head.weight"));
  // Output layers 0, 1 = base 0, 1; output layers 2, 3 = ft_python 1, 2, o_proj halved (scale by filter).
  for (const auto& s : kLayerTensors) {
    SCOPED_TRACE(s);
    EXPECT_EQ(out.read_vector(layer(0, s)), base.read_vector(layer(0, s)));
    EXPECT_EQ(out.read_vector(layer(1, s)), base.read_vector(layer(1, s)));
    const float k = s == "self_attn.o_proj.weight" ? 0.5f : 1.0f;
    EXPECT_EQ(out.read_vector(layer(2, s)), (py.read_vector(layer(1, s)) * k).eval());
    EXPECT_EQ(out.read_vector(layer(3, s)), (py.read_vector(layer(2, s)) * k).eval());
  }
  // config.json: the new layer count, the rest as the base's.
  std::ifstream cfg(tmp / "out/config.json");
  const auto j = nlohmann::json::parse(cfg);
  EXPECT_EQ(j.at("num_hidden_layers"), 4);
  EXPECT_EQ(j.at("vocab_size"), 640);
  EXPECT_EQ(j.at("hidden_size"), 96);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json", "README.md", "mergekit_config.yml"})
    EXPECT_TRUE(fs::exists(tmp / ("out/" + std::string(f)))) << f;
  // The written recipe reads back into the same merge.
  const recipe::Recipe again = recipe::read_mergekit_yaml(tmp / "out/mergekit_config.yml");
  ASSERT_EQ(again.slices.size(), 2u);
  engine::merge_checkpoints(again, quiet(tmp / "again"));
  const auto b = ckpt::Checkpoint::open(tmp / "again");
  for (const auto& t : out.tensors()) EXPECT_EQ(b.read_vector(t.name), out.read_vector(t.name)) << t.name;
}

TEST(Slices, ModelsAndFullRangeSlicesGiveBitIdenticalOutputs) {
  TempDir tmp;
  engine::merge_checkpoints(recipe::read_mergekit_yaml(kRecipes + "/ties_models.yml"), quiet(tmp / "models"));
  engine::merge_checkpoints(recipe::read_mergekit_yaml(kRecipes + "/ties_slices.yml"), quiet(tmp / "slices"));
  const auto a = ckpt::Checkpoint::open(tmp / "models"), b = ckpt::Checkpoint::open(tmp / "slices");
  ASSERT_EQ(a.tensors().size(), b.tensors().size());
  const auto base = ckpt::Checkpoint::open(kTiny + "/models/base");
  for (const auto& t : a.tensors()) {
    SCOPED_TRACE(t.name);
    ASSERT_NE(b.find(t.name), nullptr);
    const auto x = a.raw(t.name), y = b.raw(t.name);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size()), 0);
    EXPECT_NE(a.read_vector(t.name), base.read_vector(t.name));  // a real merge, not a copy
  }
}

TEST(Slices, RefusesLayerRangesThatDoNotFit) {
  const std::string m = "merge_method: passthrough\nslices:\n  - sources:\n      - model: ../models/base\n";
  EXPECT_EQ(error_of(m + "        layer_range: [1, 4]\n"),
            kRecipes + "/bad.yml:3: slice 1: layer_range [1, 4] of '../models/base' goes past its 3 layers (0..2, from "
                       "config.json num_hidden_layers); give a layer_range within [0, 3]");
  // A slice's sources must span the same number of layers (mergekit: plan.py).
  EXPECT_EQ(error_of("merge_method: slerp\nbase_model: ../models/base\nparameters: {t: 0.5}\nslices:\n  - sources:\n"
                     "      - {model: ../models/base, layer_range: [0, 3]}\n"
                     "      - {model: ../models/ft_c, layer_range: [0, 2]}\n"),
            kRecipes + "/bad.yml: slice 1 (line 7): all sources of a slice must span the same number of layers "
                       "('../models/base' spans 3, '../models/ft_c' spans 2)");
  // A method with a base needs the base among the slice's sources.
  EXPECT_EQ(error_of("merge_method: task_arithmetic\nbase_model: ../models/base\nslices:\n  - sources:\n"
                     "      - {model: ../models/ft_c, layer_range: [0, 3]}\n"),
            kRecipes + "/bad.yml:4: slice 1: the base_model '../models/base' must be one of the slice's sources (with "
                       "its layer_range)");
  // The MLP fixtures have no layer stack at all.
  EXPECT_NE(error_of("merge_method: passthrough\nslices:\n  - sources:\n      - model: ../../digits/models/ft_task0\n"
                     "        layer_range: [0, 2]\n")
                .find("goes past its 0 layers (it has no layer stack)"),
            std::string::npos);
}
