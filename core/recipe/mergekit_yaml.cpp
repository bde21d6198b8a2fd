#include "core/recipe/mergekit_yaml.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

#include "core/checkpoint/lora.h"
#include "core/io/atomic_file.h"
#include "core/recipe/suggest.h"

namespace mergelab::recipe {

namespace fs = std::filesystem;
using merge::MethodSpec;
using merge::ParamSpec;

bool is_mergekit_param(const std::string& name) {
  static const std::set<std::string> names = {"weight", "density", "lambda", "t", "normalize", "rescale",
                                              "gamma", "epsilon", "filter_wise", "int8_mask"};
  return names.count(name) > 0;
}

namespace {

struct Reader {
  std::string source;
  const MethodSpec* spec = nullptr;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    std::string where = source;
    if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    throw RecipeError(where + ": " + what);
  }

  std::string text(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a string");
    return n.Scalar();
  }

  double number(const YAML::Node& n, const ParamSpec& ps) const {
    if (!n.IsScalar()) fail(n, "parameter " + ps.name + ": expected a value");
    const std::string s = n.Scalar();
    bool b = false;
    const bool is_bool = YAML::convert<bool>::decode(n, b) && s != "0" && s != "1";
    if (ps.name == "rescale") {
      if (is_bool) return b ? 2.0 : 0.0;  // mergekit's bool: L1 match or nothing
    } else if (is_bool) {
      if (ps.kind != ParamSpec::Kind::Bool) fail(n, "parameter " + ps.name + ": expected a number, got '" + s + "'");
      return b ? 1.0 : 0.0;
    }
    if (ps.kind == ParamSpec::Kind::Choice)
      for (size_t i = 0; i < ps.choices.size(); ++i)
        if (ps.choices[i] == s) return static_cast<double>(i);
    double v = 0;
    const char* first = s.data();
    const char* last = s.data() + s.size();
    if (!s.empty() && *first == '+') ++first;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last) {
      std::string expected = "a number";
      if (ps.kind == ParamSpec::Kind::Bool) expected = "true or false";
      if (ps.kind == ParamSpec::Kind::Choice) {
        expected = ps.name == "rescale" ? "true, false" : "";
        for (const auto& c : ps.choices) expected += (expected.empty() ? "" : ", ") + c;
      }
      fail(n, "parameter " + ps.name + ": expected " + expected + ", got '" + s + "'");
    }
    return v;
  }

  ParamValue value(const YAML::Node& n, const ParamSpec& ps) const {
    ParamValue out;
    if (n.IsSequence()) {
      if (n.size() == 0) fail(n, "parameter " + ps.name + ": empty list");
      for (const auto& x : n) out.values.push_back(number(x, ps));
    } else {
      out.values.push_back(number(n, ps));
    }
    return out;
  }

  ParamSetting setting(const YAML::Node& n, const ParamSpec& ps) const {
    ParamSetting s;
    if (n.IsSequence() && n.size() > 0 && n[0].IsMap()) {
      s.conditional = true;
      for (const auto& item : n) {
        if (!item.IsMap() || !item["value"]) fail(item, "parameter " + ps.name + ": each entry needs a 'value'");
        for (const auto& kv : item) {
          const std::string k = kv.first.Scalar();
          if (k != "value" && k != "filter") fail(kv.first, "parameter " + ps.name + ": unknown key '" + k + "'");
        }
        ParamSetting::Entry e;
        if (item["filter"]) e.filter = text(item["filter"], "filter");
        if (e.filter == "*") e.filter.clear();
        e.value = value(item["value"], ps);
        s.entries.push_back(std::move(e));
      }
    } else if (n.IsMap()) {
      fail(n, "parameter " + ps.name + ": expected a value, a list, or a list of {filter, value}");
    } else {
      s.entries.push_back({"", value(n, ps)});
    }
    return s;
  }

