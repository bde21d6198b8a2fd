// Per-tensor parameters in the in-memory merge: gradients and filters resolved as the engine resolves them,
// and the in-memory result equal to what the engine writes for the same recipe.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/checkpoint/checkpoint.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/eval/digits.h"
#include "core/engine/engine.h"
#include "core/eval/merge_eval.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using namespace mergelab;
using namespace mergelab::eval;

namespace {

using mergelab::testing::digits_family;
using mergelab::testing::kDigits;

// The digits family with its layers renamed fc1 -> layers.0, fc2 -> layers.1: the same weights in a layer stack
// of two numbered layers (as transformers name theirs), so gradients have layers to act on.
MergeFamily numbered_family(const MergeFamily& f) {
  MlpConfig config = f.config();
  config.layers = {"layers.0", "layers.1"};
  std::vector<TensorSlot> layout = f.layout();
  for (auto& s : layout) s.name.replace(0, 3, s.name.starts_with("fc1") ? "layers.0" : "layers.1");
  std::vector<Eigen::VectorXf> models;
  for (size_t i = 0; i < f.model_count(); ++i) models.push_back(f.model(i));
  return MergeFamily(config, layout, f.base(), models);
}

using mergelab::testing::TempDir;

// A recipe of `method` over base + models (absolute paths), no parameters set.
recipe::Recipe recipe_for(const std::string& method, const fs::path& base, const std::vector<fs::path>& models) {
  recipe::Recipe r;
  r.method = method;
  r.base_model = base.string();
  for (const auto& m : models) r.models.push_back({m.string(), {}});
  return r;
}

size_t offset_of(const MergeFamily& f, const std::string& name) {
  size_t off = 0;
  for (const auto& s : f.layout()) {
    if (s.name == name) return off;
    size_t n = 1;
    for (auto d : s.shape) n *= d;
    off += n;
  }
  throw std::out_of_range(name);
}

size_t numel_of(const MergeFamily& f, const std::string& name) {
  for (const auto& s : f.layout())
    if (s.name == name) {
      size_t n = 1;
      for (auto d : s.shape) n *= d;
      return n;
    }
  throw std::out_of_range(name);
}

}  // namespace

TEST(RecipeMerge, DigitsTensorsHaveNoLayerNumbersSoGradientsGiveTheFirstValue) {
  const MergeFamily f = digits_family();
  EXPECT_EQ(f.layer_count(), 0);  // fc1.bias, fc1.weight, fc2.bias, fc2.weight: no all-digit component
  recipe::Recipe r = recipe_for("task_arithmetic", "b", {"m0", "m1", "m2"});
  r.models[0].params["weight"] = recipe::ParamSetting::gradient({0.2, 0.5, 0.9});
  const auto layout = recipe::merge_layout(r);
  const TensorParams p = f.resolve_tensor_params(r, layout);
  ASSERT_EQ(p.size(), 4u);
  for (size_t t = 0; t < 4; ++t) {
    EXPECT_EQ(f.layer_position(t), 0.0) << f.layout()[t].name;
    EXPECT_DOUBLE_EQ(p[t].get("weight", 0), 0.2) << f.layout()[t].name;  // outside a layer stack: t = 0
    EXPECT_DOUBLE_EQ(p[t].get("weight", 1), 1.0);                          // unset: the default
  }
}

TEST(RecipeMerge, GradientValuesByLayerOnTheNumberedFixture) {
  const MergeFamily f = numbered_family(digits_family());
  ASSERT_EQ(f.layer_count(), 2);
  // Sorted layout: layers.0.bias, layers.0.weight, layers.1.bias, layers.1.weight -> t = 0, 0, 1, 1.
  EXPECT_EQ(f.layout()[0].name, "layers.0.bias");
  EXPECT_EQ(f.layout()[3].name, "layers.1.weight");
  const std::vector<double> expected_t = {0, 0, 1, 1};
  for (size_t t = 0; t < 4; ++t) EXPECT_EQ(f.layer_position(t), expected_t[t]);

  recipe::Recipe r = recipe_for("ties", "b", {"m0", "m1", "m2"});
  r.models[0].params["weight"] = recipe::ParamSetting::gradient({0.2, 0.5, 0.9});  // 3 points on 2 layers
  r.models[1].params["density"] = recipe::ParamSetting::gradient({0.3, 0.7});
  recipe::ParamSetting lambda;  // biases 0.5, everything else a gradient
  lambda.conditional = true;
  lambda.entries = {{"bias", {{0.5}}}, {"", {{1.0, 0.6}}}};
  r.params["lambda"] = lambda;
  const auto layout = recipe::merge_layout(r);
  const TensorParams p = f.resolve_tensor_params(r, layout, 11);
  // Layer 0 (t = 0) takes the first point, layer 1 (t = 1) the last; the middle point of a 3-point list lies
  // between the two layers and reaches neither.
  const std::vector<double> weight0 = {0.2, 0.2, 0.9, 0.9}, density1 = {0.3, 0.3, 0.7, 0.7}, lam = {0.5, 1.0, 0.5, 0.6};
  for (size_t t = 0; t < 4; ++t) {
    SCOPED_TRACE(f.layout()[t].name);
    EXPECT_DOUBLE_EQ(p[t].get("weight", 0), weight0[t]);
    EXPECT_DOUBLE_EQ(p[t].get("density", 1), density1[t]);
    EXPECT_DOUBLE_EQ(p[t].get("density", 0), 1.0);  // ties' default density
    EXPECT_DOUBLE_EQ(p[t].get("lambda"), lam[t]);
    EXPECT_EQ(p[t].seed, engine::tensor_seed(11, f.layout()[t].name));
  }
}

