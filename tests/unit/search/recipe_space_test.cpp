#include "core/search/recipe_space.h"

#include <gtest/gtest.h>

using namespace mergelab;

TEST(RecipeSpace, ParsesGlobalAndPerModelParameters) {
  const auto* ties = merge::find_method("ties");
  const auto lambda = search::parse_recipe_param("lambda", *ties, 3);
  EXPECT_EQ(lambda.name, "lambda");
  EXPECT_EQ(lambda.model, -1);
  const auto d2 = search::parse_recipe_param("density@2", *ties, 3);
  EXPECT_EQ(d2.model, 2);
  EXPECT_EQ(d2.label(), "density@2");
  EXPECT_THROW(search::parse_recipe_param("density@3", *ties, 3), std::invalid_argument);  // 3 models: 0..2
  EXPECT_THROW(search::parse_recipe_param("lambda@0", *ties, 3), std::invalid_argument);   // not per model
  EXPECT_THROW(search::parse_recipe_param("nope", *ties, 3), std::invalid_argument);
  EXPECT_THROW(search::parse_recipe_param("weight@x", *ties, 3), std::invalid_argument);
}

TEST(RecipeSpace, AppliesAPointToParamsAndToTheRecipe) {
  const auto* ties = merge::find_method("ties");
  const std::vector<search::RecipeParam> space = {{"lambda", -1}, {"weight", 1}};
  merge::Params p = merge::make_params(*ties);
  search::apply_point(p, space, {0.6, 0.25});
  EXPECT_DOUBLE_EQ(p.get("lambda"), 0.6);
  EXPECT_DOUBLE_EQ(p.get("weight", 1), 0.25);
  EXPECT_DOUBLE_EQ(p.get("weight", 0), 1.0);  // untouched: the default

  recipe::Recipe r;
  r.method = "ties";
  r.base_model = "base";
  r.models = {{"base", {}}, {"a", {}}, {"b", {}}};
  recipe::MergeLayout layout;
  layout.base = "base";
  layout.models = {"a", "b"};
  layout.entry = {1, 2};  // merged model i comes from recipe entry i + 1
  search::apply_point(r, layout, space, {0.6, 0.25});
  EXPECT_EQ(r.params.at("lambda"), recipe::ParamSetting::scalar(0.6));
  EXPECT_EQ(r.models[2].params.at("weight"), recipe::ParamSetting::scalar(0.25));
  EXPECT_TRUE(r.models[1].params.empty());
}
