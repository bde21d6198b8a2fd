#include "core/merge/registry.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mergelab::merge {

// ---- the table: one line per method ----------------------------------------------------------
const std::vector<MethodSpec>& method_registry() {
  static const std::vector<MethodSpec> methods = {
      linear_method(),      slerp_method(),       task_arithmetic_method(), ties_method(),
      dare_linear_method(), dare_ties_method(),   breadcrumbs_method(),     breadcrumbs_ties_method(),
      della_method(),       della_linear_method(), model_stock_method(),
      nuslerp_method(),     multislerp_method(),  karcher_method(),   sce_method(),
      ram_method(),         ramplus_tl_method(),  nearswap_method(),  arcee_fusion_method(),
      passthrough_method(),
  };
  return methods;
}

const MethodSpec* find_method(const std::string& name) {
  for (const auto& m : method_registry())
    if (m.name == name) return &m;
  return nullptr;
}

const ParamSpec* MethodSpec::param(const std::string& n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

// ---- Params ----------------------------------------------------------------------------------
double Params::get(const std::string& name, int model) const {
  if (model >= 0 && static_cast<size_t>(model) < per_model_.size()) {
    if (auto it = per_model_[static_cast<size_t>(model)].find(name); it != per_model_[static_cast<size_t>(model)].end())
      return it->second;
  }
  if (auto it = global_.find(name); it != global_.end()) return it->second;
  if (spec_) {
    if (const ParamSpec* p = spec_->param(name)) return p->default_value;
  }
  throw std::invalid_argument("unknown parameter '" + name + "'");
}

bool Params::has(const std::string& name, int model) const {
  if (model >= 0 && static_cast<size_t>(model) < per_model_.size() && per_model_[static_cast<size_t>(model)].count(name))
    return true;
  return global_.count(name) > 0;
}

void Params::set_model(size_t model, const std::string& name, double value) {
  if (per_model_.size() <= model) per_model_.resize(model + 1);
  per_model_[model][name] = value;
}

Params make_params(const MethodSpec& spec, const std::string& preset) {
  Params p(&spec);
  if (!preset.empty()) {
    auto it = spec.presets.find(preset);
    if (it == spec.presets.end()) throw std::invalid_argument(spec.name + ": no preset '" + preset + "'");
    for (const auto& [k, v] : it->second) p.set(k, v);
  }
  return p;
}

PresetValues preset_values(const MethodSpec& spec, const std::string& preset, size_t n_models) {
  std::map<std::string, double> values;
  if (auto it = spec.presets.find(preset); it != spec.presets.end()) values = it->second;
  PresetValues out;
  out.per_model.assign(n_models, {});
  for (const auto& p : spec.params) {
    const double v = values.count(p.name) ? values.at(p.name) : p.default_value;
    if (p.per_model)
      for (auto& m : out.per_model) m[p.name] = v;
    else
      out.global[p.name] = v;
  }
  return out;
}

PresetValues preset_values(const std::string& method, const std::string& preset, size_t n_models) {
  const MethodSpec* spec = find_method(method);
  return spec ? preset_values(*spec, preset, n_models) : PresetValues{};
}

// ---- validation + dispatch -------------------------------------------------------------------
std::string ParamSpec::value_problem(double v) const {
  std::ostringstream why;
  if (!std::isfinite(v)) why << "is not a finite number";
  else if (kind == Kind::Bool && v != 0.0 && v != 1.0) why << "must be true or false";
  else if (kind == Kind::Choice && (v != std::floor(v) || v < 0 || v >= static_cast<double>(choices.size())))
    why << "must be one of the listed choices";
  else if (kind == Kind::Integer && v != std::floor(v)) why << "must be a whole number";
  else if ((kind == Kind::Real || kind == Kind::Integer) && (v < hard_min() || v > hard_max())) {
    why << "is " << v << ", ";
    if (std::isinf(hard_min())) why << "above the limit " << hard_max();
    else if (std::isinf(hard_max())) why << "below the limit " << hard_min();
    else why << "outside [" << hard_min() << ", " << hard_max() << "]";
  }
  return why.str();
}

std::string joint_problem(const MethodSpec& spec, const std::function<double(const std::string&)>& get) {
  // della / della_linear: keep probabilities spread over [density - epsilon, density + epsilon]; mergekit's
  // della_magprune (and core/merge/della.cpp) refuse an epsilon that takes either end out of (0, 1), except
  // when density >= 1 (keep everything) or <= 0 (drop everything).
  if (spec.param("density") && spec.param("epsilon")) {
    const double d = get("density"), e = get("epsilon");
    if (d > 0.0 && d < 1.0 && !(d - e > 0.0 && d + e < 1.0)) {
      std::ostringstream why;
      why << "parameter epsilon is " << e << " with density " << d << ": density +/- epsilon must lie in (0, 1)";
      return why.str();
    }
  }
  return "";
}

namespace {
void check_value(const MethodSpec& spec, const ParamSpec& ps, double v) {
  const std::string why = ps.value_problem(v);
  if (!why.empty()) throw std::invalid_argument(spec.name + ": parameter " + ps.name + " " + why);
}
}  // namespace

void check_params(const MethodSpec& spec, const Params& params, size_t n_models) {
  for (const auto& [name, v] : params.global()) {
    const ParamSpec* ps = spec.param(name);
    if (!ps) throw std::invalid_argument(spec.name + ": unknown parameter '" + name + "'");
    check_value(spec, *ps, v);
  }
  for (const auto& m : params.per_model())
    for (const auto& [name, v] : m) {
      const ParamSpec* ps = spec.param(name);
      if (!ps) throw std::invalid_argument(spec.name + ": unknown parameter '" + name + "'");
      if (!ps->per_model) throw std::invalid_argument(spec.name + ": parameter " + name + " cannot be set per model");
      check_value(spec, *ps, v);
    }
  for (size_t i = 0; i < std::max<size_t>(n_models, 1); ++i) {
    const int model = n_models ? static_cast<int>(i) : -1;
    const std::string why = joint_problem(spec, [&](const std::string& n) {
      return params.has(n, model) ? params.get(n, model) : spec.param(n)->default_value;
    });
    if (!why.empty())
      throw std::invalid_argument(spec.name + ": " + why + (n_models > 1 ? " (model " + std::to_string(i) + ")" : ""));
  }
}

template <class T>
Vec<T> run_merge(const MethodSpec& spec, const MergeInputs<T>& in, const Params& params) {
  const int n = static_cast<int>(in.models.size());
  if (n < spec.min_models || (spec.max_models >= 0 && n > spec.max_models)) {
    std::ostringstream msg;
    msg << spec.name << ": takes ";
    if (spec.max_models == spec.min_models) msg << spec.min_models;
    else if (spec.max_models < 0) msg << "at least " << spec.min_models;
    else msg << spec.min_models << " to " << spec.max_models;
    msg << (spec.min_models == 1 && spec.max_models == 1 ? " model" : " models") << ", got " << n;
    throw std::invalid_argument(msg.str());
  }
  if (spec.needs_base && !in.base) throw std::invalid_argument(spec.name + ": needs a base model");
  for (const T* m : in.models)
    if (!m) throw std::invalid_argument(spec.name + ": a model is missing");
  check_params(spec, params, in.models.size());
  if constexpr (std::is_same_v<T, float>) return spec.run_f(in, params);
  else return spec.run_d(in, params);
}

template Vec<float> run_merge<float>(const MethodSpec&, const MergeInputs<float>&, const Params&);
template Vec<double> run_merge<double>(const MethodSpec&, const MergeInputs<double>&, const Params&);

// ---- helpers for method files ----------------------------------------------------------------
template <class T>
VecView<T> base_view(const MergeInputs<T>& in) {
  return Eigen::Map<const Vec<T>>(in.base, in.size);
}

template <class T>
VecViews<T> model_views(const MergeInputs<T>& in) {
  VecViews<T> out;
  out.reserve(in.models.size());
  for (const T* m : in.models) out.emplace_back(Eigen::Map<const Vec<T>>(m, in.size));
  return out;
}

template <class T>
std::vector<Vec<T>> task_vectors_of(const MergeInputs<T>& in) {
  const auto base = Eigen::Map<const Vec<T>>(in.base, in.size);
  std::vector<Vec<T>> out;
  out.reserve(in.models.size());
  for (const T* m : in.models) out.push_back(Eigen::Map<const Vec<T>>(m, in.size) - base);
  return out;
}

template <class T>
VecViews<T> views_of(const std::vector<Vec<T>>& vectors) {
  return VecViews<T>(vectors.begin(), vectors.end());
}

std::vector<double> per_model_values(const Params& p, const std::string& name, size_t n_models) {
  std::vector<double> out(n_models);
  for (size_t i = 0; i < n_models; ++i) out[i] = p.get(name, static_cast<int>(i));
  return out;
}

template VecView<float> base_view<float>(const MergeInputs<float>&);
template VecView<double> base_view<double>(const MergeInputs<double>&);
template VecViews<float> model_views<float>(const MergeInputs<float>&);
template VecViews<double> model_views<double>(const MergeInputs<double>&);
template std::vector<Vec<float>> task_vectors_of<float>(const MergeInputs<float>&);
template std::vector<Vec<double>> task_vectors_of<double>(const MergeInputs<double>&);
template VecViews<float> views_of<float>(const std::vector<Vec<float>>&);
template VecViews<double> views_of<double>(const std::vector<Vec<double>>&);

}  // namespace mergelab::merge
