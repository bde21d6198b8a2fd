// A merge recipe: which method, which base, which models with which parameters, and the output dtype —
// everything a merge needs except where the output goes. Read from / written to mergekit YAML
// (core/recipe/mergekit_yaml.h), stored as JSON in the output's `__metadata__`.
//
// Parameter settings follow mergekit's config:
//  - a scalar (number or bool), or a gradient: a list of numbers interpolated piecewise-linearly over the
//    layer index, t = layer / (L - 1) (L = number of layers in the stack; a stack of 1 layer uses t = 1, as
//    mergekit does). Tensors outside the layer stack (embeddings, final norm, lm_head, or any model without
//    numbered layers) use t = 0, i.e. the first value of the list, as mergekit's planner does for both its
//    pre_weights and post_weights. With `slices:` the position restarts in each slice: t = i / (n - 1) for the
//    slice's i-th of n layers (t = 1 when n = 1). Layers come from core/arch/architecture.h.
//  - a list of {filter, value} entries: the first entry whose filter is a substring of the tensor name (or is
//    absent / "*") gives the value; when none matches the lookup falls through to the next level.
// Lookup order for a per-model parameter: the model's (slice source's) setting, then the slice's, then the
// top-level setting, then the method's default. A top-level-only parameter: the top-level setting, then the default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/merge/registry.h"

namespace mergelab::recipe {

/// A recipe that cannot be used: one message naming the file (when there is one) and the problem.
struct RecipeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One value: 1 entry = a scalar, more = a gradient over the layer index.
struct ParamValue {
  std::vector<double> values;
  double at(double t) const;  ///< piecewise-linear in t in [0, 1] (mergekit's evaluate_setting)
  bool operator==(const ParamValue&) const = default;
};

/// A parameter as written in the config: a plain value, or a list of filtered values.
struct ParamSetting {
  struct Entry {
    std::string filter;  ///< "" = matches every tensor (mergekit: no filter, or "*")
    ParamValue value;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool conditional = false;  ///< written as a list of {filter, value} maps

  static ParamSetting scalar(double v) { return {{{"", {{v}}}}, false}; }
  static ParamSetting gradient(std::vector<double> v) { return {{{"", {std::move(v)}}}, false}; }
  /// The value for `tensor` at layer position t; nullopt when no filter matches.
  std::optional<double> evaluate(const std::string& tensor, double t) const;
  bool operator==(const ParamSetting&) const = default;
};

using ParamMap = std::map<std::string, ParamSetting>;

struct ModelEntry {
  std::string path;  ///< as written (relative to Recipe::base_dir unless absolute); a folder or a PEFT adapter
  ParamMap params;
  int line = 0;  ///< 1-based YAML line of the entry (0 = unknown); for messages, not part of equality
  bool operator==(const ModelEntry& o) const { return path == o.path && params == o.params; }
};

/// One source of a `slices:` entry: layers [layer_begin, layer_end) of a model (mergekit's layer_range).
struct SliceSource {
  std::string path;
  int layer_begin = 0, layer_end = 0;
  ParamMap params;
  int line = 0;  ///< 1-based YAML line of the source (0 = unknown); for messages, not part of equality
  bool operator==(const SliceSource& o) const {
    return path == o.path && layer_begin == o.layer_begin && layer_end == o.layer_end && params == o.params;
  }
};

/// One output slice: its sources all span the same number of layers, merged layer by layer.
struct Slice {
  std::vector<SliceSource> sources;
  ParamMap params;         ///< the slice's `parameters` (between the sources' and the top level's)
  std::string base_model;  ///< the slice's own base_model ("" = the recipe's)
  int line = 0;            ///< 1-based YAML line (0 = unknown); not part of equality
  bool operator==(const Slice& o) const {
    return sources == o.sources && params == o.params && base_model == o.base_model;
  }
};

struct Recipe {
  std::string method;      ///< registry/mergekit name
  std::string base_model;  ///< "" = none
  std::vector<ModelEntry> models;
  /// The `slices:` form (then `models` is empty): output layers in order, slice after slice. Tensors before the
  /// layer stack come from the first slice's sources, tensors after it from the last slice's, both at t = 0.
  std::vector<Slice> slices;
  /// mergekit tokenizer_source: "" (none: vocab sizes must agree), "base", or a model path ("union" is refused).
  std::string tokenizer_source;
  ParamMap params;        ///< top-level `parameters`
  std::string dtype;      ///< mergekit `dtype` ("float32", "bfloat16", ...) or ""
  std::string out_dtype;  ///< mergekit `out_dtype` or ""
  /// Folder that relative model paths are resolved against (the YAML's folder). Not part of equality.
  std::string base_dir;
  /// The file the recipe was read from, for messages ("" = none). Not part of equality.
  std::string source;
  /// 1-based YAML lines of base_model, tokenizer_source and dtype / out_dtype (0 = absent); for messages, not part
  /// of equality.
  int base_line = 0, tokenizer_line = 0, dtype_line = 0;
  /// What reading the config had to ignore (tokenizer options, ...), one line each. Not part of equality.
  std::vector<std::string> warnings;

