#include "core/engine/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kData = MERGELAB_TEST_DATA;
const std::string kMergekit = kData + "/digits/mergekit";
const std::string kModels = kData + "/digits/models";

using mergelab::testing::TempDir;

double max_diff(const ckpt::Checkpoint& a, const ckpt::Checkpoint& b) {
  double worst = 0;
  EXPECT_EQ(a.tensors().size(), b.tensors().size());
  for (const auto& t : a.tensors()) {
    const auto* u = b.find(t.name);
    if (!u) {
      ADD_FAILURE() << t.name << " missing";
      continue;
    }
    EXPECT_EQ(u->shape, t.shape) << t.name;
    worst = std::max(worst, static_cast<double>((a.read_vector(t.name) - b.read_vector(t.name)).cwiseAbs().maxCoeff()));
  }
  return worst;
}

using mergelab::testing::quiet;

/// A small checkpoint folder: tensors name -> (shape, values), plus a config.json.
void write_model(const std::string& dir, const std::vector<std::pair<std::string, std::vector<float>>>& tensors,
                 std::vector<std::uint64_t> shape = {}) {
  fs::create_directories(dir);
  std::vector<ckpt::TensorData> data;
  for (const auto& [name, values] : tensors)
    data.push_back({{name, ckpt::DType::F32, shape.empty() ? std::vector<std::uint64_t>{values.size()} : shape}, values});
  ckpt::write_safetensors(dir + "/model.safetensors", data);
  std::ofstream(dir + "/config.json") << "{\"model_type\": \"toy\"}\n";
}
}  // namespace

// ---- against mergekit's own outputs ------------------------------------------------------------
TEST(EngineMergekitFixtures, DeterministicMethodsMatchWithin1e6) {
  for (const std::string name : {"linear", "slerp", "task_arithmetic", "ties", "model_stock", "passthrough_scale"}) {
    SCOPED_TRACE(name);
    TempDir tmp;
    const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/" + name + ".yml");
    engine::merge_checkpoints(r, quiet(tmp / "out"));
    EXPECT_LT(max_diff(ckpt::Checkpoint::open(tmp / "out"), ckpt::Checkpoint::open(kMergekit + "/" + name + ".safetensors")),
              1e-6);
  }
}

TEST(EngineMergekitFixtures, NewerMethodsMatchWithin1e6) {
  // The configs exactly as mergekit ran them (nuslerp with and without a base, row-wise; karcher without one).
  for (const std::string name : {"nuslerp", "nuslerp_rowwise_nobase", "multislerp", "karcher", "sce", "ram", "ramplus_tl",
                                 "nearswap", "arcee_fusion"}) {
    SCOPED_TRACE(name);
    TempDir tmp;
    const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/" + name + ".yml");
    engine::merge_checkpoints(r, quiet(tmp / "out"));
    const double diff =
        max_diff(ckpt::Checkpoint::open(tmp / "out"), ckpt::Checkpoint::open(kMergekit + "/" + name + ".safetensors"));
    std::printf("%-24s max |diff| %.3g\n", name.c_str(), diff);
    EXPECT_LT(diff, 1e-6);
  }
}

