#include "core/search/recipe_space.h"

#include <stdexcept>

namespace mergelab::search {

RecipeParam parse_recipe_param(const std::string& text, const merge::MethodSpec& method, size_t n_models) {
  RecipeParam p;
  const auto at = text.find('@');
  p.name = text.substr(0, at);
  const merge::ParamSpec* spec = method.param(p.name);
  if (!spec) {
    std::string known;
    for (const auto& ps : method.params) known += (known.empty() ? "" : ", ") + ps.name;
    throw std::invalid_argument("parameter '" + p.name + "' is not a parameter of " + method.name + " (" + known + ")");
  }
  if (at != std::string::npos) {
    const std::string index = text.substr(at + 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("parameter '" + text + "': expected NAME@INDEX with a model index");
    p.model = std::stoi(index);
    if (!spec->per_model) throw std::invalid_argument("parameter '" + p.name + "' of " + method.name + " cannot be set per model");
    if (static_cast<size_t>(p.model) >= n_models)
      throw std::invalid_argument("parameter '" + text + "': model index out of range (" + std::to_string(n_models) +
                                  " models merged)");
  }
  return p;
}

std::pair<double, double> param_range(const RecipeParam& p, const merge::MethodSpec& method) {
  const merge::ParamSpec* spec = method.param(p.name);
  if (!spec) throw std::invalid_argument("unknown parameter " + p.name);
  return {spec->min_value, spec->max_value};
}

void apply_point(merge::Params& params, const std::vector<RecipeParam>& space, const std::vector<double>& values) {
  if (values.size() != space.size()) throw std::invalid_argument("apply_point: one value per parameter");
  for (size_t i = 0; i < space.size(); ++i) {
    if (space[i].model < 0) params.set(space[i].name, values[i]);
    else params.set_model(static_cast<size_t>(space[i].model), space[i].name, values[i]);
  }
}

void apply_point(recipe::Recipe& r, const recipe::MergeLayout& layout, const std::vector<RecipeParam>& space,
                 const std::vector<double>& values) {
  if (values.size() != space.size()) throw std::invalid_argument("apply_point: one value per parameter");
  for (size_t i = 0; i < space.size(); ++i) {
    const auto setting = recipe::ParamSetting::scalar(values[i]);
    if (space[i].model < 0) {
      r.params[space[i].name] = setting;
      continue;
    }
    const int entry = layout.entry.at(static_cast<size_t>(space[i].model));
    if (entry < 0) throw std::invalid_argument("parameter " + space[i].label() + " belongs to the base model");
    r.models.at(static_cast<size_t>(entry)).params[space[i].name] = setting;
  }
}

}  // namespace mergelab::search
