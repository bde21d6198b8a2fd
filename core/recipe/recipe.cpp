#include "core/recipe/recipe.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/recipe/suggest.h"

namespace mergelab::recipe {

namespace fs = std::filesystem;
using merge::MethodSpec;
using merge::ParamSpec;

double ParamValue::at(double t) const {
  if (values.empty()) throw RecipeError("empty parameter value");
  if (values.size() == 1) return values[0];
  // mergekit: scaled = t (n - 1); i0 = int(scaled); i1 = min(n - 1, i0 + 1); lerp by the fraction.
  const double scaled = std::clamp(t, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto i0 = static_cast<size_t>(scaled);
  const size_t i1 = std::min(values.size() - 1, i0 + 1);
  const double frac = scaled - static_cast<double>(i0);
  return (1.0 - frac) * values[i0] + frac * values[i1];
}

std::optional<double> ParamSetting::evaluate(const std::string& tensor, double t) const {
  for (const auto& e : entries)
    if (e.filter.empty() || e.filter == "*" || tensor.find(e.filter) != std::string::npos) return e.value.at(t);
  return std::nullopt;
}

std::string resolve_path(const Recipe& recipe, const std::string& path) {
  if (path.empty() || recipe.base_dir.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(recipe.base_dir) / path).lexically_normal().string();
}

const MethodSpec& method_of(const Recipe& recipe) {
  if (const MethodSpec* m = merge::find_method(recipe.method)) return *m;
  std::string known;
  std::vector<std::string> names;
  for (const auto& m : merge::method_registry()) {
    known += (known.empty() ? "" : ", ") + m.name;
    names.push_back(m.name);
  }
  throw RecipeError("unknown merge_method '" + recipe.method + "'" + did_you_mean(recipe.method, names) + " (known: " +
                    known + ")");
}

bool is_ignored_mergekit_param(const std::string& name) { return name == "int8_mask"; }

std::string path_key(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? fs::path(p).lexically_normal().string() : c.string();
}

namespace {

void check_value(const Recipe& r, const ParamSpec& ps, double v, const std::string& where) {
  const std::string why = ps.value_problem(v);
  if (!why.empty()) throw RecipeError(r.method + ": parameter " + ps.name + where + " " + why);
}

/// The unconditional setting of `name` in effect for a model entry (its own, else the top-level one); nullptr
/// when that setting is filtered (decided per tensor, at plan time) or absent (the default).
const ParamSetting* plain_setting(const Recipe& r, const ModelEntry* m, const std::string& name, bool* filtered) {
  const ParamSetting* s = nullptr;
  if (m)
    if (auto it = m->params.find(name); it != m->params.end()) s = &it->second;
  if (!s)
    if (auto it = r.params.find(name); it != r.params.end()) s = &it->second;
  if (s && (s->conditional || s->entries.size() != 1 || !s->entries[0].filter.empty())) {
    *filtered = true;
    return nullptr;
  }
  return s;
}

/// Joint rules (merge::joint_problem) for every model, at every knot of the gradients involved: the values are
/// piecewise linear in t, so checking the knots covers every layer. Filtered settings depend on the tensor name
/// and are checked per tensor when the merge is planned.
void check_joint(const Recipe& r, const MethodSpec& spec, const MergeLayout& layout) {
  std::vector<std::string> names;
  for (const auto& ps : spec.params) names.push_back(ps.name);
  auto check_one = [&](const ModelEntry* m, const std::string& where) {
    bool filtered = false;
    std::map<std::string, const ParamSetting*> settings;
    std::vector<double> knots = {0.0, 1.0};
    for (const auto& n : names) {
      settings[n] = plain_setting(r, spec.param(n)->per_model ? m : nullptr, n, &filtered);
      if (const ParamSetting* s = settings[n]; s && s->entries[0].value.values.size() > 1) {
        const size_t k = s->entries[0].value.values.size();
        for (size_t i = 0; i < k; ++i) knots.push_back(static_cast<double>(i) / static_cast<double>(k - 1));
      }
    }
    if (filtered) return;
    for (double t : knots) {
      const std::string why = merge::joint_problem(spec, [&](const std::string& n) {
        const ParamSetting* s = settings.at(n);
        return s ? s->entries[0].value.at(t) : spec.param(n)->default_value;
      });
      if (!why.empty()) throw RecipeError(r.method + ": " + why + where);
    }
  };
  for (const int e : layout.entry) {
    if (e < 0) continue;
    const ModelEntry& m = r.models[static_cast<size_t>(e)];
    check_one(&m, " for model '" + m.path + "'");
  }
}

void check_settings(const Recipe& r, const MethodSpec& spec, const ParamMap& params, bool per_model,
                    const std::string& where) {
  for (const auto& [name, setting] : params) {
    if (is_ignored_mergekit_param(name)) continue;
    const ParamSpec* ps = spec.param(name);
    if (!ps) {
      std::string known;
      std::vector<std::string> names;
      for (const auto& p : spec.params) {
        known += (known.empty() ? "" : ", ") + p.name;
        names.push_back(p.name);
      }
      throw RecipeError(r.method + ": unknown parameter '" + name + "'" + where + did_you_mean(name, names) + " (known: " +
                        (known.empty() ? "none" : known) + ")");
    }
    if (per_model && !ps->per_model)
      throw RecipeError(r.method + ": parameter " + name + " cannot be set per model" + where);
    if (setting.entries.empty()) throw RecipeError(r.method + ": parameter " + name + where + " has no value");
    for (const auto& e : setting.entries) {
      if (e.value.values.empty()) throw RecipeError(r.method + ": parameter " + name + where + " has an empty list");
      if (e.value.values.size() > 1 && ps->kind != ParamSpec::Kind::Real)
        throw RecipeError(r.method + ": parameter " + name + where + " cannot be a gradient (it is not a number)");
      for (double v : e.value.values) check_value(r, *ps, v, where);
    }
  }
}

}  // namespace

MergeLayout merge_layout(const Recipe& r) {
  const MethodSpec& spec = method_of(r);
  MergeLayout out;
  const std::string base = r.base_model.empty() ? "" : resolve_path(r, r.base_model);
  const std::string base_key = base.empty() ? "" : path_key(base);
  if (spec.name == "slerp") {
    if (!base.empty()) {
      out.models.push_back(base);
      out.entry.push_back(-1);
      for (size_t i = 0; i < r.models.size(); ++i) {
        const std::string p = resolve_path(r, r.models[i].path);
        if (path_key(p) == base_key) continue;
        out.models.push_back(p);
        out.entry.push_back(static_cast<int>(i));
      }
    } else {
      for (size_t i = 0; i < r.models.size(); ++i) {
        out.models.push_back(resolve_path(r, r.models[i].path));
        out.entry.push_back(static_cast<int>(i));
      }
    }
    if (out.models.size() != 2)
      throw RecipeError("slerp: needs exactly two models (the base_model, t = 0, and one other), got " +
                        std::to_string(out.models.size()));
    return out;
  }
  if (spec.needs_base) {
    if (base.empty()) throw RecipeError(spec.name + ": needs a base_model");
  }
  const bool uses_base = spec.needs_base || (spec.base_optional && !base.empty());
  if (uses_base) out.base = base;
  bool base_listed = false;
  for (size_t i = 0; i < r.models.size(); ++i) {
    const std::string p = resolve_path(r, r.models[i].path);
    const bool is_base = !base_key.empty() && path_key(p) == base_key;
    base_listed = base_listed || is_base;
    if (uses_base && is_base) continue;  // mergekit leaves the base out of the task vectors
    out.models.push_back(p);
    out.entry.push_back(static_cast<int>(i));
  }
  if (spec.base_joins_models && !base.empty() && !base_listed) {  // mergekit merges the base as one more model
    out.models.insert(out.models.begin(), base);
    out.entry.insert(out.entry.begin(), -1);
  }
  const int n = static_cast<int>(out.models.size());
  if (n < spec.min_models || (spec.max_models >= 0 && n > spec.max_models)) {
    const std::string count = spec.max_models < 0             ? "at least " + std::to_string(spec.min_models)
                              : spec.max_models == spec.min_models ? "exactly " + std::to_string(spec.min_models)
                                                                  : std::to_string(spec.min_models) + " to " +
                                                                        std::to_string(spec.max_models);
    throw RecipeError(spec.name + ": needs " + count + (spec.max_models == 1 ? " model" : " models") +
                      (uses_base ? " besides the base" : "") + ", got " + std::to_string(n));
  }
  return out;
}

MergeLayout slice_layout(const Recipe& r, size_t slice) {
  const Slice& sl = r.slices.at(slice);
  Recipe one;
  one.method = r.method;
  one.base_dir = r.base_dir;
  one.base_model = sl.base_model.empty() ? r.base_model : sl.base_model;
  for (const auto& s : sl.sources) one.models.push_back({s.path, {}});
  try {
    return merge_layout(one);
  } catch (const RecipeError& e) {
    throw RecipeError("slice " + std::to_string(slice + 1) + (sl.line ? " (line " + std::to_string(sl.line) + ")" : "") +
                      ": " + e.what());
  }
}

namespace {
void validate_slices(const Recipe& r, const MethodSpec& spec) {
  if (!r.models.empty()) throw RecipeError("give either 'models' or 'slices', not both");
  for (size_t k = 0; k < r.slices.size(); ++k) {
    const Slice& sl = r.slices[k];
    const std::string where = " of slice " + std::to_string(k + 1);
    if (sl.sources.empty()) throw RecipeError("slice " + std::to_string(k + 1) + " has no sources");
    check_settings(r, spec, sl.params, false, where);
    for (const auto& s : sl.sources) {
      const std::string at = "slice " + std::to_string(k + 1) + (s.line ? " (line " + std::to_string(s.line) + ")" : "");
      if (s.path.empty()) throw RecipeError(at + ": a source has no model");
      if (s.layer_begin < 0 || s.layer_end <= s.layer_begin)
        throw RecipeError(at + ": layer_range [" + std::to_string(s.layer_begin) + ", " + std::to_string(s.layer_end) +
                          "] of '" + s.path + "' is empty or negative (it is [first, last + 1))");
      if (s.layer_end - s.layer_begin != sl.sources[0].layer_end - sl.sources[0].layer_begin)
        throw RecipeError(at + ": all sources of a slice must span the same number of layers ('" + sl.sources[0].path +
                          "' spans " + std::to_string(sl.sources[0].layer_end - sl.sources[0].layer_begin) + ", '" +
                          s.path + "' spans " + std::to_string(s.layer_end - s.layer_begin) + ")");
      check_settings(r, spec, s.params, true, " of source '" + s.path + "'" + where);
    }
    slice_layout(r, k);
  }
}
}  // namespace

void validate(const Recipe& r) {
  const MethodSpec& spec = method_of(r);
  check_settings(r, spec, r.params, false, "");
  if (!r.slices.empty()) return validate_slices(r, spec);
  for (size_t i = 0; i < r.models.size(); ++i) {
    if (r.models[i].path.empty()) throw RecipeError(spec.name + ": model " + std::to_string(i + 1) + " has no path");
    check_settings(r, spec, r.models[i].params, true, " of model '" + r.models[i].path + "'");
  }
  check_joint(r, spec, merge_layout(r));
}

std::optional<int> layer_index(const std::string& tensor) {
  size_t start = 0;
  while (start <= tensor.size()) {
    size_t end = tensor.find('.', start);
    if (end == std::string::npos) end = tensor.size();
    // A layer number is a component followed by more of the name ("layers.3.mlp"), never the last one.
    if (end > start && end < tensor.size()) {
      bool digits = true;
      for (size_t i = start; i < end; ++i) digits = digits && std::isdigit(static_cast<unsigned char>(tensor[i]));
      if (digits && end - start < 9) return std::stoi(tensor.substr(start, end - start));
    }
    start = end + 1;
  }
  return std::nullopt;
}

double layer_position(const std::string& tensor, int n_layers) {
  const auto layer = layer_index(tensor);
  if (!layer) return 0.0;
  if (n_layers <= 1) return 1.0;
  return std::clamp(static_cast<double>(*layer) / static_cast<double>(n_layers - 1), 0.0, 1.0);
}

merge::Params resolve_params(const Recipe& r, const MergeLayout& layout, const std::string& tensor, double t,
                             uint32_t seed) {
  const MethodSpec& spec = method_of(r);
  merge::Params p(&spec);
  p.seed = seed;
  for (const ParamSpec& ps : spec.params) {
    std::optional<double> global;
    if (auto it = r.params.find(ps.name); it != r.params.end()) global = it->second.evaluate(tensor, t);
    if (global) p.set(ps.name, *global);
    if (!ps.per_model) continue;
    for (size_t m = 0; m < layout.entry.size(); ++m) {
      const int e = layout.entry[m];
      if (e < 0) continue;
      const auto& mp = r.models[static_cast<size_t>(e)].params;
      if (auto it = mp.find(ps.name); it != mp.end())
        if (auto v = it->second.evaluate(tensor, t)) p.set_model(m, ps.name, *v);
    }
  }
  return p;
}

merge::Params resolve_slice_params(const Recipe& r, size_t slice, const MergeLayout& layout, const std::string& tensor,
                                   const std::vector<std::string>& source_tensors, double t, uint32_t seed) {
  const MethodSpec& spec = method_of(r);
  const Slice& sl = r.slices.at(slice);
  merge::Params p(&spec);
  p.seed = seed;
  auto lookup = [](const ParamMap& m, const std::string& name, const std::string& tensor_name, double at) {
    std::optional<double> v;
    if (auto it = m.find(name); it != m.end()) v = it->second.evaluate(tensor_name, at);
    return v;
  };
  for (const ParamSpec& ps : spec.params) {
    std::optional<double> global = lookup(sl.params, ps.name, tensor, t);
    if (!global) global = lookup(r.params, ps.name, tensor, t);
    if (global) p.set(ps.name, *global);
    if (!ps.per_model) continue;
    for (size_t m = 0; m < layout.entry.size(); ++m) {
      const int e = layout.entry[m];
      if (e < 0) continue;
      const std::string& name = m < source_tensors.size() ? source_tensors[m] : tensor;
      std::optional<double> v = lookup(sl.sources[static_cast<size_t>(e)].params, ps.name, name, t);
      if (!v) v = lookup(sl.params, ps.name, name, t);
      if (!v) v = lookup(r.params, ps.name, name, t);
      if (v) p.set_model(m, ps.name, *v);
    }
  }
  return p;
}

// ---- JSON ------------------------------------------------------------------------------------
namespace {
using nlohmann::json;

json setting_to_json(const ParamSetting& s) {
  auto value = [](const ParamValue& v) { return v.values.size() == 1 ? json(v.values[0]) : json(v.values); };
  if (!s.conditional && s.entries.size() == 1 && s.entries[0].filter.empty()) return value(s.entries[0].value);
  json list = json::array();
  for (const auto& e : s.entries) {
    json item = {{"value", value(e.value)}};
    if (!e.filter.empty()) item["filter"] = e.filter;
    list.push_back(item);
  }
  return list;
}

ParamSetting setting_from_json(const json& j) {
  auto value = [](const json& v) {
    ParamValue out;
    if (v.is_array())
      for (const auto& x : v) out.values.push_back(x.get<double>());
    else if (v.is_boolean()) out.values.push_back(v.get<bool>() ? 1.0 : 0.0);
    else out.values.push_back(v.get<double>());
    return out;
  };
  ParamSetting s;
  if (j.is_array() && !j.empty() && j[0].is_object()) {
    s.conditional = true;
    for (const auto& item : j) s.entries.push_back({item.value("filter", std::string()), value(item.at("value"))});
  } else {
    s.entries.push_back({"", value(j)});
  }
  return s;
}

json params_to_json(const ParamMap& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = setting_to_json(v);
  return out;
}

ParamMap params_from_json(const json& j) {
  ParamMap out;
  for (const auto& [k, v] : j.items()) out[k] = setting_from_json(v);
  return out;
}
}  // namespace

std::string recipe_to_json(const Recipe& r) {
  json j;
  j["merge_method"] = r.method;
  if (!r.base_model.empty()) j["base_model"] = r.base_model;
  json models = json::array();
  for (const auto& m : r.models) {
    json e = {{"model", m.path}};
    if (!m.params.empty()) e["parameters"] = params_to_json(m.params);
    models.push_back(e);
  }
  if (r.slices.empty()) j["models"] = models;
  if (!r.slices.empty()) {
    json slices = json::array();
    for (const auto& sl : r.slices) {
      json sources = json::array();
      for (const auto& src : sl.sources) {
        json e = {{"model", src.path}, {"layer_range", {src.layer_begin, src.layer_end}}};
        if (!src.params.empty()) e["parameters"] = params_to_json(src.params);
        sources.push_back(e);
      }
      json o = {{"sources", sources}};
      if (!sl.params.empty()) o["parameters"] = params_to_json(sl.params);
      if (!sl.base_model.empty()) o["base_model"] = sl.base_model;
      slices.push_back(o);
    }
    j["slices"] = slices;
  }
  if (!r.tokenizer_source.empty()) j["tokenizer_source"] = r.tokenizer_source;
  if (!r.params.empty()) j["parameters"] = params_to_json(r.params);
  if (!r.dtype.empty()) j["dtype"] = r.dtype;
  if (!r.out_dtype.empty()) j["out_dtype"] = r.out_dtype;
  return j.dump();
}

Recipe recipe_from_json(const std::string& text) {
  try {
    const json j = json::parse(text);
    Recipe r;
    r.method = j.at("merge_method").get<std::string>();
    r.base_model = j.value("base_model", std::string());
    if (j.contains("slices"))
      for (const auto& o : j.at("slices")) {
        Slice sl;
        for (const auto& src : o.at("sources")) {
          SliceSource e;
          e.path = src.at("model").get<std::string>();
          e.layer_begin = src.at("layer_range").at(0).get<int>();
          e.layer_end = src.at("layer_range").at(1).get<int>();
          if (src.contains("parameters")) e.params = params_from_json(src.at("parameters"));
          sl.sources.push_back(std::move(e));
        }
        if (o.contains("parameters")) sl.params = params_from_json(o.at("parameters"));
        sl.base_model = o.value("base_model", std::string());
        r.slices.push_back(std::move(sl));
      }
    r.tokenizer_source = j.value("tokenizer_source", std::string());
    for (const auto& m : j.contains("models") ? j.at("models") : json::array()) {
      ModelEntry e;
      e.path = m.at("model").get<std::string>();
      if (m.contains("parameters")) e.params = params_from_json(m.at("parameters"));
      r.models.push_back(std::move(e));
    }
    if (j.contains("parameters")) r.params = params_from_json(j.at("parameters"));
    r.dtype = j.value("dtype", std::string());
    r.out_dtype = j.value("out_dtype", std::string());
    return r;
  } catch (const json::exception& e) {
    throw RecipeError(std::string("recipe JSON: ") + e.what());
  }
}

}  // namespace mergelab::recipe