TEST(EngineMergekitFixtures, BreadcrumbsMatchesByDefaultAndKeepsSmallTensorsWhenAsked) {
  TempDir tmp;
  recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/breadcrumbs_ties.yml");
  const auto ref = ckpt::Checkpoint::open(kMergekit + "/breadcrumbs_ties.safetensors");
  const auto base = ckpt::Checkpoint::open(kModels + "/base");
  // mergekit zeroed the task vectors of both biases (64 and 10 entries < 1/gamma = 100): they equal the base.
  EXPECT_EQ(ref.read_vector("fc2.bias"), base.read_vector("fc2.bias"));
  ASSERT_EQ(r.params.count("drop_small_tensors"), 0u);  // the YAML as mergekit ran it
  engine::merge_checkpoints(r, quiet(tmp / "mk"));
  EXPECT_LT(max_diff(ckpt::Checkpoint::open(tmp / "mk"), ref), 1e-6);
  // The plan names the tensors the rule affects.
  const std::string plan = engine::plan_merge(r).describe();
  EXPECT_NE(plan.find("breadcrumbs small-tensor rule (drop_small_tensors: true, mergekit's): task vectors dropped in 2 "
                      "tensor(s): fc1.bias fc2.bias"),
            std::string::npos)
      << plan;
  // drop_small_tensors: false keeps the biases' task vectors; the weight matrices (n_top > 0) are unchanged.
  r.params["drop_small_tensors"] = recipe::ParamSetting::scalar(0);
  engine::merge_checkpoints(r, quiet(tmp / "ml"));
  const auto ml = ckpt::Checkpoint::open(tmp / "ml");
  EXPECT_LT((ml.read_vector("fc1.weight") - ref.read_vector("fc1.weight")).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_GT((ml.read_vector("fc2.bias") - base.read_vector("fc2.bias")).cwiseAbs().maxCoeff(), 1e-3);
  EXPECT_NE(engine::plan_merge(r).describe().find("(drop_small_tensors: false): task vectors kept in 2 tensor(s) that "
                                                  "mergekit drops: fc1.bias fc2.bias"),
            std::string::npos);
  // Written into the YAML (mergekit ignores it) and read back.
  const std::string yaml = recipe::to_mergekit_yaml(r);
  EXPECT_NE(yaml.find("drop_small_tensors: false"), std::string::npos) << yaml;
}

TEST(EngineMergekitFixtures, DareTiesWithMergekitsMasksMatchesWithin1e6) {
  // The engine's per-tensor plan (parameters from the YAML) fed with the masks mergekit drew.
  const engine::MergePlan plan = engine::plan_merge(recipe::read_mergekit_yaml(kMergekit + "/dare_ties.yml"));
  const auto masks = ckpt::Checkpoint::open(kMergekit + "/dare_ties_masks.safetensors");
  const auto ref = ckpt::Checkpoint::open(kMergekit + "/dare_ties.safetensors");
  std::vector<ckpt::Checkpoint> inputs;
  inputs.push_back(ckpt::Checkpoint::open(plan.layout.base));
  for (const auto& m : plan.layout.models) inputs.push_back(ckpt::Checkpoint::open(m));
  for (const auto& t : plan.tensors) {
    SCOPED_TRACE(t.name);
    std::vector<Eigen::VectorXf> values;
    for (const auto& c : inputs) values.push_back(c.read_vector(t.name));
    std::vector<merge::KeepMask> keep;
    for (size_t k = 0; k < 3; ++k) {
      const auto raw = masks.raw(t.name + "#" + std::to_string(k));
      merge::KeepMask m(static_cast<Eigen::Index>(raw.size()));
      std::memcpy(m.data(), raw.data(), raw.size());
      keep.push_back(m);
    }
    merge::MergeInputs<float> in{values[0].data(), {values[1].data(), values[2].data(), values[3].data()},
                                 static_cast<Eigen::Index>(t.numel), {&keep[0], &keep[1], &keep[2]}, t.shape};
    const Eigen::VectorXf out = merge::run_merge(*plan.method, in, t.params);
    EXPECT_LT((out - ref.read_vector(t.name)).cwiseAbs().maxCoeff(), 1e-6);
  }
}

TEST(EngineMergekitFixtures, ARandomMethodIsReproducibleFromItsSeed) {
  TempDir tmp;
  const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/dare_ties.yml");
  engine::merge_checkpoints(r, quiet(tmp / "a"), {.seed = 5});
  engine::merge_checkpoints(r, quiet(tmp / "b"), {.seed = 5});
  engine::merge_checkpoints(r, quiet(tmp / "c"), {.seed = 6});
  EXPECT_EQ(max_diff(ckpt::Checkpoint::open(tmp / "a"), ckpt::Checkpoint::open(tmp / "b")), 0.0);
  EXPECT_GT(max_diff(ckpt::Checkpoint::open(tmp / "a"), ckpt::Checkpoint::open(tmp / "c")), 1e-4);
}

// ---- output layout ------------------------------------------------------------------------------
TEST(Engine, OutputHoldsMetadataConfigAndTheRecipe) {
  TempDir tmp;
  const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/ties.yml");
  const engine::RunReport rep = engine::merge_checkpoints(r, quiet(tmp / "out"));
  EXPECT_EQ(rep.files, (std::vector<std::string>{"README.md", "config.json", "mergekit_config.yml", "model.safetensors"}));
  EXPECT_EQ(rep.tensors, 4u);
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  EXPECT_EQ(out.metadata().at("format"), "pt");
  EXPECT_EQ(out.metadata().at("merge_method"), "ties");
  const recipe::Recipe stored = recipe::recipe_from_json(out.metadata().at("mergelab_recipe"));
  EXPECT_EQ(stored.method, "ties");
  EXPECT_TRUE(fs::path(stored.base_model).is_absolute());
  EXPECT_EQ(stored.models[0].params, r.models[0].params);
  // The written mergekit config reads back into the same merge.
  const recipe::Recipe again = recipe::read_mergekit_yaml(tmp / "out/mergekit_config.yml");
  EXPECT_EQ(again.models.size(), 3u);
  engine::merge_checkpoints(again, quiet(tmp / "again"));
  EXPECT_EQ(max_diff(ckpt::Checkpoint::open(tmp / "again"), out), 0.0);
  // Only the destination appears in the parent: no temporary left behind.
  EXPECT_EQ(tmp.entries(), (std::vector<std::string>{"again", "out"}));
}

TEST(Engine, ShardedOutputEqualsSingleFile) {
  TempDir tmp;
  const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/task_arithmetic.yml");
  engine::merge_checkpoints(r, quiet(tmp / "single"));
  engine::RunOptions o = quiet(tmp / "sharded");
  o.max_shard_bytes = 8000;  // fc1.weight alone is 16 kB: several shards
  const engine::RunReport rep = engine::run_merge(engine::plan_merge(r), o);
  EXPECT_TRUE(fs::exists(tmp / "sharded/model.safetensors.index.json"));
  EXPECT_FALSE(fs::exists(tmp / "sharded/model.safetensors"));
  const auto sharded = ckpt::Checkpoint::open(tmp / "sharded");
  EXPECT_TRUE(sharded.sharded());
  EXPECT_GE(sharded.file_count(), 2u);
  EXPECT_EQ(max_diff(sharded, ckpt::Checkpoint::open(tmp / "single")), 0.0);
}

TEST(Engine, ACancelledMergeLeavesNothing) {
  TempDir tmp;
  const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/ties.yml");
  std::atomic<bool> cancel{false};
  engine::RunOptions o = quiet(tmp / "out");
  o.threads = 1;
  size_t calls = 0;
  o.on_progress = [&](const engine::Progress& p) {
    ++calls;
    EXPECT_EQ(p.tensors_total, 4u);
    cancel = true;  // after the first tensor
  };
  o.cancel = &cancel;
  EXPECT_THROW(engine::merge_checkpoints(r, o), engine::Cancelled);
  EXPECT_EQ(calls, 1u);
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(Engine, ExistingOutputRefusedUnlessForcedAndInputsNeverWritten) {
  TempDir tmp;
  const recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/linear.yml");
  fs::create_directories(tmp / "out");
  std::ofstream(tmp / "out/old.txt") << "old";
  try {
    engine::merge_checkpoints(r, quiet(tmp / "out"));
    FAIL() << "an existing folder was overwritten";
  } catch (const engine::EngineError& e) {
    EXPECT_NE(std::string(e.what()).find("already exists (use --force to replace it)"), std::string::npos);
  }
  EXPECT_TRUE(fs::exists(tmp / "out/old.txt"));
  engine::RunOptions o = quiet(tmp / "out");
  o.force = true;
  engine::merge_checkpoints(r, o);
  EXPECT_FALSE(fs::exists(tmp / "out/old.txt"));
  EXPECT_TRUE(fs::exists(tmp / "out/model.safetensors"));
  EXPECT_EQ(tmp.entries(), (std::vector<std::string>{"out"}));
  // An input folder, or a folder holding one, is never a destination, even with --force.
  o.out_dir = kModels + "/ft_task0";
  EXPECT_THROW(engine::merge_checkpoints(r, o), engine::EngineError);
  o.out_dir = kModels;
  EXPECT_THROW(engine::merge_checkpoints(r, o), engine::EngineError);
  EXPECT_TRUE(fs::exists(kModels + "/ft_task0/model.safetensors"));
}

TEST(Engine, OutputDtypeConversionRoundsToNearestEven) {
  TempDir tmp;
  recipe::Recipe r = recipe::read_mergekit_yaml(kMergekit + "/linear.yml");
  engine::merge_checkpoints(r, quiet(tmp / "f32"));
  r.out_dtype = "bfloat16";
  engine::merge_checkpoints(r, quiet(tmp / "bf16"));
  r.out_dtype.clear();
  r.dtype = "float16";
  engine::merge_checkpoints(r, quiet(tmp / "f16"));
  const auto f32 = ckpt::Checkpoint::open(tmp / "f32");
  const auto bf16 = ckpt::Checkpoint::open(tmp / "bf16");
  const auto f16 = ckpt::Checkpoint::open(tmp / "f16");
  for (const auto& t : f32.tensors()) {
    EXPECT_EQ(bf16.at(t.name).dtype, ckpt::DType::BF16);
    EXPECT_EQ(f16.at(t.name).dtype, ckpt::DType::F16);
    const Eigen::VectorXf x = f32.read_vector(t.name), b = bf16.read_vector(t.name), h = f16.read_vector(t.name);
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      ASSERT_EQ(b[i], ckpt::bf16_to_f32(ckpt::f32_to_bf16(x[i])));
      ASSERT_EQ(h[i], ckpt::f16_to_f32(ckpt::f32_to_f16(x[i])));
    }
  }
}

TEST(Engine, InputsInHalfPrecisionAreConvertedToF32AndKeepTheirDtype) {
  TempDir tmp;
  const std::string yaml = "merge_method: task_arithmetic\nbase_model: " + kModels + "/base-bf16\nmodels:\n  - model: " + kModels +
                           "/ft_task0-bf16\n    parameters: {weight: 0.5}\n  - model: " + kModels + "/ft_task1-f16\n";
  const recipe::Recipe r = recipe::parse_mergekit_yaml(yaml, "half.yml", tmp.path.string());
  engine::merge_checkpoints(r, quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  const auto base = ckpt::Checkpoint::open(kModels + "/base-bf16");
  const auto a = ckpt::Checkpoint::open(kModels + "/ft_task0-bf16");
  const auto b = ckpt::Checkpoint::open(kModels + "/ft_task1-f16");
  for (const auto& t : out.tensors()) {
    EXPECT_EQ(t.dtype, ckpt::DType::BF16);  // no dtype in the config: the base's
    const Eigen::VectorXf x0 = base.read_vector(t.name);
    const Eigen::VectorXf expect = x0 + 0.5f * (a.read_vector(t.name) - x0) + (b.read_vector(t.name) - x0);
    const Eigen::VectorXf got = out.read_vector(t.name);
    for (Eigen::Index i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], ckpt::bf16_to_f32(ckpt::f32_to_bf16(expect[i])));
  }
}

// ---- per-tensor parameters ------------------------------------------------------------------------
TEST(Engine, GradientsAndFiltersResolvePerTensor) {
  TempDir tmp;
  // Three layers + an embedding and a head, base 0, one model with task vector 1 everywhere.
  const std::vector<std::string> names = {"embed.weight", "layers.0.mlp.w", "layers.1.attn.w", "layers.2.mlp.w", "lm_head.weight"};
  std::vector<std::pair<std::string, std::vector<float>>> zero, one;
  for (const auto& n : names) {
    zero.push_back({n, std::vector<float>(4, 0.f)});
    one.push_back({n, std::vector<float>(4, 1.f)});
  }
  write_model(tmp / "base", zero);
  write_model(tmp / "ft", one);
  const std::string yaml = R"(merge_method: task_arithmetic
base_model: base
models:
  - model: ft
    parameters:
      weight:
        - filter: attn
          value: 0.25
        - value: [0.0, 1.0]
parameters:
  lambda:
    - filter: lm_head
      value: 2.0
)";
  const recipe::Recipe r = recipe::parse_mergekit_yaml(yaml, "grad.yml", tmp.path.string());
  const engine::MergePlan plan = engine::plan_merge(r);
  EXPECT_EQ(plan.n_layers, 3);
  engine::run_merge(plan, quiet(tmp / "out"));
  const auto out = ckpt::Checkpoint::open(tmp / "out");
  auto value = [&](const std::string& n) { return out.read_vector(n)[0]; };
  EXPECT_FLOAT_EQ(value("embed.weight"), 0.0f);     // outside the stack: the gradient's first value
  EXPECT_FLOAT_EQ(value("layers.0.mlp.w"), 0.0f);   // t = 0
  EXPECT_FLOAT_EQ(value("layers.1.attn.w"), 0.25f); // the filter matches first
  EXPECT_FLOAT_EQ(value("layers.2.mlp.w"), 1.0f);   // t = 1
  EXPECT_FLOAT_EQ(value("lm_head.weight"), 0.0f);   // weight 0 (first value) times lambda 2
  const std::string text = plan.describe();
  EXPECT_NE(text.find("parameter groups: 4"), std::string::npos) << text;
  EXPECT_NE(text.find("weight=[0.25]"), std::string::npos) << text;
}

