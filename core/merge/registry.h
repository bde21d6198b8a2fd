// The method registry: every merge method's name, parameters (default, range, meaning),
// presets and how many models it takes. The CLI, the GUI's controls and the mergekit YAML
// reader/writer are all built from it.
//
// Adding a method = one file (the algorithm + a `<name>_method()` descriptor) + one line in
// registry.cpp's table.
//
// Parameter names follow mergekit (weight, density, lambda, t, normalize, rescale, ...).
// The article speaks of alpha (= lambda), k (= density for TIES: the KEPT fraction; the
// article's trim_pct 0.8 is k 0.2) and p (DARE drop rate = 1 - density).
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/merge/dare.h"
#include "core/merge/types.h"

namespace mergelab::merge {

/// One parameter. Two ranges, which may differ:
///  - [min_value, max_value]: the slider range of the GUI and the default search bounds (a sensible region);
///  - [hard_min(), hard_max()]: the limits a value must meet to be accepted at all (recipes, mergekit YAML,
///    run_merge). They are the slider range unless limit_min / limit_max say otherwise: mergekit accepts any
///    real weight or lambda, so those are unbounded (core/merge/param_specs.h); fractions (density, gamma) are
///    [0, 1]. Bool and Choice parameters are checked against their kind instead.
struct ParamSpec {
  enum class Kind { Real, Bool, Choice, Integer };
  static constexpr double kUnbounded = std::numeric_limits<double>::infinity();
  std::string name;           ///< mergekit name, e.g. "density"
  std::string label;          ///< what a UI shows, e.g. "k (kept fraction)"
  std::string help;           ///< one line: meaning and formula
  Kind kind = Kind::Real;
  double default_value = 0.0;
  double min_value = 0.0;
  double max_value = 1.0;
  std::vector<std::string> choices;  ///< Kind::Choice: the value is the index into this list
  bool per_model = false;            ///< may be set per model (weight, density, ...)
  std::optional<double> limit_min = std::nullopt;  ///< hard lower limit (inclusive) if not min_value; -inf = none
  std::optional<double> limit_max = std::nullopt;  ///< hard upper limit (inclusive) if not max_value; +inf = none

  double hard_min() const { return limit_min.value_or(min_value); }
  double hard_max() const { return limit_max.value_or(max_value); }

  /// "" when v is acceptable (finite, within the hard limits, a listed choice, 0/1 for a bool), else why not,
  /// e.g. "is 1.5, outside the limits [0, 1]".
  std::string value_problem(double v) const;
};

struct MethodSpec;

/// Parameter values for one merge: global values, optional per-model overrides, the seed.
/// Lookup order: per-model value, global value, the spec's default.
class Params {
 public:
  Params() = default;
  explicit Params(const MethodSpec* spec) : spec_(spec) {}

  double get(const std::string& name, int model = -1) const;
  bool flag(const std::string& name, int model = -1) const { return get(name, model) != 0.0; }
  int choice(const std::string& name) const { return static_cast<int>(get(name)); }
  void set(const std::string& name, double value) { global_[name] = value; }
  void set_model(size_t model, const std::string& name, double value);
  bool has(const std::string& name, int model = -1) const;

  uint32_t seed = 0;  ///< base seed of random methods (model i uses seed + i)

  const std::map<std::string, double>& global() const { return global_; }
  const std::vector<std::map<std::string, double>>& per_model() const { return per_model_; }
  const MethodSpec* spec() const { return spec_; }

