#include "core/scene/scene_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <cstring>
#include <cctype>

namespace mergelab::scene {

// ---------------------------------------------------------------------------------------------------
// Schema: a small tree of field descriptions the validator walks.
// ---------------------------------------------------------------------------------------------------
namespace {

enum class Kind { Object, Bool, Int, Number, String, Enum, EnumList, NumberArray, IntList, StringList, Any };

struct Child;  // a named sub-field; a vector of an incomplete type (C++17) keeps the tree one type deep

struct Field {
  Kind kind = Kind::Object;
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  std::vector<std::string> words;                      ///< Enum / EnumList vocabulary
  size_t length = 0;                                   ///< NumberArray: exact length (0: any)
  std::vector<Child> children;                         ///< Object (ordered for messages)
};

struct Child {
  std::string first;  ///< key
  Field second;       ///< its description
};

Field make(Kind k) {
  Field f;
  f.kind = k;
  return f;
}
Field boolean() { return make(Kind::Bool); }
Field integer(double lo, double hi) {
  Field f = make(Kind::Int);
  f.lo = lo, f.hi = hi;
  return f;
}
Field number(double lo, double hi) {
  Field f = make(Kind::Number);
  f.lo = lo, f.hi = hi;
  return f;
}
Field text(size_t max_len) {
  Field f = make(Kind::String);
  f.hi = static_cast<double>(max_len);
  return f;
}
Field one_of(std::vector<std::string> words) {
  Field f = make(Kind::Enum);
  f.words = std::move(words);
  return f;
}
Field list_of(std::vector<std::string> words) {
  Field f = make(Kind::EnumList);
  f.words = std::move(words);
  return f;
}
Field numbers(size_t length, double lo, double hi) {
  Field f = make(Kind::NumberArray);
  f.length = length, f.lo = lo, f.hi = hi;
  return f;
}
Field int_list(double lo, double hi) {
  Field f = make(Kind::IntList);
  f.lo = lo, f.hi = hi;
  return f;
}
Field strings_field() { return make(Kind::StringList); }
Field anything() { return make(Kind::Any); }
Field object(std::vector<std::pair<std::string, Field>> children) {
  Field f = make(Kind::Object);
  for (auto& [key, field] : children) f.children.push_back({key, std::move(field)});
  return f;
}

constexpr double kU32 = 4294967295.0;

// The toy scene (app/gui/scene.h SceneParams); ranges are those of the Live Training sliders.
Field toy_schema() {
  return object({
      {"article", object({{"seed", integer(0, kU32)},
                         {"samples", integer(20, 1000)},
                         {"init_scale", number(0.0, 10.0)},
                         {"lr", number(1e-4, 10.0)},
                         {"steps", integer(1, 5000)},
                         {"same_init", boolean()}})},
      {"mlp", object({{"hidden", integer(1, 32)},
                     {"init_scale", number(0.0, 10.0)},
                     {"lr", number(1e-4, 10.0)},
                     {"steps", integer(1, 5000)},
                     {"init_seed", integer(0, kU32)},
                     {"b_task", one_of({"other", "same"})}})},
      {"model", one_of({"logistic", "mlp"})},
      {"view", one_of({"model", "lab_slice"})},
      {"field", one_of({"task1", "task2", "combined"})},
      {"path", one_of({"LERP", "SLERP"})},
      {"t", number(0.0, 1.0)},
      {"free_point", boolean()},
      {"point_on_path", boolean()},
      {"free_ab", numbers(2, -1e6, 1e6)},
      {"show_contours", boolean()},
      {"show_trajectories", boolean()},
      {"show_accuracy", boolean()},
      {"replay_playing", boolean()},
      {"replay_progress", number(0.0, 1.0)},
  });
}

// The issue #4 panels' save() objects (their load() clamps too; here a typo becomes an error).
Field panel_settings_schema() {
  return object({
      {"explorer", object({})},
      {"curves", object({})},
      {"training", object({})},
      {"merge_lab", object({{"settings", object({{"alpha", number(0.0, 2.0)},
                                                {"k", number(0.01, 1.0)},
                                                {"p", number(0.0, 0.99)},
                                                {"seed", integer(0, kU32)},
                                                {"sign_rule", integer(0, 1)},
                                                {"tasks", int_list(0, 2)},
                                                {"slerp_a", integer(0, 2)},
                                                {"slerp_b", integer(0, 2)},
                                                {"slerp_t", number(0.0, 1.0)}})},
                            {"method", text(64)},
                            {"mask_draws", integer(1, 10)}})},
      {"task_arithmetic", object({{"lambda", numbers(3, -1.5, 1.5)}})},
      {"ties_anatomy", object({{"source", integer(0, 2)},
                               {"k", number(0.01, 1.0)},
                               {"sign_rule", integer(0, 1)},
                               {"step", integer(0, 3)}})},
      // The Checkpoints panel's save(): paths and the merge recipe; its parameter maps are checked by
      // the merge registry when the panel loads them.
      {"checkpoints", object({{"base", text(4096)},
                              {"models", strings_field()},
                              {"method", text(64)},
                              {"params", anything()},
                              {"model_params", anything()},
                              {"density", number(0.0, 1.0)},
                              {"out_dir", text(4096)},
                              {"yaml_path", text(4096)},
                              {"threads", integer(0, 64)},
                              {"seed", integer(0, kU32)},
                              {"use_base", boolean()},
                              {"load_on_open", boolean()}})},
      // The Weight space panel's save(): the family (base, A, B, data) and the view shown.
      {"real_weight_space", object({{"base", text(4096)},
                                    {"a", text(4096)},
                                    {"b", text(4096)},
                                    {"data", text(8192)},
                                    {"tab", one_of({"path", "plane", "landscape", "maps"})}})},
      // The Tune panel's save(): inputs, the base recipe, sweep axes and CMA-ES options (its load() clamps too).
      {"tune", object({{"base", text(4096)},
                       {"models", strings_field()},
                       {"data", text(8192)},
                       {"tune_split", text(64)},
                       {"test_split", text(64)},
                       {"external", boolean()},
                       {"command", text(8192)},
                       {"timeout", number(0.1, 86400.0)},
                       {"method", text(64)},
                       {"params", anything()},
                       {"model_params", anything()},
                       {"objective", one_of({"mean", "min", "weighted"})},
                       {"objective_keys", text(4096)},
                       {"global_scope", boolean()},
                       {"use_base", boolean()},
                       {"seed", integer(0, kU32)},
                       {"threads", integer(1, 64)},
                       {"sweep_axes", integer(1, 2)},
                       {"axes", anything()},
                       {"cmaes_params", strings_field()},
                       {"population", integer(0, 1000)},
                       {"sigma", number(1e-3, 1.0)},
                       {"budget", integer(4, 1000000)},
                       {"cmaes_seed", integer(0, kU32)},
                       {"yaml_path", text(4096)},
                       {"evolve_tasks", text(4096)},
                       {"evolve_dir", text(4096)}})},
  });
}

Field document_schema() {
  return object({
      {"mergelab_scene", integer(1, 1)},
      {"number", integer(0, 99)},
      {"title", text(120)},
      {"caption", text(2000)},
      {"view", one_of(known_views())},
      {"panels", list_of(known_panels())},
      {"focus", one_of([] {
         auto w = known_panels();
         w.insert(w.begin(), "");
         return w;
       }())},
      {"hidden_controls", list_of(known_hidden_controls())},
      {"hold_back", list_of(known_hold_backs())},
      {"revealed", boolean()},
      {"toy", toy_schema()},
      {"panel_settings", panel_settings_schema()},
      {"ui", object({{"scale", number(1.0, 2.5)},
                     {"theme", one_of({"dark", "light", "contrast"})},
                     {"presentation", boolean()}})},
  });
}

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : ", ") + (w.empty() ? std::string("\"\"") : w);
  return s;
}