// ---- bad inputs -------------------------------------------------------------------------------------
TEST(Engine, IncompatibleInputsGiveOneClearErrorBeforeWriting) {
  TempDir tmp;
  write_model(tmp / "base", {{"a", {0, 0}}, {"b", {0, 0}}});
  write_model(tmp / "missing", {{"a", {1, 1}}});
  write_model(tmp / "shape", {{"a", {1, 1}}, {"b", {1, 1, 1}}});
  auto error = [&](const std::string& model) {
    const std::string yaml = "merge_method: ties\nbase_model: base\nmodels: [" + model + "]\n";
    try {
      engine::merge_checkpoints(recipe::parse_mergekit_yaml(yaml, "bad.yml", tmp.path.string()), quiet(tmp / "out"));
    } catch (const engine::EngineError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("missing").find("/missing: tensor 'b': missing ("), std::string::npos) << error("missing");
  EXPECT_NE(error("shape").find("/shape: tensor 'b': shape [3] differs from "), std::string::npos) << error("shape");
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(Engine, IntegerTensorsAreCopiedFromTheBase) {
  TempDir tmp;
  write_model(tmp / "ft", {{"w", {1, 1}}});
  // A base whose extra tensor is I64 (written by hand, byte by byte).
  fs::create_directories(tmp / "base");
  const std::string header = R"({"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
  std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  std::ofstream f(tmp / "base/model.safetensors", std::ios::binary);
  const std::uint64_t n = padded.size();
  f.write(reinterpret_cast<const char*>(&n), 8);
  f << padded;
  const char zeros[16] = {};
  f.write(zeros, 16);
  f.close();
  const recipe::Recipe r = recipe::parse_mergekit_yaml("merge_method: task_arithmetic\nbase_model: base\nmodels: [ft]\n",
                                                       "int.yml", tmp.path.string());
  // Not merged: the base's bytes are written unchanged; the fine-tune that lacks it only gets a warning.
  const engine::MergePlan plan = engine::plan_merge(r);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("tensor 'n' (I64) missing"), std::string::npos) << plan.warnings[0];
  engine::run_merge(plan, quiet(tmp / "out"));
  const ckpt::Checkpoint out = ckpt::Checkpoint::open(tmp / "out");
  EXPECT_EQ(out.at("n").dtype, ckpt::DType::I64);
  const auto copied = out.raw("n");
  EXPECT_EQ(std::vector<std::byte>(copied.begin(), copied.end()), std::vector<std::byte>(8, std::byte{0}));
}

TEST(Engine, ALoraAdapterTakesPartAsItsDeltaW) {
  TempDir tmp;
  const std::string yaml = "merge_method: task_arithmetic\nbase_model: " + kModels + "/base\nmodels:\n  - model: " + kModels +
                           "/base+" + kModels + "/lora_task0\n";
  const recipe::Recipe r = recipe::parse_mergekit_yaml(yaml, "lora.yml", tmp.path.string());
  EXPECT_EQ(r.models[0].path, kModels + "/lora_task0");
  engine::merge_checkpoints(r, quiet(tmp / "out"));
  EXPECT_LT(max_diff(ckpt::Checkpoint::open(tmp / "out"), ckpt::Checkpoint::open(kData + "/digits/expected/lora_task0_applied.safetensors")),
            1e-5);
  // Written back in mergekit's BASE+ADAPTER form.
  EXPECT_NE(recipe::to_mergekit_yaml(r).find("/base+"), std::string::npos);
}

TEST(Engine, SizesParseAndPrint) {
  EXPECT_EQ(engine::parse_size("2GB"), 2000000000u);
  EXPECT_EQ(engine::parse_size("500MB"), 500000000u);
  EXPECT_EQ(engine::parse_size("1GiB"), 1073741824u);
  EXPECT_EQ(engine::parse_size("4096"), 4096u);
  EXPECT_THROW(engine::parse_size("lots"), engine::EngineError);
  EXPECT_THROW(engine::parse_size("5XB"), engine::EngineError);
  EXPECT_EQ(engine::format_bytes(1500000000), "1.5 GB");
  EXPECT_NE(engine::tensor_seed(0, "a"), engine::tensor_seed(0, "b"));
}