TEST(RecipeMerge, GradientOnAThreeLayerStackInterpolates) {
  // A 3-layer MLP 2 -> 2 -> 2 -> 2 from memory: layers at t = 0, 0.5, 1.
  MlpConfig config;
  config.layers = {"model.layers.0", "model.layers.1", "model.layers.2"};
  std::vector<TensorSlot> layout;
  for (int l = 0; l < 3; ++l) layout.push_back({"model.layers." + std::to_string(l) + ".weight", {2, 2}});
  const Eigen::VectorXf base = Eigen::VectorXf::Zero(12);
  const Eigen::VectorXf model = Eigen::VectorXf::Ones(12);
  const MergeFamily f(config, layout, base, {model});
  recipe::Recipe r = recipe_for("task_arithmetic", "b", {"m0"});
  r.models[0].params["weight"] = recipe::ParamSetting::gradient({0.2, 0.8});
  const Eigen::VectorXf merged = f.merge(r, recipe::merge_layout(r));
  // base 0, task vector 1: merged = weight at t; layer 1 sits halfway between the two points.
  const float expected[3] = {0.2f, 0.5f, 0.8f};
  for (int l = 0; l < 3; ++l)
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(merged[l * 4 + i], expected[l], 1e-7) << "layer " << l;
}

TEST(RecipeMerge, ScalarRecipeEqualsTheOneParamsMerge) {
  const MergeFamily f = digits_family();
  recipe::Recipe r = recipe_for("task_arithmetic", "b", {"m0", "m1", "m2"});
  r.params["lambda"] = recipe::ParamSetting::scalar(0.5);
  r.models[2].params["weight"] = recipe::ParamSetting::scalar(0.7);
  const merge::MethodSpec* ta = merge::find_method("task_arithmetic");
  merge::Params p = merge::make_params(*ta);
  p.set("lambda", 0.5);
  p.set_model(2, "weight", 0.7);
  const Eigen::VectorXf a = f.merge(r, recipe::merge_layout(r));
  const Eigen::VectorXf b = f.merge(*ta, p);
  EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0f);
}

TEST(RecipeMerge, GradientMergeByHandOnTheNumberedFixture) {
  const MergeFamily f = numbered_family(digits_family());
  recipe::Recipe r = recipe_for("task_arithmetic", "b", {"m0", "m1", "m2"});
  r.models[0].params["weight"] = recipe::ParamSetting::gradient({0.2, 0.9});
  r.models[1].params["weight"] = recipe::ParamSetting::scalar(0.0);
  r.models[2].params["weight"] = recipe::ParamSetting::scalar(0.0);
  const Eigen::VectorXf merged = f.merge(r, recipe::merge_layout(r));
  // theta = base + weight(layer) * tau_0 (lambda 1).
  for (const auto& [name, w] : std::vector<std::pair<std::string, float>>{{"layers.0.weight", 0.2f}, {"layers.0.bias", 0.2f},
                                                                           {"layers.1.weight", 0.9f}, {"layers.1.bias", 0.9f}}) {
    const auto off = static_cast<Eigen::Index>(offset_of(f, name));
    const auto n = static_cast<Eigen::Index>(numel_of(f, name));
    const Eigen::VectorXf expected = f.base().segment(off, n) + w * (f.model(0).segment(off, n) - f.base().segment(off, n));
    EXPECT_LT((merged.segment(off, n) - expected).cwiseAbs().maxCoeff(), 1e-6f) << name;
  }
}

