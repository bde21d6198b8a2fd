#include "core/merge/registry.h"

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

// ---- validation + dispatch -------------------------------------------------------------------
namespace {
void check_value(const MethodSpec& spec, const ParamSpec& ps, double v) {
  std::ostringstream why;
  if (!std::isfinite(v)) why << "is not a finite number";
  else if (ps.kind == ParamSpec::Kind::Bool && v != 0.0 && v != 1.0) why << "must be true or false";
  else if (ps.kind == ParamSpec::Kind::Choice && (v != std::floor(v) || v < 0 || v >= static_cast<double>(ps.choices.size())))
    why << "must be one of the listed choices";
  else if ((ps.kind == ParamSpec::Kind::Real || ps.kind == ParamSpec::Kind::Integer) && (v < ps.min_value || v > ps.max_value))
    why << "is " << v << ", outside [" << ps.min_value << ", " << ps.max_value << "]";
  else return;
  throw std::invalid_argument(spec.name + ": parameter " + ps.name + " " + why.str());
}
}  // namespace

template <class T>
Vec<T> run_merge(const MethodSpec& spec, const MergeInputs<T>& in, const Params& params) {
  const int n = static_cast<int>(in.models.size());
  if (n < spec.min_models || (spec.max_models >= 0 && n > spec.max_models)) {
    std::ostringstream msg;
    msg << spec.name << ": takes ";
    if (spec.max_models == spec.min_models) msg << spec.min_models;
    else if (spec.max_models < 0) msg << "at least " << spec.min_models;
    else msg << spec.min_models << " to " << spec.max_models;
    msg << " models, got " << n;
    throw std::invalid_argument(msg.str());
  }
  if (spec.needs_base && !in.base) throw std::invalid_argument(spec.name + ": needs a base model");
  for (const T* m : in.models)
    if (!m) throw std::invalid_argument(spec.name + ": a model is missing");
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