  ParamMap params(const YAML::Node& n, bool per_model) const {
    ParamMap out;
    if (!n || n.IsNull()) return out;
    if (!n.IsMap()) fail(n, "parameters must be a mapping");
    for (const auto& kv : n) {
      const std::string name = kv.first.Scalar();
      if (is_ignored_mergekit_param(name)) {
        // Kept as written (a bool) so the config reads back the same; it changes nothing here.
        ParamSpec ps{name, name, "", ParamSpec::Kind::Bool, 0, 0, 1, {}, true};
        out[name] = setting(kv.second, ps);
        continue;
      }
      const ParamSpec* ps = spec->param(name);
      if (!ps) {
        std::string known;
        std::vector<std::string> names;
        for (const auto& p : spec->params) {
          known += (known.empty() ? "" : ", ") + p.name;
          names.push_back(p.name);
        }
        fail(kv.first, spec->name + ": unknown parameter '" + name + "'" + did_you_mean(name, names) + " (known: " +
                           (known.empty() ? "none" : known) + ")");
      }
      if (per_model && !ps->per_model) fail(kv.first, spec->name + ": parameter " + name + " cannot be set per model");
      out[name] = setting(kv.second, *ps);
    }
    return out;
  }
};

int line_of(const YAML::Node& n) { return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

/// slices: - sources: - {model, layer_range: [a, b], parameters?}; parameters?; base_model?
void read_slices(const Reader& rd, const YAML::Node& slices, Recipe& r) {
  if (!slices.IsSequence() || slices.size() == 0) rd.fail(slices, "'slices' must be a non-empty list");
  for (const auto& sn : slices) {
    if (!sn.IsMap() || !sn["sources"]) rd.fail(sn, "slices: each entry needs 'sources'");
    Slice sl;
    sl.line = line_of(sn);
    for (const auto& kv : sn) {
      const std::string k = kv.first.Scalar();
      if (k == "residual_weight") rd.fail(kv.first, "slices: 'residual_weight' is not supported");
      if (k != "sources" && k != "parameters" && k != "base_model")
        rd.fail(kv.first, "slices: unknown key '" + k + "'" + did_you_mean(k, {"sources", "parameters", "base_model"}));
    }
    if (sn["base_model"] && !sn["base_model"].IsNull()) sl.base_model = rd.text(sn["base_model"], "base_model");
    sl.params = rd.params(sn["parameters"], false);
    const YAML::Node sources = sn["sources"];
    if (!sources.IsSequence() || sources.size() == 0) rd.fail(sources, "slices: 'sources' must be a non-empty list");
    for (const auto& src : sources) {
      if (!src.IsMap() || !src["model"]) rd.fail(src, "slices: each source needs 'model' and 'layer_range'");
      for (const auto& kv : src) {
        const std::string k = kv.first.Scalar();
        if (k != "model" && k != "layer_range" && k != "parameters")
          rd.fail(kv.first, "slices: unknown key '" + k + "' in a source" + did_you_mean(k, {"model", "layer_range", "parameters"}));
      }
      SliceSource e;
      e.line = line_of(src);
      e.path = rd.text(src["model"], "model");
      if (e.path.find('+') != std::string::npos && e.path.rfind('+') > 0)
        rd.fail(src["model"], "model '" + e.path + "': LoRA adapters (BASE+ADAPTER) are not supported in slices");
      const YAML::Node range = src["layer_range"];
      if (!range) rd.fail(src, "slices: source '" + e.path + "' needs 'layer_range: [first, last + 1]'");
      if (!range.IsSequence() || range.size() != 2) rd.fail(range, "layer_range must be two integers [first, last + 1]");
      for (size_t i = 0; i < 2; ++i) {
        int v = 0;
        const std::string t = range[i].IsScalar() ? range[i].Scalar() : "";
        auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc() || ptr != t.data() + t.size())
          rd.fail(range, "layer_range must be two integers [first, last + 1], got '" + t + "'");
        (i == 0 ? e.layer_begin : e.layer_end) = v;
      }
      e.params = rd.params(src["parameters"], true);
      sl.sources.push_back(std::move(e));
    }
    r.slices.push_back(std::move(sl));
  }
}

