// Non-float tensors (position_ids, masks) are copied from the base unchanged, as mergekit does; float tensors
// beside them merge as usual. Parameter hard limits at plan time (filtered della settings).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/compat.h"
#include "core/checkpoint/writer.h"
#include "core/engine/engine.h"
#include "core/recipe/mergekit_yaml.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {

using mergelab::testing::TempDir;

template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& v) {
  std::vector<std::byte> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

struct Family {
  std::vector<std::int64_t> position_ids = {0, 1, 2, 3};
  std::vector<std::uint8_t> mask = {1, 0, 1};      // BOOL
  std::vector<std::uint8_t> codes = {7, 200};      // U8
};

/// A model folder: a [2, 2] F32 "a.weight", a [2] F32 "b.bias", and the non-float tensors unless left out.
void write_model(const std::string& dir, const std::vector<float>& a, const std::vector<float>& b, const Family& f,
                 bool with_ints = true) {
  fs::create_directories(dir);
  std::vector<ckpt::RawTensorData> t = {{{"a.weight", ckpt::DType::F32, {2, 2}}, bytes_of(a)},
                                        {{"b.bias", ckpt::DType::F32, {2}}, bytes_of(b)}};
  if (with_ints) {
    t.push_back({{"position_ids", ckpt::DType::I64, {1, 4}}, bytes_of(f.position_ids)});
    t.push_back({{"mask", ckpt::DType::BOOL, {3}}, bytes_of(f.mask)});
    t.push_back({{"codes", ckpt::DType::U8, {2}}, bytes_of(f.codes)});
  }
  ckpt::write_safetensors_raw(dir + "/model.safetensors", t);
  std::ofstream(dir + "/config.json") << "{\"model_type\": \"toy\"}\n";
}

/// base + two fine-tunes whose task vectors are tau1 = [1, -1, 2, 0 | 1, 0], tau2 = [3, -3, -1, 0 | -1, 0].
void write_family(const TempDir& tmp, const Family& f1 = {}, const Family& f2 = {}) {
  write_model(tmp / "base", {1, 1, 1, 1}, {0, 0}, Family{});
  write_model(tmp / "ft1", {2, 0, 3, 1}, {1, 0}, f1);
  write_model(tmp / "ft2", {4, -2, 0, 1}, {-1, 0}, f2);
}

using mergelab::testing::quiet;

recipe::Recipe recipe_of(const TempDir& tmp, const std::string& yaml) {
  return recipe::parse_mergekit_yaml(yaml, tmp / "merge.yml", tmp.path.string());
}

std::vector<std::byte> raw(const ckpt::Checkpoint& c, const std::string& name) {
  const auto s = c.raw(name);
  return {s.begin(), s.end()};
}

void expect_copied_unchanged(const std::string& out_dir, const std::string& base_dir) {
  const ckpt::Checkpoint out = ckpt::Checkpoint::open(out_dir), base = ckpt::Checkpoint::open(base_dir);
  for (const char* name : {"position_ids", "mask", "codes"}) {
    SCOPED_TRACE(name);
    const ckpt::TensorInfo* o = out.find(name);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->dtype, base.at(name).dtype);
    EXPECT_EQ(o->shape, base.at(name).shape);
    EXPECT_EQ(raw(out, name), raw(base, name));
  }
  EXPECT_EQ(out.at("position_ids").dtype, ckpt::DType::I64);
  EXPECT_EQ(out.at("mask").dtype, ckpt::DType::BOOL);
  EXPECT_EQ(out.at("codes").dtype, ckpt::DType::U8);
}

std::string plan_error(const recipe::Recipe& r) {
  try {
    engine::plan_merge(r);
  } catch (const engine::EngineError& e) {
    return e.what();
  }
  return "";
}

const char* kTies = "merge_method: ties\nbase_model: base\nmodels: [ft1, ft2]\nparameters: {density: 1.0}\n";

}  // namespace

TEST(Passthrough, TiesMergesFloatsAndCopiesIntegerTensorsFromTheBase) {
  TempDir tmp;
  write_family(tmp);
  const engine::RunReport rep = engine::merge_checkpoints(recipe_of(tmp, kTies), quiet(tmp / "out"));
  EXPECT_EQ(rep.tensors, 5u);
  expect_copied_unchanged(tmp / "out", tmp / "base");
  const ckpt::Checkpoint out = ckpt::Checkpoint::open(tmp / "out");
  // TIES, density 1, weights 1, normalize, sign by sum: a: [+ mean(1,3), - mean(-1,-3), + (2 - 1 > 0) only tau1, 0]
  // -> base + [2, -2, 2, 0]; b: [1 - 1 = 0: tie elects +, only tau1 agrees -> 1, 0].
  EXPECT_TRUE(out.read_vector("a.weight").isApprox(Eigen::Vector4f(3, -1, 3, 1)));
  EXPECT_TRUE(out.read_vector("b.bias").isApprox(Eigen::Vector2f(1, 0)));
}