 private:
  const MethodSpec* spec_ = nullptr;
  std::map<std::string, double> global_;
  std::vector<std::map<std::string, double>> per_model_;
};

/// What a method merges: the base (when it uses one) and N models, each `size` values.
template <class T>
struct MergeInputs {
  const T* base = nullptr;
  std::vector<const T*> models;
  Eigen::Index size = 0;
  /// Optional externally drawn DARE keep-masks (one per model); when empty, masks are drawn
  /// from RandomState(seed + i).
  std::vector<const KeepMask*> keep_masks = {};
  /// The tensor's shape (row-major) for methods that work per row (della's ranks, model_stock's
  /// filter_wise); empty = a flat vector of `size` values.
  std::vector<std::uint64_t> shape = {};
};

template <class T>
using MergeFn = Vec<T> (*)(const MergeInputs<T>&, const Params&);

struct MethodSpec {
  std::string name;     ///< registry/mergekit name, e.g. "ties"
  std::string label;    ///< display name, e.g. "TIES"
  std::string summary;  ///< one line
  std::string formula;  ///< the formula, for tooltips and --help
  bool needs_base = true;
  bool base_optional = false;      ///< needs_base false, yet a base_model, when given, is the origin (task vectors)
  bool base_joins_models = false;  ///< a base_model is merged as one more model (mergekit's karcher)
  int min_models = 1;
  int max_models = -1;  ///< -1: any
  bool random = false;
  std::vector<ParamSpec> params;
  /// Named sets of parameter values: "article" (the article's rules) and "mergekit" (its defaults).
  std::map<std::string, std::map<std::string, double>> presets;
  MergeFn<float> run_f = nullptr;
  MergeFn<double> run_d = nullptr;

  const ParamSpec* param(const std::string& name) const;
};

const std::vector<MethodSpec>& method_registry();
const MethodSpec* find_method(const std::string& name);

/// Params with the spec's defaults, then the named preset's values ("" = none).
Params make_params(const MethodSpec& spec, const std::string& preset = "");

/// Every parameter's value (the preset's when it has one, else the default), split as a recipe holds
/// them: the global values, and one map of the per-model parameters for each of `n_models` models.
struct PresetValues {
  std::map<std::string, double> global;
  std::vector<std::map<std::string, double>> per_model;
};
PresetValues preset_values(const MethodSpec& spec, const std::string& preset, size_t n_models);
/// The same for the method called `method`; no values at all when there is no such method.
PresetValues preset_values(const std::string& method, const std::string& preset, size_t n_models);

/// Problems that involve two parameters of one model (e.g. della: density +/- epsilon must lie in (0, 1), the
/// rule mergekit's della_magprune enforces). `get(name)` returns the value in effect. "" when none.
std::string joint_problem(const MethodSpec& spec, const std::function<double(const std::string&)>& get);

/// Checks every parameter value of `params` (names known, per-model only where allowed, each value within its
/// hard limits, the joint rules for models 0..n_models-1). Throws std::invalid_argument
/// "<method>: parameter <name> ...".
void check_params(const MethodSpec& spec, const Params& params, size_t n_models);

/// Checks inputs and parameter hard limits (check_params), then runs the method. Throws std::invalid_argument with a
/// message naming the method and the problem.
template <class T>
Vec<T> run_merge(const MethodSpec& spec, const MergeInputs<T>& inputs, const Params& params);

// Helpers for method implementations.
template <class T>
std::vector<Vec<T>> task_vectors_of(const MergeInputs<T>& in);
template <class T>
VecViews<T> views_of(const std::vector<Vec<T>>& vectors);
template <class T>
VecViews<T> model_views(const MergeInputs<T>& in);
template <class T>
VecView<T> base_view(const MergeInputs<T>& in);
std::vector<double> per_model_values(const Params& p, const std::string& name, size_t n_models);

// Descriptors, one per method file.
MethodSpec linear_method();
MethodSpec slerp_method();
MethodSpec task_arithmetic_method();
MethodSpec ties_method();
MethodSpec dare_linear_method();
MethodSpec dare_ties_method();
MethodSpec breadcrumbs_method();
MethodSpec breadcrumbs_ties_method();
MethodSpec della_method();
MethodSpec della_linear_method();
MethodSpec model_stock_method();
MethodSpec nuslerp_method();
MethodSpec multislerp_method();
MethodSpec karcher_method();
MethodSpec sce_method();
MethodSpec ram_method();
MethodSpec ramplus_tl_method();
MethodSpec nearswap_method();
MethodSpec arcee_fusion_method();
MethodSpec passthrough_method();

}  // namespace mergelab::merge