/// The YAML line a validation message is about: the parameter it names ("parameter 'densty'", "parameter density")
/// in the entry of the model it names ("model 'x'"), else at the top level, else anywhere; 0 when none is found.
int line_of_problem(const YAML::Node& root, const std::string& message) {
  static const std::regex param_re("parameter '?([A-Za-z0-9_]+)'?"), model_re("model '([^']+)'");
  std::smatch pm, mm;
  if (!std::regex_search(message, pm, param_re)) return 0;
  const std::string name = pm[1];
  const std::string model = std::regex_search(message, mm, model_re) ? std::string(mm[1]) : "";
  auto in = [&](const YAML::Node& params) {
    if (!params || !params.IsMap()) return 0;
    for (const auto& kv : params)
      if (kv.first.Scalar() == name) return line_of(kv.first);
    return 0;
  };
  auto entries = [&](const YAML::Node& list, bool named) {
    if (!list || !list.IsSequence()) return 0;
    for (const auto& m : list)
      if (m.IsMap() && (!named || (m["model"] && m["model"].Scalar() == model)))
        if (const int l = in(m["parameters"])) return l;
    return 0;
  };
  std::vector<YAML::Node> source_lists;
  if (root["slices"] && root["slices"].IsSequence())
    for (const auto& sl : root["slices"]) source_lists.push_back(sl["sources"]);
  for (const bool named : {true, false}) {
    if (named && model.empty()) continue;
    if (const int l = entries(root["models"], named)) return l;
    for (const auto& list : source_lists)
      if (const int l = entries(list, named)) return l;
    if (named) continue;
    if (const int l = in(root["parameters"])) return l;
    if (root["slices"] && root["slices"].IsSequence())
      for (const auto& sl : root["slices"])
        if (const int l = in(sl["parameters"])) return l;
  }
  return 0;
}

bool looks_local(const std::string& p) { return !p.empty(); }

void check_local(const Recipe& r, const std::string& source, const std::string& what, const std::string& p) {
  const std::string resolved = resolve_path(r, p);
  std::error_code ec;
  if (looks_local(p) && fs::exists(resolved, ec)) return;
  throw RecipeError(source + ": " + what + " '" + p + "' is not a local file or directory (looked for " + resolved +
                    "); Hugging Face hub names are not supported: download the model and give its local path, " +
                    "relative to the YAML's folder or absolute");
}

/// The decimal a recipe value is written as: the shortest that reads back as the same double; when that needs
/// 16 or 17 significant digits because the value carries the rounding noise of arithmetic (a sweep's
/// 0.3 + 5 * 0.025 = 0.42500000000000004), the shortest decimal of at most 15 digits within 4 ulps of it (0.425),
/// which every float32 kernel sees as the same number. Genuine 16/17-digit values are written in full.
std::string format_number(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, ptr);
  size_t digits = 0;
  for (char c : s.substr(0, s.find_first_of("eE"))) digits += c >= '0' && c <= '9';
  if (digits >= 16 && std::isfinite(v) && v != 0.0) {
    const double ulp = std::abs(std::nextafter(v, 0.0) - v);
    for (int p = 1; p <= 15; ++p) {
      auto [q, e2] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, p);
      double back = 0;
      std::from_chars(buf, q, back);
      if (std::abs(back - v) <= 4 * ulp) {
        s.assign(buf, q);
        break;
      }
    }
  }
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // keep floats floats in YAML
  return s;
}

std::string format_value(double v, const ParamSpec* ps, const std::string& name) {
  if (name == "rescale" && ps) {
    if (v == 0.0) return "false";
    if (v == 2.0) return "true";
  }
  if ((ps && ps->kind == ParamSpec::Kind::Bool) || is_ignored_mergekit_param(name)) return v != 0.0 ? "true" : "false";
  if (ps && ps->kind == ParamSpec::Kind::Choice) {
    const auto i = static_cast<size_t>(v);
    if (v >= 0 && i < ps->choices.size()) return ps->choices[i];
  }
  return format_number(v);
}

