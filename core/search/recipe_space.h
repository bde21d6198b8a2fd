// The search space of a sweep or an evolutionary search over a merge recipe's parameters.
//
// A parameter is named as on the command line:
//   NAME          a method parameter ("lambda", "density", "t", ...): the global value
//   NAME@i        the value for the i-th merged model only (per-model parameters such as weight and density;
//                 i counts the models the method merges, the base excluded)
//   NAME[@i]:gG   a layer gradient of G control points (G >= 2; ":g1" is the scalar): a mergekit list value
//                 [v0, ..., v(G-1)] interpolated piecewise-linearly over the layer position t = layer / (L - 1)
//                 (core/recipe/recipe.h). Only real-valued parameters can be gradients.
// A point of the space is a flat vector: one value per scalar parameter, G consecutive values (control points
// v0..v(G-1), first layer to last) per gradient; point_size() counts them. A point is applied to merge::Params
// (scalar spaces only: one set of values for every tensor) or written into a Recipe (gradients become lists),
// which MergeFamily::evaluate(recipe, ...) merges per tensor exactly as the engine does.
//
//   auto space = {parse_recipe_param("weight@0:g3", *ta, 3), parse_recipe_param("lambda", *ta, 3)};
//   // point_size(space) == 4: weight@0 at t = 0, 0.5, 1, then lambda
//   apply_point(recipe, layout, space, {0.2, 0.5, 0.9, 0.8});   // models[..].parameters.weight: [0.2, 0.5, 0.9]
#pragma once

#include <string>
#include <vector>

#include "core/merge/registry.h"
#include "core/recipe/recipe.h"

namespace mergelab::search {

struct RecipeParam {
  std::string name;  ///< registry parameter name
  int model = -1;    ///< -1: global; else the index among the merged models
  int groups = 1;    ///< 1: a scalar; G >= 2: a gradient of G control points over the layer stack
  /// "lambda", "weight@1", "weight@1:g3".
  std::string label() const {
    return (model < 0 ? name : name + "@" + std::to_string(model)) + (groups > 1 ? ":g" + std::to_string(groups) : "");
  }
};

/// Largest G accepted in ":gG" / --layer-groups.
inline constexpr int kMaxLayerGroups = 64;

/// Parses "lambda", "weight@1" or "weight@1:g3" for `method` with `n_models` merged models. `default_groups`
/// is used when the text has no ":gG" (a --layer-groups option); it applies only to real-valued parameters
/// (bool/choice/integer parameters stay scalars). Throws std::invalid_argument naming the parameter and the
/// problem (unknown, not per-model, index out of range, G outside [1, kMaxLayerGroups], gradient of a
/// non-real parameter).
RecipeParam parse_recipe_param(const std::string& text, const merge::MethodSpec& method, size_t n_models,
                               int default_groups = 1);

/// The registry's slider range of a parameter (default search bounds).
std::pair<double, double> param_range(const RecipeParam& p, const merge::MethodSpec& method);
/// The values a recipe may hold at all (hard limits; e.g. weight and lambda are unbounded): what
/// user-given search bounds are checked against.
std::pair<double, double> param_limits(const RecipeParam& p, const merge::MethodSpec& method);

/// Number of values in a point of `space`: the sum of the parameters' groups.
size_t point_size(const std::vector<RecipeParam>& space);
/// True when some parameter of `space` is a gradient (groups > 1).
bool has_gradient(const std::vector<RecipeParam>& space);
/// One label per value of a point: "lambda", "weight@0[0]", "weight@0[1]", ... (control points by index).
std::vector<std::string> point_labels(const std::vector<RecipeParam>& space);

/// Sets params[p_i] = values[i]. Throws std::invalid_argument when values.size() != point_size(space) or
/// when `space` holds a gradient (one Params cannot carry per-layer values: write the point into a recipe).
void apply_point(merge::Params& params, const std::vector<RecipeParam>& space, const std::vector<double>& values);

/// Writes values into the recipe (global parameters, or the parameters of the model entry that feeds merged
/// model i according to `layout`), replacing gradients/filters of those parameters by the value: a scalar, or
/// for a gradient the list of its G control points. Throws std::invalid_argument on a size mismatch or a
/// per-model parameter of slerp's base.
void apply_point(recipe::Recipe& recipe, const recipe::MergeLayout& layout, const std::vector<RecipeParam>& space,
                 const std::vector<double>& values);

/// The recipe's current values as a point of `space` (the inverse of apply_point on the recipe): a scalar
/// parameter as resolved for `tensor` at t = 0 (the recipe's first value), control point k of a gradient at
/// t = k / (G - 1); unset parameters give the method's default. Throws recipe::RecipeError for an unknown method.
std::vector<double> point_of(const recipe::Recipe& recipe, const recipe::MergeLayout& layout,
                             const std::vector<RecipeParam>& space, const std::string& tensor);

/// Control points of a G-point gradient that no tensor depends on, given every tensor's layer position t
/// (MergeFamily::layer_position): point k is used when some t lies strictly within 1 / (G - 1) of k / (G - 1).
/// Empty when all are used. Tensors outside a layer stack (t = 0 for all) use only point 0.
std::vector<int> unused_control_points(int groups, const std::vector<double>& positions);

}  // namespace mergelab::search