  bool operator==(const Recipe& o) const {
    return method == o.method && base_model == o.base_model && models == o.models && slices == o.slices &&
           params == o.params && dtype == o.dtype && out_dtype == o.out_dtype && tokenizer_source == o.tokenizer_source;
  }
};

/// `path` resolved against recipe.base_dir (unchanged when absolute or base_dir is empty).
std::string resolve_path(const Recipe& recipe, const std::string& path);

/// The registry entry of recipe.method; throws RecipeError listing the known methods.
const merge::MethodSpec& method_of(const Recipe& recipe);

/// Which recipe entries feed the method, in the order run_merge receives them.
struct MergeLayout {
  std::string base;                 ///< resolved base path ("" when the method takes none)
  std::vector<std::string> models;  ///< resolved model paths
  std::vector<int> entry;           ///< index into recipe.models per model (-1 = the base itself, slerp)
};
/// needs-base methods: base + every entry that is not the base; slerp: [base, the other model] (the base is
/// t = 0); linear: every entry (a base is ignored). Throws RecipeError when the count does not fit the method.
MergeLayout merge_layout(const Recipe& recipe);
/// The same for slice `slice` of a `slices:` recipe: its sources play the models (entry = index into
/// recipe.slices[slice].sources), its base_model (else the recipe's) the base. Throws RecipeError.
MergeLayout slice_layout(const Recipe& recipe, size_t slice);

/// Checks method, parameter names (known to the method, per-model ones only where allowed) and every value
/// (all gradient points and filtered values) against the parameters' hard limits (ParamSpec::limit_min/max, not
/// the slider range: weight 3 or lambda 5 are fine, density 1.5 is not), and the joint rules
/// (merge::joint_problem) for each merged model where its settings are unfiltered. Throws RecipeError.
void validate(const Recipe& recipe);

/// Layer index of a tensor: the first all-digit component of its dotted name ("model.layers.12.mlp.w" -> 12).
std::optional<int> layer_index(const std::string& tensor);
/// Gradient position of a tensor given the number of layers in the stack (see the header comment).
double layer_position(const std::string& tensor, int n_layers);

/// The method's Params for one tensor (settings evaluated at its name and t), seed included.
merge::Params resolve_params(const Recipe& recipe, const MergeLayout& layout, const std::string& tensor, double t,
                             uint32_t seed = 0);

/// The Params of one tensor of slice `slice`, mergekit's precedence: per model, the source's setting, then the
/// slice's, then the top level's; global ones, the slice's then the top level's; then the default. `tensor` is
/// the output name (global settings' filters), `source_tensors` the name in each layout model (per-model filters).
merge::Params resolve_slice_params(const Recipe& recipe, size_t slice, const MergeLayout& layout,
                                   const std::string& tensor, const std::vector<std::string>& source_tensors,
                                   double t, uint32_t seed = 0);

/// A path's identity for comparisons: fs::weakly_canonical, or its lexically normal form where that fails (a
/// component longer than the file system allows, a loop). Never throws.
std::string path_key(const std::string& path);

/// Recipe <-> JSON (the form stored in the output's __metadata__ and in GUI sessions).
std::string recipe_to_json(const Recipe& recipe);
Recipe recipe_from_json(const std::string& text);

/// Parameters mergekit accepts that change nothing in MergeLab's arithmetic; read and written back.
bool is_ignored_mergekit_param(const std::string& name);

}  // namespace mergelab::recipe