void emit_value(YAML::Emitter& out, const ParamValue& v, const ParamSpec* ps, const std::string& name) {
  if (v.values.size() == 1) {
    out << format_value(v.values[0], ps, name);
    return;
  }
  out << YAML::Flow << YAML::BeginSeq;
  for (double x : v.values) out << format_value(x, ps, name);
  out << YAML::EndSeq;
}

void emit_params(YAML::Emitter& out, const MethodSpec& spec, const ParamMap& params, std::set<std::string>& foreign) {
  out << YAML::BeginMap;
  for (const auto& [name, s] : params) {
    const ParamSpec* ps = spec.param(name);
    if (!is_mergekit_param(name)) foreign.insert(name);
    if (name == "rescale")
      for (const auto& e : s.entries)
        for (double v : e.value.values)
          if (v != 0.0 && v != 2.0) foreign.insert("rescale (" + format_value(v, ps, name) + ")");
    out << YAML::Key << name << YAML::Value;
    if (!s.conditional && s.entries.size() == 1 && s.entries[0].filter.empty()) {
      emit_value(out, s.entries[0].value, ps, name);
      continue;
    }
    out << YAML::BeginSeq;
    for (const auto& e : s.entries) {
      out << YAML::BeginMap;
      if (!e.filter.empty()) out << YAML::Key << "filter" << YAML::Value << e.filter;
      out << YAML::Key << "value" << YAML::Value;
      emit_value(out, e.value, ps, name);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

}  // namespace

Recipe parse_mergekit_yaml(const std::string& text, const std::string& source, const std::string& base_dir,
                           const YamlReadOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw RecipeError(source + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  Reader rd{source, nullptr};
  if (!root.IsMap()) throw RecipeError(source + ": expected a mergekit config (a mapping with merge_method and models)");
  Recipe r;
  r.base_dir = base_dir;
  r.source = source;
  static const std::set<std::string> known = {"merge_method", "base_model", "models",    "parameters",
                                              "dtype",        "out_dtype",  "slices",    "modules",
                                              "tokenizer_source", "tokenizer", "chat_template",
                                              "name"};  // name: a stage of a multi-stage file (multi_stage.h)
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    if (!known.count(k)) r.warnings.push_back(source + ": unknown key '" + k + "' ignored");
  }
  if (root["modules"])
    rd.fail(root["modules"], "'modules' is not supported (it is for models made of several modules, e.g. vision + "
                             "language); write the merge with 'models:' or 'slices:'");
  if (root["tokenizer"])
    rd.fail(root["tokenizer"], "the 'tokenizer:' block (tokens added or re-mapped) is not supported; give "
                               "'tokenizer_source: base' or the model whose tokenizer the output keeps");
  if (root["tokenizer_source"] && !root["tokenizer_source"].IsNull()) {
    r.tokenizer_source = rd.text(root["tokenizer_source"], "tokenizer_source");
    if (r.tokenizer_source == "union")
      rd.fail(root["tokenizer_source"], "tokenizer_source: union (a vocabulary built from every model's) is not "
                                        "supported; give 'base' or the model whose tokenizer the output keeps");
  }
  if (root["chat_template"]) r.warnings.push_back(source + ": 'chat_template' ignored (the tokenizer files are copied as they are)");
  if (!root["merge_method"]) throw RecipeError(source + ": missing 'merge_method'");
  r.method = rd.text(root["merge_method"], "merge_method");
  try {
    rd.spec = &method_of(r);
  } catch (const RecipeError& e) {
    rd.fail(root["merge_method"], e.what());
  }
  if (root["base_model"] && !root["base_model"].IsNull()) r.base_model = rd.text(root["base_model"], "base_model");
  r.base_line = line_of(root["base_model"]);
  r.tokenizer_line = line_of(root["tokenizer_source"]);
  r.dtype_line = line_of(root["out_dtype"] ? root["out_dtype"] : root["dtype"]);
  const YAML::Node models = root["models"];
  if (root["slices"] && models) rd.fail(root["slices"], "give either 'models' or 'slices', not both");
  if (root["slices"]) read_slices(rd, root["slices"], r);
  else if (!models || !models.IsSequence() || models.size() == 0)
    throw RecipeError(source + ": 'models' (or 'slices') must be a non-empty list");
  for (const auto& m : root["slices"] ? YAML::Node(YAML::NodeType::Sequence) : models) {
    ModelEntry e;
    e.line = line_of(m);
    if (m.IsScalar()) e.path = m.Scalar();
    else if (m.IsMap() && m["model"]) {
      e.path = rd.text(m["model"], "model");
      for (const auto& kv : m) {
        const std::string k = kv.first.Scalar();
        if (k != "model" && k != "parameters") rd.fail(kv.first, "models: unknown key '" + k + "'");
      }
      e.params = rd.params(m["parameters"], true);
    } else {
      rd.fail(m, "models: each entry needs 'model'");
    }
    // mergekit's "BASE+ADAPTER": a LoRA adapter applied to BASE, which must be the base model.
    if (const auto plus = e.path.rfind('+'); plus != std::string::npos && plus > 0) {
      const std::string lora_base = e.path.substr(0, plus);
      if (r.base_model.empty() || path_key(resolve_path(r, lora_base)) != path_key(resolve_path(r, r.base_model)))
        rd.fail(m, "model '" + e.path + "': a LoRA adapter (BASE+ADAPTER) must apply to the base_model");
      e.path = e.path.substr(plus + 1);
    }
    r.models.push_back(std::move(e));
  }
  r.params = rd.params(root["parameters"], false);
  auto dtype = [&](const char* key) -> std::string {
    if (!root[key] || root[key].IsNull()) return "";
    const std::string d = rd.text(root[key], key);
    static const std::set<std::string> ok = {"float32", "fp32", "float", "float16", "fp16", "half", "bfloat16", "bf16"};
    if (!ok.count(d)) rd.fail(root[key], std::string(key) + " '" + d + "' is not supported (float32, float16, bfloat16)");
    return d;
  };
  r.dtype = dtype("dtype");
  r.out_dtype = dtype("out_dtype");
  try {
    validate(r);
  } catch (const RecipeError& e) {
    const int line = line_of_problem(root, e.what());
    throw RecipeError(source + (line ? ":" + std::to_string(line) : "") + ": " + e.what());
  }
  if (options.check_paths) {
    auto at = [&](int line) { return source + (line ? ":" + std::to_string(line) : ""); };
    if (!r.base_model.empty()) check_local(r, at(r.base_line), "base_model", r.base_model);
    for (const auto& m : r.models) check_local(r, at(m.line), "model", m.path);
    for (const auto& sl : r.slices) {
      if (!sl.base_model.empty()) check_local(r, at(sl.line), "base_model", sl.base_model);
      for (const auto& src : sl.sources)
        check_local(r, source + (src.line ? ":" + std::to_string(src.line) : ""), "model", src.path);
    }
  }
  return r;
}

Recipe read_mergekit_yaml(const std::string& path, const YamlReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RecipeError(path + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return parse_mergekit_yaml(ss.str(), path, dir, options);
}

std::string to_mergekit_yaml(const Recipe& r, const std::string& target_dir) {
  const MethodSpec& spec = method_of(r);
  std::error_code ec;
  const bool keep_paths = target_dir.empty() || r.base_dir.empty() ||
                          fs::weakly_canonical(target_dir, ec) == fs::weakly_canonical(r.base_dir, ec);
  auto path_of = [&](const std::string& p) {
    return keep_paths ? p : fs::absolute(resolve_path(r, p)).lexically_normal().string();
  };
  std::set<std::string> foreign;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "merge_method" << YAML::Value << r.method;
  // mergekit's slerp needs the base (t = 0); linear must not get one (it would need a weight).
  if (!r.base_model.empty() && (spec.needs_base || spec.base_optional || spec.base_joins_models || spec.name == "slerp"))
    out << YAML::Key << "base_model" << YAML::Value << path_of(r.base_model);
  if (!r.slices.empty()) {
    out << YAML::Key << "slices" << YAML::Value << YAML::BeginSeq;
    for (const auto& sl : r.slices) {
      out << YAML::BeginMap << YAML::Key << "sources" << YAML::Value << YAML::BeginSeq;
      for (const auto& src : sl.sources) {
        out << YAML::BeginMap << YAML::Key << "model" << YAML::Value << path_of(src.path);
        out << YAML::Key << "layer_range" << YAML::Value << YAML::Flow << YAML::BeginSeq << src.layer_begin
            << src.layer_end << YAML::EndSeq;
        if (!src.params.empty()) {
          out << YAML::Key << "parameters" << YAML::Value;
          emit_params(out, spec, src.params, foreign);
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
      if (!sl.base_model.empty()) out << YAML::Key << "base_model" << YAML::Value << path_of(sl.base_model);
      if (!sl.params.empty()) {
        out << YAML::Key << "parameters" << YAML::Value;
        emit_params(out, spec, sl.params, foreign);
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  } else {
    out << YAML::Key << "models" << YAML::Value;
  }
  if (r.slices.empty()) out << YAML::BeginSeq;
  for (const auto& m : r.models) {
    std::string p = path_of(m.path);
    if (!r.base_model.empty() && ckpt::is_lora_adapter(resolve_path(r, m.path))) p = path_of(r.base_model) + "+" + p;
    out << YAML::BeginMap << YAML::Key << "model" << YAML::Value << p;
    if (!m.params.empty()) {
      out << YAML::Key << "parameters" << YAML::Value;
      emit_params(out, spec, m.params, foreign);
    }
    out << YAML::EndMap;
  }
  if (r.slices.empty()) out << YAML::EndSeq;
  if (!r.tokenizer_source.empty())
    out << YAML::Key << "tokenizer_source" << YAML::Value
        << (r.tokenizer_source == "base" ? r.tokenizer_source : path_of(r.tokenizer_source));
  if (!r.params.empty()) {
    out << YAML::Key << "parameters" << YAML::Value;
    emit_params(out, spec, r.params, foreign);
  }
  if (!r.dtype.empty()) out << YAML::Key << "dtype" << YAML::Value << r.dtype;
  if (!r.out_dtype.empty()) out << YAML::Key << "out_dtype" << YAML::Value << r.out_dtype;
  out << YAML::EndMap;
  std::string header = "# mergekit config written by MergeLab\n";
  if (!foreign.empty()) {
    header += "# MergeLab-only settings (mergekit ignores them and uses its own rule):";
    for (const auto& f : foreign) header += " " + f;
    header += "\n";
  }
  if (spec.name.rfind("breadcrumbs", 0) == 0) {
    bool drop = spec.param("drop_small_tensors")->default_value != 0.0;
    if (auto it = r.params.find("drop_small_tensors"); it != r.params.end()) drop = it->second.evaluate("", 0).value_or(0) != 0;
    if (!drop)
      header += "# note: mergekit zeroes the task vectors of tensors with fewer than 1/gamma entries; this recipe keeps "
                "them (drop_small_tensors: false)\n";
  }
  return header + out.c_str() + "\n";
}

void write_mergekit_yaml(const Recipe& recipe, const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  const std::string text = to_mergekit_yaml(recipe, dir.empty() ? "." : dir);
  try {
    io::write_file_atomic(path, text);
  } catch (const io::IoError& e) {
    throw RecipeError(e.what());
  }
}

}  // namespace mergelab::recipe