std::string shown(const nlohmann::json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string range(double lo, double hi) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "[%g, %g]", lo, hi);
  return buf;
}

class Validator {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}

  void check(const nlohmann::json& v, const Field& f, const std::string& path) const {
    switch (f.kind) {
      case Kind::Object: {
        if (!v.is_object()) fail(path, "expected an object", v);
        for (auto it = v.begin(); it != v.end(); ++it) {
          const auto c = std::find_if(f.children.begin(), f.children.end(),
                                      [&](const auto& kv) { return kv.first == it.key(); });
          const std::string sub = path.empty() ? it.key() : path + "." + it.key();
          if (c == f.children.end()) {
            std::vector<std::string> names;
            for (const auto& kv : f.children) names.push_back(kv.first);
            throw SceneError(source_ + ": unknown field '" + sub + "'" +
                             (names.empty() ? std::string(" (this object takes no fields)")
                                            : " (expected one of: " + join(names) + ")"));
          }
          check(it.value(), c->second, sub);
        }
        break;
      }
      case Kind::Bool:
        if (!v.is_boolean()) fail(path, "expected true or false", v);
        break;
      case Kind::Int:
        if (!v.is_number_integer() || v.get<double>() < f.lo || v.get<double>() > f.hi)
          fail(path, "expected an integer in " + range(f.lo, f.hi), v);
        break;
      case Kind::Number:
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < f.lo || v.get<double>() > f.hi)
          fail(path, "expected a number in " + range(f.lo, f.hi), v);
        break;
      case Kind::String:
        if (!v.is_string() || v.get<std::string>().size() > static_cast<size_t>(f.hi))
          fail(path, "expected a string of at most " + std::to_string(static_cast<long>(f.hi)) + " characters", v);
        break;
      case Kind::Enum:
        if (!v.is_string() || std::find(f.words.begin(), f.words.end(), v.get<std::string>()) == f.words.end())
          fail(path, "expected one of: " + join(f.words), v);
        break;
      case Kind::EnumList: {
        if (!v.is_array()) fail(path, "expected a list of: " + join(f.words), v);
        for (size_t i = 0; i < v.size(); ++i)
          if (!v[i].is_string() || std::find(f.words.begin(), f.words.end(), v[i].get<std::string>()) == f.words.end())
            fail(path + "[" + std::to_string(i) + "]", "expected one of: " + join(f.words), v[i]);
        break;
      }
      case Kind::NumberArray: {
        if (!v.is_array() || (f.length && v.size() != f.length))
          fail(path, "expected a list of " + std::to_string(f.length) + " numbers", v);
        for (size_t i = 0; i < v.size(); ++i)
          if (!v[i].is_number() || !std::isfinite(v[i].get<double>()) || v[i].get<double>() < f.lo ||
              v[i].get<double>() > f.hi)
            fail(path + "[" + std::to_string(i) + "]", "expected a number in " + range(f.lo, f.hi), v[i]);
        break;
      }
      case Kind::IntList: {
        if (!v.is_array() || v.empty()) fail(path, "expected a non-empty list of integers", v);
        for (size_t i = 0; i < v.size(); ++i)
          if (!v[i].is_number_integer() || v[i].get<double>() < f.lo || v[i].get<double>() > f.hi)
            fail(path + "[" + std::to_string(i) + "]", "expected an integer in " + range(f.lo, f.hi), v[i]);
        break;
      }
      case Kind::StringList:
        if (!v.is_array()) fail(path, "expected a list of strings", v);
        for (size_t i = 0; i < v.size(); ++i)
          if (!v[i].is_string()) fail(path + "[" + std::to_string(i) + "]", "expected a string", v[i]);
        break;
      case Kind::Any:
        break;
    }
  }

 private:
  std::string source_;
  [[noreturn]] void fail(const std::string& path, const std::string& what, const nlohmann::json& got) const {
    throw SceneError(source_ + ": field '" + (path.empty() ? std::string("(document)") : path) + "': " + what +
                     ", got " + shown(got));
  }
};