TEST(RecipeMerge, RefusesALayoutOfAnotherModelCount) {
  const MergeFamily f = digits_family();
  const recipe::Recipe r = recipe_for("task_arithmetic", "b", {"m0", "m1"});
  EXPECT_THROW(f.resolve_tensor_params(r, recipe::merge_layout(r)), std::invalid_argument);
  EXPECT_THROW(f.merge(*merge::find_method("ties"), TensorParams(3)), std::invalid_argument);
}

// The engine writes what the in-memory merge computes: same recipe, same seed, gradients included.
TEST(RecipeMerge, InMemoryEqualsTheEngine) {
  TempDir tmp;
  const MergeFamily numbered = numbered_family(digits_family());
  fs::create_directories(tmp.path / "base");
  numbered.write_checkpoint(numbered.base(), tmp.path / "base");
  std::vector<fs::path> model_dirs;
  for (size_t i = 0; i < numbered.model_count(); ++i) {
    model_dirs.push_back(tmp.path / ("ft" + std::to_string(i)));
    fs::create_directories(model_dirs.back());
    numbered.write_checkpoint(numbered.model(i), model_dirs.back());
  }
  const fs::path m = kDigits / "models";
  struct Case {
    std::string name;
    recipe::Recipe recipe;
  };
  std::vector<Case> cases;
  {
    recipe::Recipe r = recipe_for("task_arithmetic", tmp.path / "base", model_dirs);
    r.models[0].params["weight"] = recipe::ParamSetting::gradient({0.2, 0.9});
    r.models[1].params["weight"] = recipe::ParamSetting::gradient({1.0, 0.4, 0.1});
    r.params["lambda"] = recipe::ParamSetting::scalar(0.8);
    cases.push_back({"task_arithmetic", r});
  }
  {
    recipe::Recipe r = recipe_for("ties", tmp.path / "base", model_dirs);
    r.params["density"] = recipe::ParamSetting::gradient({0.2, 0.6});
    r.models[2].params["weight"] = recipe::ParamSetting::gradient({0.5, 1.0});
    cases.push_back({"ties", r});
  }
  {
    recipe::Recipe r = recipe_for("dare_ties", tmp.path / "base", model_dirs);  // random: per-tensor seeds must agree
    r.params["density"] = recipe::ParamSetting::gradient({0.3, 0.8});
    r.params["lambda"] = recipe::ParamSetting::scalar(0.7);
    cases.push_back({"dare_ties", r});
  }
  {
    // The fixture as it is (no layer numbers): the first value of each gradient everywhere, in both paths.
    recipe::Recipe r = recipe_for("dare_linear", m / "base", {m / "ft_task0", m / "ft_task1", m / "ft_task2"});
    r.params["density"] = recipe::ParamSetting::gradient({0.4, 0.9});
    cases.push_back({"dare_linear (fc names)", r});
  }
  const uint32_t seed = 7;
  for (size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE(cases[c].name);
    const recipe::Recipe& r = cases[c].recipe;
    recipe::validate(r);
    const auto layout = recipe::merge_layout(r);
    std::vector<fs::path> models(layout.models.begin(), layout.models.end());
    const MergeFamily family = MergeFamily::load(layout.base, models);  // what the tune commands load
    const Eigen::VectorXf in_memory = family.merge(r, layout, seed);

    const fs::path out = tmp.path / ("out" + std::to_string(c));
    engine::merge_checkpoints(r, mergelab::testing::quiet(out.string(), 1), {.seed = seed});
    const auto merged = ckpt::Checkpoint::open(out.string());
    float max_diff = 0;
    for (const auto& s : family.layout()) {
      const Eigen::VectorXf v = merged.read_vector(s.name);
      const auto off = static_cast<Eigen::Index>(offset_of(family, s.name));
      ASSERT_EQ(v.size(), static_cast<Eigen::Index>(numel_of(family, s.name)));
      max_diff = std::max(max_diff, (v - in_memory.segment(off, v.size())).cwiseAbs().maxCoeff());
    }
    EXPECT_LE(max_diff, 1e-6f);
    // A gradient makes a difference on the numbered fixture: the merge differs from the first-value merge.
    if (family.layer_count() > 0) {
      recipe::Recipe flat = r;
      const auto first_values = family.resolve_tensor_params(r, layout, seed).front();  // layer 0's values
      for (auto& [name, setting] : flat.params) setting = recipe::ParamSetting::scalar(first_values.get(name));
      for (size_t i = 0; i < flat.models.size(); ++i)
        for (auto& [name, setting] : flat.models[i].params) setting = recipe::ParamSetting::scalar(first_values.get(name, static_cast<int>(i)));
      EXPECT_GT((family.merge(flat, layout, seed) - in_memory).cwiseAbs().maxCoeff(), 1e-3f);
    }
  }
}
