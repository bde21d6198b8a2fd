#include "core/search/recipe_space.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>

namespace mergelab::search {

namespace {

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

RecipeParam parse_recipe_param(const std::string& text, const merge::MethodSpec& method, size_t n_models,
                               int default_groups) {
  RecipeParam p;
  std::string head = text;
  bool explicit_groups = false;
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    const std::string g = text.substr(colon + 1);
    if (g.size() < 2 || g[0] != 'g' || !all_digits(g.substr(1)) || g.size() > 4)
      throw std::invalid_argument("parameter '" + text + "': expected NAME[@INDEX]:gG with G the number of layer groups");
    p.groups = std::stoi(g.substr(1));
    explicit_groups = true;
    head = text.substr(0, colon);
  } else {
    p.groups = default_groups;
  }
  if (p.groups < 1 || p.groups > kMaxLayerGroups)
    throw std::invalid_argument("parameter '" + text + "': " + std::to_string(p.groups) + " layer groups, expected 1 to " +
                                std::to_string(kMaxLayerGroups));
  const auto at = head.find('@');
  p.name = head.substr(0, at);
  const merge::ParamSpec* spec = method.param(p.name);
  if (!spec) {
    std::string known;
    for (const auto& ps : method.params) known += (known.empty() ? "" : ", ") + ps.name;
    throw std::invalid_argument("parameter '" + p.name + "' is not a parameter of " + method.name + " (" + known + ")");
  }
  if (at != std::string::npos) {
    const std::string index = head.substr(at + 1);
    if (!all_digits(index) || index.size() > 6)
      throw std::invalid_argument("parameter '" + text + "': expected NAME@INDEX with a model index");
    p.model = std::stoi(index);
    if (!spec->per_model) throw std::invalid_argument("parameter '" + p.name + "' of " + method.name + " cannot be set per model");
    if (static_cast<size_t>(p.model) >= n_models)
      throw std::invalid_argument("parameter '" + text + "': model index out of range (" + std::to_string(n_models) +
                                  " models merged)");
  }
  if (p.groups > 1 && spec->kind != merge::ParamSpec::Kind::Real) {
    if (explicit_groups)
      throw std::invalid_argument("parameter '" + text + "': " + p.name + " is not a real number and cannot be a layer gradient");
    p.groups = 1;  // --layer-groups applies to the real-valued parameters only
  }
  return p;
}

std::pair<double, double> param_range(const RecipeParam& p, const merge::MethodSpec& method) {
  const merge::ParamSpec* spec = method.param(p.name);
  if (!spec) throw std::invalid_argument("unknown parameter " + p.name);
  return {spec->min_value, spec->max_value};
}

std::pair<double, double> param_limits(const RecipeParam& p, const merge::MethodSpec& method) {
  const merge::ParamSpec* spec = method.param(p.name);
  if (!spec) throw std::invalid_argument("unknown parameter " + p.name);
  return {spec->hard_min(), spec->hard_max()};
}

size_t point_size(const std::vector<RecipeParam>& space) {
  size_t n = 0;
  for (const auto& p : space) n += static_cast<size_t>(std::max(1, p.groups));
  return n;
}

bool has_gradient(const std::vector<RecipeParam>& space) {
  for (const auto& p : space)
    if (p.groups > 1) return true;
  return false;
}

std::vector<std::string> point_labels(const std::vector<RecipeParam>& space) {
  std::vector<std::string> out;
  for (const auto& p : space) {
    const std::string base = p.model < 0 ? p.name : p.name + "@" + std::to_string(p.model);
    if (p.groups <= 1) out.push_back(base);
    else
      for (int k = 0; k < p.groups; ++k) out.push_back(base + "[" + std::to_string(k) + "]");
  }
  return out;
}

namespace {
void check_size(const std::vector<RecipeParam>& space, const std::vector<double>& values) {
  if (values.size() != point_size(space))
    throw std::invalid_argument("apply_point: " + std::to_string(values.size()) + " values for a space of " +
                                std::to_string(point_size(space)) + " (one per scalar, G per gradient)");
}
}  // namespace

void apply_point(merge::Params& params, const std::vector<RecipeParam>& space, const std::vector<double>& values) {
  check_size(space, values);
  for (const auto& p : space)
    if (p.groups > 1)
      throw std::invalid_argument("apply_point: " + p.label() +
                                  " is a layer gradient; one Params holds one value per parameter (apply it to a recipe)");
  for (size_t i = 0; i < space.size(); ++i) {
    if (space[i].model < 0) params.set(space[i].name, values[i]);
    else params.set_model(static_cast<size_t>(space[i].model), space[i].name, values[i]);
  }
}

void apply_point(recipe::Recipe& r, const recipe::MergeLayout& layout, const std::vector<RecipeParam>& space,
                 const std::vector<double>& values) {
  check_size(space, values);
  size_t k = 0;
  for (const auto& p : space) {
    const size_t g = static_cast<size_t>(std::max(1, p.groups));
    const auto first = values.begin() + static_cast<std::ptrdiff_t>(k);
    const auto setting = g == 1 ? recipe::ParamSetting::scalar(values[k])
                                : recipe::ParamSetting::gradient(std::vector<double>(first, first + static_cast<std::ptrdiff_t>(g)));
    k += g;
    if (p.model < 0) {
      r.params[p.name] = setting;
      continue;
    }
    const int entry = layout.entry.at(static_cast<size_t>(p.model));
    if (entry < 0) throw std::invalid_argument("parameter " + p.label() + " belongs to the base model");
    r.models.at(static_cast<size_t>(entry)).params[p.name] = setting;
  }
}

std::vector<double> point_of(const recipe::Recipe& recipe, const recipe::MergeLayout& layout,
                             const std::vector<RecipeParam>& space, const std::string& tensor) {
  std::vector<double> out;
  int resolved_groups = 0;  // resolve once per distinct G
  std::vector<merge::Params> at_points;
  for (const auto& p : space) {
    const int g = std::max(1, p.groups);
    if (g != resolved_groups) {
      at_points.clear();
      for (int k = 0; k < g; ++k)
        at_points.push_back(recipe::resolve_params(recipe, layout, tensor, g == 1 ? 0.0 : static_cast<double>(k) / (g - 1)));
      resolved_groups = g;
    }
    for (int k = 0; k < g; ++k) out.push_back(at_points[static_cast<size_t>(k)].get(p.name, p.model));
  }
  return out;
}

std::vector<int> unused_control_points(int groups, const std::vector<double>& positions) {
  std::vector<int> unused;
  if (groups <= 1) return unused;
  for (int k = 0; k < groups; ++k) {
    bool used = false;
    for (double t : positions) used = used || std::abs(t * (groups - 1) - k) < 1.0;
    if (!used) unused.push_back(k);
  }
  return unused;
}

}  // namespace mergelab::search
