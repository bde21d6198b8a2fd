// The base's role in in-memory merges (MergeFamily::set_base_role) against mergekit's own outputs: a recipe
// without a base_model must not hand the family's base (its first model) to nuslerp or multislerp, and karcher
// with a base merges it as one more model. Each in-memory merge equals mergekit's tensor within 1e-6.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/checkpoint/checkpoint.h"
#include "core/eval/merge_eval.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/recipe.h"
#include "tests/unit/eval/digits.h"

namespace fs = std::filesystem;
using namespace mergelab;
using namespace mergelab::eval;
using mergelab::testing::kDigits;

namespace {

// The largest |in-memory merge - mergekit's output| over every tensor of the fixture `name`.
double max_error_against_mergekit(const MergeFamily& family, const recipe::Recipe& r, const std::string& name) {
  const auto layout = recipe::merge_layout(r);
  const Eigen::VectorXf merged = family.merge(r, layout);
  const auto ref = ckpt::Checkpoint::open((kDigits / "mergekit" / (name + ".safetensors")).string());
  double worst = 0.0;
  Eigen::Index off = 0;
  for (const auto& slot : family.layout()) {
    const Eigen::VectorXf want = ref.read_vector(slot.name);
    const auto got = merged.segment(off, want.size());
    worst = std::max(worst, static_cast<double>((got - want).cwiseAbs().maxCoeff()));
    off += want.size();
  }
  EXPECT_EQ(off, merged.size());
  return worst;
}

// The family as the tune commands load it: the layout's base (else its first model) and the layout's models.
MergeFamily family_for(const recipe::MergeLayout& layout) {
  std::vector<fs::path> models(layout.models.begin(), layout.models.end());
  MergeFamily f = MergeFamily::load(layout.base.empty() ? layout.models.at(0) : layout.base, models);
  if (layout.base.empty()) f.set_base_role(BaseRole::None);
  return f;
}

recipe::Recipe fixture_recipe(const std::string& name) {
  return recipe::read_mergekit_yaml((kDigits / "mergekit" / (name + ".yml")).string());
}

}  // namespace

TEST(BaseRole, RecipesWithAndWithoutABaseMatchMergekit) {
  for (const std::string name : {"nuslerp", "nuslerp_rowwise_nobase", "multislerp", "karcher"}) {
    SCOPED_TRACE(name);
    const recipe::Recipe r = fixture_recipe(name);
    const auto layout = recipe::merge_layout(r);
    EXPECT_LT(max_error_against_mergekit(family_for(layout), r, name), 1e-6);
  }
}

TEST(BaseRole, WithoutABaseTheFirstModelIsNotTakenAsOrigin) {
  const recipe::Recipe r = fixture_recipe("nuslerp_rowwise_nobase");
  const auto layout = recipe::merge_layout(r);
  ASSERT_TRUE(layout.base.empty());
  MergeFamily f = family_for(layout);
  f.set_base_role(BaseRole::Origin);  // the mistake: ft_task0 as the origin of the task vectors
  EXPECT_GT(max_error_against_mergekit(f, r, "nuslerp_rowwise_nobase"), 1e-3);
}

TEST(BaseRole, KarcherWithTheBaseJoiningTheFineTunes) {
  // A family of the fine-tunes only (as the Tune panel loads it) with the base joining them equals a family
  // that lists the base as a model, and the recipe with base_model that mergekit reads the same way.
  const fs::path m = kDigits / "models";
  recipe::Recipe r = fixture_recipe("karcher");
  r.base_model = (m / "base").string();
  const auto layout = recipe::merge_layout(r);
  ASSERT_EQ(layout.models.size(), 4u);  // base first, then the three fine-tunes
  MergeFamily joined = MergeFamily::load(m / "base", {m / "ft_task0", m / "ft_task1", m / "ft_task2"});
  joined.set_base_role(BaseRole::JoinsModels);
  EXPECT_EQ(joined.merged_model_count(), 4u);
  MergeFamily listed = family_for(layout);
  const Eigen::VectorXf a = joined.merge(r, layout), b = listed.merge(r, layout);
  EXPECT_EQ(a, b);
  // and it differs from the three-model mean of the fixture
  const recipe::Recipe plain = fixture_recipe("karcher");
  const auto plain_layout = recipe::merge_layout(plain);
  EXPECT_GT((a - family_for(plain_layout).merge(plain, plain_layout)).cwiseAbs().maxCoeff(), 1e-3);
  // the family without the base refuses a layout that lists it
  joined.set_base_role(BaseRole::None);
  EXPECT_THROW(joined.resolve_tensor_params(r, layout), std::invalid_argument);
}