std::vector<std::string> strings(const nlohmann::json& doc, const char* key) {
  std::vector<std::string> out;
  if (doc.contains(key))
    for (const auto& v : doc.at(key)) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------------

const std::vector<std::string>& known_views() {
  static const std::vector<std::string> v = {"explorer", "merge_lab", "checkpoints", "tune", "weight_space"};
  return v;
}
const std::vector<std::string>& known_panels() {
  static const std::vector<std::string> v = {"explorer",        "curves",       "training",   "merge_lab",
                                             "task_arithmetic", "ties_anatomy", "checkpoints",
                                             "tune",            "real_weight_space"};
  return v;
}
const std::vector<std::string>& known_hidden_controls() {
  static const std::vector<std::string> v = {"explorer.controls", "explorer.slider", "explorer.readout",
                                             "explorer.legend",   "curves.controls", "curves.norm",
                                             "training.controls", "training.replay", "merge_lab.controls"};
  return v;
}
const std::vector<std::string>& known_hold_backs() {
  static const std::vector<std::string> v = {"loss_minimum", "barrier", "winner", "sign_conflicts"};
  return v;
}

// ---------------------------------------------------------------------------------------------------
// Parsing and writing
// ---------------------------------------------------------------------------------------------------

SceneFile parse_scene(const nlohmann::json& doc, const std::string& source) {
  static const Field schema = document_schema();
  Validator(source).check(doc, schema, "");
  SceneFile s;
  s.source = source;
  s.number = doc.value("number", 0);
  s.title = doc.value("title", "");
  s.caption = doc.value("caption", "");
  s.view = doc.value("view", "");
  s.has_panels = doc.contains("panels");
  s.panels = strings(doc, "panels");
  s.focus = doc.value("focus", "");
  s.hidden_controls = strings(doc, "hidden_controls");
  s.hold_back = strings(doc, "hold_back");
  s.revealed = doc.value("revealed", false);
  if (doc.contains("toy")) s.toy = doc.at("toy");
  if (doc.contains("panel_settings")) s.panel_settings = doc.at("panel_settings");
  if (doc.contains("ui")) s.ui = doc.at("ui");
  if (!s.focus.empty() && s.has_panels && std::find(s.panels.begin(), s.panels.end(), s.focus) == s.panels.end())
    throw SceneError(source + ": field 'focus': panel '" + s.focus + "' is not in 'panels'");
  return s;
}

SceneFile parse_scene_text(const std::string& text, const std::string& source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    std::string what = e.what();
    if (const auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    if (const auto p = what.find("number overflow"); p != std::string::npos) what = what.substr(p);
    throw SceneError(source + ": not valid JSON (" + what + ")");
  }
  return parse_scene(doc, source);
}

SceneFile load_scene_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw SceneError(path + ": no such scene file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw SceneError(path + ": cannot read (" + ec.message() + ")");
  if (size > (1u << 20)) throw SceneError(path + ": too big for a scene file (" + std::to_string(size) + " bytes)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SceneError(path + ": cannot open for reading");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_scene_text(ss.str(), path);
}

nlohmann::json to_json(const SceneFile& s) {
  nlohmann::json j = {{"mergelab_scene", 1}, {"number", s.number},   {"title", s.title},
                      {"caption", s.caption}, {"focus", s.focus},   {"hidden_controls", s.hidden_controls},
                      {"hold_back", s.hold_back}, {"revealed", s.revealed}, {"toy", s.toy},
                      {"panel_settings", s.panel_settings}};
  if (!s.view.empty()) j["view"] = s.view;
  if (s.has_panels) j["panels"] = s.panels;
  if (!s.ui.empty()) j["ui"] = s.ui;
  return j;
}

// ---------------------------------------------------------------------------------------------------
// Scene codes
// ---------------------------------------------------------------------------------------------------

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr const char* kCodePrefix = "MLS1:";
}  // namespace

std::string base64_encode(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], kB64[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
  }
  return out;
}

