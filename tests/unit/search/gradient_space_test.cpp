// Layer gradients in the search space: NAME[@i]:gG parsing, points of G control points written into a recipe
// as mergekit lists and read back, and which control points a layer stack reaches.
#include <gtest/gtest.h>

#include "core/search/recipe_space.h"

using namespace mergelab;
using search::RecipeParam;

TEST(GradientSpace, ParsesLayerGroups) {
  const auto* ties = merge::find_method("ties");
  const RecipeParam w = search::parse_recipe_param("weight@1:g3", *ties, 3);
  EXPECT_EQ(w.name, "weight");
  EXPECT_EQ(w.model, 1);
  EXPECT_EQ(w.groups, 3);
  EXPECT_EQ(w.label(), "weight@1:g3");
  const RecipeParam lam = search::parse_recipe_param("lambda:g2", *ties, 3);
  EXPECT_EQ(lam.model, -1);
  EXPECT_EQ(lam.groups, 2);
  EXPECT_EQ(lam.label(), "lambda:g2");
  EXPECT_EQ(search::parse_recipe_param("density@0:g1", *ties, 3).label(), "density@0");  // g1 = a scalar
  for (const char* bad : {"weight@1:g0", "weight@1:g65", "weight@1:g", "weight@1:3", "weight@1:gx", "weight:g2@1",
                          "weight@1:g2:g3"})
    EXPECT_THROW(search::parse_recipe_param(bad, *ties, 3), std::invalid_argument) << bad;
  // normalize is a bool: never a gradient when asked explicitly...
  EXPECT_THROW(search::parse_recipe_param("normalize:g2", *ties, 3), std::invalid_argument);
  // ...and a --layer-groups default leaves it scalar while real parameters take it.
  EXPECT_EQ(search::parse_recipe_param("normalize", *ties, 3, 4).groups, 1);
  EXPECT_EQ(search::parse_recipe_param("density@2", *ties, 3, 4).groups, 4);
  EXPECT_EQ(search::parse_recipe_param("density@2:g2", *ties, 3, 4).groups, 2);  // explicit wins
}

TEST(GradientSpace, PointSizeAndLabels) {
  const std::vector<RecipeParam> space = {{"lambda", -1, 1}, {"weight", 0, 3}, {"density", 2, 2}};
  EXPECT_EQ(search::point_size(space), 6u);
  EXPECT_TRUE(search::has_gradient(space));
  EXPECT_FALSE(search::has_gradient({{"lambda", -1, 1}}));
  EXPECT_EQ(search::point_labels(space), (std::vector<std::string>{"lambda", "weight@0[0]", "weight@0[1]", "weight@0[2]",
                                                                    "density@2[0]", "density@2[1]"}));
}

TEST(GradientSpace, WritesGradientsIntoTheRecipeAndReadsThemBack) {
  recipe::Recipe r;
  r.method = "ties";
  r.base_model = "base";
  r.models = {{"base", {}}, {"a", {}}, {"b", {}}};
  r.models[1].params["density"] = recipe::ParamSetting::scalar(0.5);  // replaced by the point
  recipe::MergeLayout layout;
  layout.base = "base";
  layout.models = {"a", "b"};
  layout.entry = {1, 2};
  const std::vector<RecipeParam> space = {{"lambda", -1, 1}, {"weight", 1, 3}, {"density", 0, 2}};
  const std::vector<double> point = {0.8, 0.1, 0.4, 0.9, 0.3, 0.6};
  search::apply_point(r, layout, space, point);
  EXPECT_EQ(r.params.at("lambda"), recipe::ParamSetting::scalar(0.8));
  EXPECT_EQ(r.models[2].params.at("weight"), recipe::ParamSetting::gradient({0.1, 0.4, 0.9}));
  EXPECT_EQ(r.models[1].params.at("density"), recipe::ParamSetting::gradient({0.3, 0.6}));
  EXPECT_TRUE(r.models[0].params.empty());
  recipe::validate(recipe::Recipe{r});  // a valid mergekit recipe (gradients of real parameters)
  // Control point k of a G-point gradient is the value at t = k / (G - 1): the point comes back.
  const auto back = search::point_of(r, layout, space, "model.layers.0.mlp.weight");
  ASSERT_EQ(back.size(), point.size());
  for (size_t i = 0; i < point.size(); ++i) EXPECT_DOUBLE_EQ(back[i], point[i]) << i;
  // A 2-point gradient read as 3 points: the middle one is the interpolated value.
  const auto resampled = search::point_of(r, layout, {{"density", 0, 3}}, "x");
  EXPECT_DOUBLE_EQ(resampled[1], 0.45);
  // Unset parameters give the method's defaults.
  EXPECT_EQ(search::point_of(r, layout, {{"density", 1, 2}}, "x"), (std::vector<double>{1.0, 1.0}));

  EXPECT_THROW(search::apply_point(r, layout, space, {0.8, 0.1}), std::invalid_argument);  // 2 values for 6
  merge::Params p = merge::make_params(*merge::find_method("ties"));
  EXPECT_THROW(search::apply_point(p, space, point), std::invalid_argument);  // one Params cannot hold a gradient
}

TEST(GradientSpace, UnusedControlPoints) {
  using V = std::vector<int>;
  // Two layers at t = 0 and 1: a 2-point gradient uses both; a 3-point one never reaches its middle point.
  EXPECT_EQ(search::unused_control_points(2, {0, 0, 1, 1}), V{});
  EXPECT_EQ(search::unused_control_points(3, {0, 0, 1, 1}), V{1});
  // Three layers at t = 0, 0.5, 1: up to 3 points all used; 4 points (at 0, 1/3, 2/3, 1) too, since t = 0.5
  // lies between points 1 and 2; 5 points (0, 0.25, ...) leave 0.25 and 0.75 unreached.
  EXPECT_EQ(search::unused_control_points(3, {0, 0.5, 1}), V{});
  EXPECT_EQ(search::unused_control_points(4, {0, 0.5, 1}), V{});
  EXPECT_EQ(search::unused_control_points(5, {0, 0.5, 1}), (V{1, 3}));
  // No layer stack (every t = 0, the digits fixture's fc1/fc2 names): only the first point matters.
  EXPECT_EQ(search::unused_control_points(2, {0, 0, 0, 0}), V{1});
  EXPECT_EQ(search::unused_control_points(1, {0}), V{});
}