TEST(Passthrough, LinearWithoutABaseCopiesTheFirstModelsIntegerTensors) {
  TempDir tmp;
  write_family(tmp);
  const engine::RunReport rep = engine::merge_checkpoints(
      recipe_of(tmp, "merge_method: linear\nmodels:\n  - model: ft1\n    parameters: {weight: 3}\n  - model: ft2\n"
                     "    parameters: {weight: -1}\nparameters: {normalize: false}\n"),
      quiet(tmp / "out"));
  EXPECT_EQ(rep.tensors, 5u);
  expect_copied_unchanged(tmp / "out", tmp / "ft1");
  const ckpt::Checkpoint out = ckpt::Checkpoint::open(tmp / "out");
  // 3 ft1 - ft2
  EXPECT_TRUE(out.read_vector("a.weight").isApprox(Eigen::Vector4f(6 - 4, 0 + 2, 9 - 0, 3 - 1)));
  EXPECT_TRUE(out.read_vector("b.bias").isApprox(Eigen::Vector2f(3 + 1, 0)));
}

TEST(Passthrough, DryRunAndCompatibilityReportSayTheTensorIsCopied) {
  TempDir tmp;
  write_family(tmp);
  const engine::MergePlan plan = engine::plan_merge(recipe_of(tmp, kTies));
  const std::string text = plan.describe();
  EXPECT_NE(text.find("copied unchanged from " + (tmp / "base") + " (non-float, not merged): 3 tensor(s)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  position_ids I64 [1, 4]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  mask BOOL [3]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("parameter groups: 1\n"), std::string::npos) << text;
  int copied = 0;
  for (const auto& t : plan.tensors) {
    copied += t.copied;
    if (t.name == "position_ids") {
      EXPECT_EQ(t.out_dtype, ckpt::DType::I64);
    }
  }
  EXPECT_EQ(copied, 3);
  // Output bytes: floats (4 + 2) x 4 bytes, then 32 + 3 + 2 bytes copied.
  EXPECT_EQ(plan.output_bytes, 24u + 37u);

  const ckpt::Checkpoint base = ckpt::Checkpoint::open(tmp / "base"), ft1 = ckpt::Checkpoint::open(tmp / "ft1");
  const ckpt::CompatReport rep = ckpt::check_compatibility(base, {{&ft1, nullptr, "ft1"}});
  ASSERT_EQ(rep.models.size(), 1u);
  EXPECT_EQ(rep.models[0].copied, (std::vector<std::string>{"codes", "mask", "position_ids"}));
  EXPECT_TRUE(rep.models[0].not_mergeable.empty());
  EXPECT_TRUE(rep.models[0].dtype_mismatches.empty());
  EXPECT_NE(rep.to_text().find("copied from the base (non-float, not merged) position_ids"), std::string::npos)
      << rep.to_text();
}

TEST(Passthrough, AModelWithoutTheIntegerTensorGetsAWarningAndTheBasesCopy) {
  TempDir tmp;
  write_model(tmp / "base", {1, 1, 1, 1}, {0, 0}, Family{});
  write_model(tmp / "ft1", {2, 0, 3, 1}, {1, 0}, Family{}, false);
  write_model(tmp / "ft2", {4, -2, 0, 1}, {-1, 0}, Family{});
  const engine::MergePlan plan = engine::plan_merge(recipe_of(tmp, kTies));
  bool warned = false;
  for (const auto& w : plan.warnings)
    warned = warned || w == (tmp / "ft1") + ": tensor 'position_ids' (I64) missing; " + (tmp / "base") + "'s copy is written";
  EXPECT_TRUE(warned) << plan.describe();
  engine::run_merge(plan, quiet(tmp / "out"));
  expect_copied_unchanged(tmp / "out", tmp / "base");
  const ckpt::Checkpoint base = ckpt::Checkpoint::open(tmp / "base"), ft1 = ckpt::Checkpoint::open(tmp / "ft1");
  const auto m = ckpt::check_compatibility(base, {{&ft1, nullptr, "ft1"}}).models[0];
  EXPECT_TRUE(m.missing.empty());
  EXPECT_EQ(m.copied.size(), 3u);
}

TEST(Passthrough, IntegerTensorsThatDifferFromTheBaseAreRefusedLikeMergekit) {
  TempDir tmp;
  Family changed;
  changed.position_ids = {0, 1, 2, 4};
  write_family(tmp, Family{}, changed);
  const std::string e = plan_error(recipe_of(tmp, kTies));
  EXPECT_NE(e.find((tmp / "ft2") + ": tensor 'position_ids': this I64 tensor differs from " + (tmp / "base") + "'s"),
            std::string::npos)
      << e;
  const ckpt::Checkpoint base = ckpt::Checkpoint::open(tmp / "base"), ft2 = ckpt::Checkpoint::open(tmp / "ft2");
  const auto m = ckpt::check_compatibility(base, {{&ft2, nullptr, "ft2"}}).models[0];
  EXPECT_EQ(m.not_mergeable, std::vector<std::string>{"position_ids"});
  EXPECT_FALSE(m.mergeable());
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(Passthrough, DtypeChangesOfNonFloatTensorsAreRefused) {
  TempDir tmp;
  write_model(tmp / "base", {1, 1, 1, 1}, {0, 0}, Family{});
  write_model(tmp / "ft2", {4, -2, 0, 1}, {-1, 0}, Family{});
  // ft1: position_ids as I32, and the mask as F32 (a float where the base has BOOL).
  fs::create_directories(tmp / "ft1");
  const std::vector<std::int32_t> ids32 = {0, 1, 2, 3};
  const auto a = bytes_of(std::vector<float>{2, 0, 3, 1}), b = bytes_of(std::vector<float>{1, 0});
  ckpt::write_safetensors_raw(tmp / "ft1/model.safetensors",
                              {{{"a.weight", ckpt::DType::F32, {2, 2}}, a},
                               {{"b.bias", ckpt::DType::F32, {2}}, b},
                               {{"position_ids", ckpt::DType::I32, {1, 4}}, bytes_of(ids32)},
                               {{"mask", ckpt::DType::F32, {3}}, bytes_of(std::vector<float>{1, 0, 1})},
                               {{"codes", ckpt::DType::U8, {2}}, bytes_of(Family{}.codes)}});
  const std::string e = plan_error(recipe_of(tmp, kTies));
  // Tensors are checked in name order: codes (same), mask (F32 vs BOOL) first.
  EXPECT_NE(e.find((tmp / "ft1") + ": tensor 'mask': F32 here, BOOL in " + (tmp / "base") +
                   "; only float tensors (F32, F16, BF16, F64) can be merged"),
            std::string::npos)
      << e;
  ckpt::write_safetensors_raw(tmp / "ft1/model.safetensors",
                              {{{"a.weight", ckpt::DType::F32, {2, 2}}, a},
                               {{"b.bias", ckpt::DType::F32, {2}}, b},
                               {{"position_ids", ckpt::DType::I32, {1, 4}}, bytes_of(ids32)}},
                              {}, {.overwrite = true});
  const std::string e2 = plan_error(recipe_of(tmp, kTies));
  EXPECT_NE(e2.find((tmp / "ft1") + ": tensor 'position_ids': I32 here, I64 in " + (tmp / "base") +
                    "; non-float tensors are copied, not merged, so every input must hold the same"),
            std::string::npos)
      << e2;
}

TEST(Passthrough, ShardedOutputKeepsTheCopiedTensors) {
  TempDir tmp;
  write_family(tmp);
  engine::RunOptions o = quiet(tmp / "out");
  o.max_shard_bytes = 20;
  engine::merge_checkpoints(recipe_of(tmp, kTies), o);
  EXPECT_TRUE(fs::exists(tmp / "out/model.safetensors.index.json"));
  expect_copied_unchanged(tmp / "out", tmp / "base");
}

TEST(PlanLimits, FilteredDellaSettingsAreCheckedPerTensorBeforeAnythingIsWritten) {
  TempDir tmp;
  write_family(tmp);
  // The density filter matches only a.weight: 0.9 +/- 0.15 leaves (0, 1) there; b.bias keeps density 0.5.
  const recipe::Recipe r = recipe_of(
      tmp, "merge_method: della\nbase_model: base\nmodels: [ft1, ft2]\nparameters:\n  epsilon: 0.15\n  density:\n"
           "    - filter: a.weight\n      value: 0.9\n    - value: 0.5\n");
  const std::string e = plan_error(r);
  EXPECT_EQ(e, (tmp / "merge.yml") +
                   ": della: parameter epsilon is 0.15 with density 0.9: density +/- epsilon must lie in (0, 1) (model 0) "
                   "(tensor 'a.weight')");
  EXPECT_FALSE(fs::exists(tmp / "out"));
}