std::string base64_decode(const std::string& text) {
  std::string in;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) in += c;
  if (in.size() % 4 != 0) throw SceneError("scene code: length is not a multiple of 4 (cut short?)");
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      unsigned d = 0;
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        ++pad;
      } else {
        const char* p = std::strchr(kB64, c);
        if (!p || c == '\0' || pad) throw SceneError(std::string("scene code: unexpected character '") + c + "'");
        d = static_cast<unsigned>(p - kB64);
      }
      v = (v << 6) | d;
    }
    out += static_cast<char>((v >> 16) & 255);
    if (pad < 2) out += static_cast<char>((v >> 8) & 255);
    if (pad < 1) out += static_cast<char>(v & 255);
  }
  return out;
}

std::string encode_scene_code(const nlohmann::json& doc) { return kCodePrefix + base64_encode(doc.dump()); }

nlohmann::json decode_scene_code(const std::string& code) {
  std::string c = code;
  c.erase(0, c.find_first_not_of(" \t\r\n"));
  if (c.rfind(kCodePrefix, 0) != 0) throw SceneError("scene code: does not start with MLS1:");
  const std::string text = base64_decode(c.substr(std::strlen(kCodePrefix)));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {  // parse_error, or out_of_range for a number like 1e999
    throw SceneError("scene code: the decoded text is not JSON");
  }
}

std::vector<std::string> list_scene_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mergelab::scene
