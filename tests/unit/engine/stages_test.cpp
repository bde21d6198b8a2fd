// Multi-stage recipes (mergekit-multi): stages in dependency order, intermediates cached and reused while their
// recipe and inputs are unchanged, cycles and unknown names refused before anything runs, the graph for --dry-run.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/checkpoint/checkpoint.h"
#include "core/engine/stages.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/multi_stage.h"
#include "tests/unit/engine/run_options.h"
#include "tests/unit/temp_dir.h"

using namespace mergelab;
namespace fs = std::filesystem;

namespace {
const std::string kModels = std::string(MERGELAB_TEST_DATA) + "/tinylm/models";
using mergelab::testing::quiet;
using mergelab::testing::TempDir;

// The final stage first in the file: the order comes from the uses, not from the file.
std::string two_stage(double weight) {
  return "name: final\nmerge_method: slerp\nbase_model: " + kModels + "/base\nmodels:\n  - model: " + kModels +
         "/base\n  - model: code\nparameters: {t: 0.5}\ndtype: float32\n---\nname: code\nmerge_method: linear\nmodels:\n"
         "  - model: " + kModels + "/ft_python\n    parameters: {weight: " + std::to_string(weight) + "}\n  - model: " +
         kModels + "/ft_c\n    parameters: {weight: 0.5}\ndtype: float32\n";
}

std::string error_of(const std::string& text) {
  try {
    recipe::parse_recipes(text, "multi.yml", ".");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

engine::StageOptions options(const TempDir& dir) {
  engine::StageOptions o;
  o.cache_dir = dir / "cache";
  o.run = quiet(dir / "out");
  o.run.force = true;
  return o;
}
}  // namespace

TEST(Stages, RunInDependencyOrderAndEqualTheMergesRunByHand) {
  TempDir tmp;
  tmp.write("multi.yml", two_stage(0.5));
  const recipe::MultiRecipe m = recipe::read_recipes(tmp / "multi.yml");
  ASSERT_EQ(m.stages.size(), 2u);
  EXPECT_EQ(m.stages[0].name, "code");
  EXPECT_EQ(m.stages[1].name, "final");
  EXPECT_EQ(m.stages[1].uses, std::vector<std::string>{"code"});
  EXPECT_EQ(engine::stage_graph(m), "stages (in run order):\n  1. code: linear of " + kModels + "/ft_python " + kModels +
                                        "/ft_c\n  2. final (final): slerp of " + kModels + "/base [code]\n");
  const engine::StageReport rep = engine::run_stages(m, options(tmp));
  EXPECT_EQ(rep.merged, (std::vector<std::string>{"code", "final"}));
  // By hand: the linear merge, then the slerp of the base with it.
  tmp.write("code.yml", "merge_method: linear\nmodels:\n  - model: " + kModels + "/ft_python\n    parameters: {weight: 0.5}\n"
                        "  - model: " + kModels + "/ft_c\n    parameters: {weight: 0.5}\ndtype: float32\n");
  engine::merge_checkpoints(recipe::read_mergekit_yaml(tmp / "code.yml"), quiet(tmp / "code"));
  tmp.write("final.yml", "merge_method: slerp\nbase_model: " + kModels + "/base\nmodels:\n  - model: " + kModels +
                         "/base\n  - model: " + tmp / "code" + "\nparameters: {t: 0.5}\ndtype: float32\n");
  engine::merge_checkpoints(recipe::read_mergekit_yaml(tmp / "final.yml"), quiet(tmp / "final"));
  const auto a = ckpt::Checkpoint::open(tmp / "out"), b = ckpt::Checkpoint::open(tmp / "final");
  ASSERT_EQ(a.tensors().size(), b.tensors().size());
  for (const auto& t : b.tensors()) EXPECT_EQ(a.read_vector(t.name), b.read_vector(t.name)) << t.name;
}

TEST(Stages, CachedIntermediatesAreReusedUntilTheirRecipeChanges) {
  TempDir tmp;
  tmp.write("multi.yml", two_stage(0.5));
  engine::run_stages(recipe::read_recipes(tmp / "multi.yml"), options(tmp));
  const auto first = fs::last_write_time(tmp / "cache/code/model.safetensors");
  // Unchanged: the intermediate is reused, the final merged again.
  engine::StageReport rep = engine::run_stages(recipe::read_recipes(tmp / "multi.yml"), options(tmp));
  EXPECT_EQ(rep.reused, std::vector<std::string>{"code"});
  EXPECT_EQ(rep.merged, std::vector<std::string>{"final"});
  EXPECT_EQ(fs::last_write_time(tmp / "cache/code/model.safetensors"), first);
  // The intermediate's recipe changed: merged again.
  tmp.write("multi.yml", two_stage(0.25));
  rep = engine::run_stages(recipe::read_recipes(tmp / "multi.yml"), options(tmp));
  EXPECT_EQ(rep.merged, (std::vector<std::string>{"code", "final"}));
  EXPECT_TRUE(rep.reused.empty());
}

TEST(Stages, CyclesUnknownNamesAndMissingNamesAreRefusedBeforeAnythingRuns) {
  const std::string a = "name: a\nmerge_method: linear\nmodels:\n  - model: b\n  - model: " + kModels + "/base\n";
  const std::string b = "name: b\nmerge_method: linear\nmodels:\n  - model: a\n  - model: " + kModels + "/base\n";
  EXPECT_EQ(error_of(a + "---\n" + b),
            "multi.yml:1: the stages use each other in a cycle: a -> b -> a; a stage can only use stages that do not need it");
  EXPECT_EQ(error_of(a + "---\nname: c\nmerge_method: linear\nmodels:\n  - model: " + kModels + "/base\n  - model: bb\n"),
            "multi.yml:4: stage 'a': model 'b' is neither a stage of this file (a, c) nor a local path (looked for b)");
  EXPECT_EQ(error_of("merge_method: linear\nmodels: [" + kModels + "/base]\n---\nname: b\nmerge_method: linear\nmodels: [" +
                     kModels + "/base]\n"),
            "multi.yml:1: this file holds 2 YAML documents: each needs 'name: NAME' so that the others can use it as a model");
  EXPECT_NE(error_of("name: x\nmerge_method: linear\nmodels: [" + kModels + "/base]\n---\nname: y\nmerge_method: linear\nmodels: [x]\n---\nname: z\n"
                     "merge_method: linear\nmodels: [x]\n")
                .find("stages 'y', 'z' are used by no other stage"),
            std::string::npos);
}

TEST(Stages, PreflightShowsTheGraphAndChecksStagesWhoseInputsExist) {
  TempDir tmp;
  tmp.write("multi.yml", two_stage(0.5));
  engine::Preflight p = engine::preflight(tmp / "multi.yml", {}, tmp / "cache");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_NE(p.text().find("  2. final (final): slerp of"), std::string::npos);
  EXPECT_NE(p.plan.find("== stage final: checked as far as its YAML goes (uses 'code', not built yet)"), std::string::npos);
  engine::run_stages(recipe::read_recipes(tmp / "multi.yml"), options(tmp));
  p = engine::preflight(tmp / "multi.yml", {}, tmp / "cache");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_NE(p.plan.find("== stage final\nmethod: slerp"), std::string::npos) << p.plan;
}
