// The search space of a sweep or an evolutionary search over a merge recipe's parameters.
//
// A parameter is named as on the command line: a method parameter ("lambda", "density", "t", ...)
// sets the global value; "NAME@i" sets it for the i-th merged model only (per-model parameters such
// as weight and density; i counts the models the method merges, the base excluded). A point of the
// space is applied to merge::Params (for in-memory evaluation) or written into a Recipe (to export
// the best point as mergekit YAML).
#pragma once

#include <string>
#include <vector>

#include "core/merge/registry.h"
#include "core/recipe/recipe.h"

namespace mergelab::search {

struct RecipeParam {
  std::string name;  ///< registry parameter name
  int model = -1;    ///< -1: global; else the index among the merged models
  std::string label() const { return model < 0 ? name : name + "@" + std::to_string(model); }
};

/// Parses "lambda" or "weight@1" for `method` with `n_models` merged models. Throws
/// std::invalid_argument naming the parameter and the problem (unknown, not per-model, index out of range).
RecipeParam parse_recipe_param(const std::string& text, const merge::MethodSpec& method, size_t n_models);

/// The registry range of a parameter (for search bounds and checks).
std::pair<double, double> param_range(const RecipeParam& p, const merge::MethodSpec& method);

/// Sets params[p_i] = values[i].
void apply_point(merge::Params& params, const std::vector<RecipeParam>& space, const std::vector<double>& values);

/// Writes values into the recipe (global parameters, or the parameters of the model entry that
/// feeds merged model i according to `layout`), replacing gradients/filters of those parameters by the value.
void apply_point(recipe::Recipe& recipe, const recipe::MergeLayout& layout, const std::vector<RecipeParam>& space,
                 const std::vector<double>& values);

}  // namespace mergelab::search
