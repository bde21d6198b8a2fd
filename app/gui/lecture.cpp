#include "app/gui/lecture.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <filesystem>

namespace mergelab::app {

namespace fs = std::filesystem;

std::string builtin_scene_dir() {
  if (const char* env = std::getenv("MERGELAB_ASSETS"); env && *env) return std::string(env) + "/scenes";
#ifdef MERGELAB_ASSETS_DIR
  return std::string(MERGELAB_ASSETS_DIR) + "/scenes";
#else
  return "assets/scenes";
#endif
}

std::string panel_view(const std::string& id) {
  if (id == "explorer" || id == "curves" || id == "training") return "explorer";
  if (id == "merge_lab" || id == "task_arithmetic" || id == "ties_anatomy") return "merge_lab";
  if (id == "tune") return "tune";
  if (id == "real_weight_space") return "weight_space";
  return "checkpoints";
}

std::string panel_view(const Panel& p) { return p.view() ? p.view() : panel_view(p.id()); }

const char* view_title(const std::string& view) {
  if (view == "explorer") return "Explorer";
  if (view == "merge_lab") return "Merge Lab";
  if (view == "checkpoints") return "Checkpoints";
  if (view == "tune") return "Tune";
  if (view == "weight_space") return "Weight space";
  return "More";
}

std::string resolve_scene_arg(const std::string& arg, std::vector<std::string>& deck) {
  const std::vector<std::string> builtins = scene::list_scene_files(builtin_scene_dir());
  // A number: the built-in scene with that number prefix ("03_..."), or its position.
  if (!arg.empty() && arg.size() <= 2 && std::all_of(arg.begin(), arg.end(), ::isdigit)) {
    const int n = std::stoi(arg);
    for (const auto& f : builtins) {
      const std::string stem = fs::path(f).stem().string();
      if (stem.size() > 2 && std::isdigit(static_cast<unsigned char>(stem[0])) && std::stoi(stem.substr(0, 2)) == n) {
        deck = builtins;
        return f;
      }
    }
    throw scene::SceneError("--scene " + arg + ": no built-in scene with that number in " + builtin_scene_dir());
  }
  for (const auto& f : builtins) {
    const std::string stem = fs::path(f).stem().string();
    if (stem == arg || (stem.size() > 3 && stem.substr(3) == arg)) {
      deck = builtins;
      return f;
    }
  }
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    deck = scene::list_scene_files(arg);
    if (deck.empty()) throw scene::SceneError(arg + ": no *.json scene files in this folder");
    return deck.front();
  }
  if (arg.find('/') != std::string::npos || arg.find(".json") != std::string::npos) {
    if (!fs::is_regular_file(arg, ec)) throw scene::SceneError(arg + ": no such scene file");
    const fs::path dir = fs::absolute(arg).parent_path();
    deck = scene::list_scene_files(dir.string());
    const std::string abs = fs::absolute(arg).string();
    if (std::find(deck.begin(), deck.end(), abs) == deck.end()) deck = {abs};
    return abs;
  }
  return "";
}

void apply_scene(const scene::SceneFile& f, AppState& st, bool apply_ui) {
  // The toy: defaults + the scene's fields (validated, so from_json cannot fail on types).
  SceneParams p;
  from_json(f.toy, p);
  st.scene = p;
  // Panels: visibility, then settings (defaults for every panel the scene does not set).
  Lecture& L = st.lecture;
  L.missing_panels.clear();
  if (f.has_panels) {
    for (auto& panel : st.panels)
      panel->visible = std::find(f.panels.begin(), f.panels.end(), panel->id()) != f.panels.end();
    for (const auto& id : f.panels)
      if (std::none_of(st.panels.begin(), st.panels.end(), [&](const auto& q) { return id == q->id(); }))
        L.missing_panels.push_back(id);
  }
  for (auto& panel : st.panels) {
    const std::string id = panel->id();
    if (f.panel_settings.contains(id))
      panel->load(f.panel_settings.at(id));
    else if (st.panel_defaults.contains(id))
      panel->load(st.panel_defaults.at(id));
  }
  // View: the scene's, else the page of its first panel. A view that holds none of the listed panels (a session
  // saved when the Tune panel still sat in the Checkpoints view) gives way to the first panel's page.
  const bool view_shows_one = !f.has_panels || std::any_of(f.panels.begin(), f.panels.end(),
                                                           [&](const std::string& id) { return panel_view(id) == f.view; });
  if (!f.view.empty() && view_shows_one)
    L.view = f.view;
  else if (f.has_panels && !f.panels.empty())
    L.view = panel_view(f.panels.front());
  L.focus = f.focus;
  L.current = f;
  if (f.number > 0)  // a session or code of a lecture scene: navigation continues from it
    for (size_t i = 0; i < L.deck.size(); ++i) {
      const std::string stem = fs::path(L.deck[i]).stem().string();
      if (stem.size() > 2 && std::isdigit(static_cast<unsigned char>(stem[0])) &&
          std::isdigit(static_cast<unsigned char>(stem[1])) && std::stoi(stem.substr(0, 2)) == f.number)
        L.index = static_cast<int>(i);
    }
  L.revealed = f.hold_back.empty() || f.revealed;
  if (apply_ui && !f.ui.empty()) {
    st.ui.scale = static_cast<float>(f.ui.value("scale", static_cast<double>(st.ui.scale)));
    const std::string theme = f.ui.value("theme", std::string(st.ui.high_contrast ? "contrast" : (st.ui.dark ? "dark" : "light")));
    st.ui.high_contrast = theme == "contrast";
    st.ui.dark = theme != "light";
    st.ui.presentation = f.ui.value("presentation", st.ui.presentation);
  }
}

std::string goto_scene(AppState& st, int index) {
  Lecture& L = st.lecture;
  if (L.deck.empty()) return "no lecture scenes (open one with --scene or File > Open)";
  index = std::clamp(index, 0, static_cast<int>(L.deck.size()) - 1);
  try {
    const scene::SceneFile f = scene::load_scene_file(L.deck[static_cast<size_t>(index)]);
    apply_scene(f, st, false);
    L.index = index;
    return "";
  } catch (const scene::SceneError& e) {
    return e.what();
  }
}

scene::SceneFile capture_session(const AppState& st, const nlohmann::json& ui) {
  const Lecture& L = st.lecture;
  scene::SceneFile f = L.current;
  f.source.clear();
  f.toy = st.scene;
  f.view = L.view;
  f.focus = L.focus;
  f.has_panels = true;
  f.panels.clear();
  for (const auto& p : st.panels)
    if (p->visible) f.panels.push_back(p->id());
  for (const auto& id : L.missing_panels) f.panels.push_back(id);
  f.panel_settings = nlohmann::json::object();
  for (const auto& p : st.panels) f.panel_settings[p->id()] = p->save();
  // Panels without settings write {}: keep the document short.
  for (auto it = f.panel_settings.begin(); it != f.panel_settings.end();)
    it = it.value().empty() ? f.panel_settings.erase(it) : std::next(it);
  f.revealed = L.revealed && !f.hold_back.empty();
  f.ui = ui;
  return f;
}

namespace {
/// Keeps the fields of `now` that differ from `base` (recursively for objects).
nlohmann::json diff_fields(const nlohmann::json& now, const nlohmann::json& base) {
  if (!now.is_object() || !base.is_object()) return now;
  nlohmann::json out = nlohmann::json::object();
  for (auto it = now.begin(); it != now.end(); ++it) {
    if (!base.contains(it.key())) {
      out[it.key()] = it.value();
    } else if (base.at(it.key()) != it.value()) {
      out[it.key()] = it.value().is_object() ? diff_fields(it.value(), base.at(it.key())) : it.value();
    }
  }
  return out;
}
}  // namespace

nlohmann::json compact_scene(const AppState& st) {
  nlohmann::json doc = scene::to_json(capture_session(st, nlohmann::json::object()));
  doc.erase("ui");
  doc.erase("mergelab_scene");
  // The toy against the defaults (apply_scene starts from them); panel settings against fresh panels.
  doc["toy"] = diff_fields(doc["toy"], nlohmann::json(SceneParams{}));
  doc["panel_settings"] = diff_fields(doc["panel_settings"], st.panel_defaults);
  for (const char* key : {"toy", "panel_settings", "hidden_controls", "hold_back"})
    if (doc[key].empty()) doc.erase(key);
  for (const char* key : {"title", "caption", "focus"})
    if (doc[key] == "") doc.erase(key);
  if (doc["number"] == 0) doc.erase("number");
  if (doc["revealed"] == false) doc.erase("revealed");
  return doc;
}

std::string parameter_caption(const AppState& st, const ToyScene::Point& pt) {
  const SceneParams& s = st.scene;
  char buf[512];
  const bool mlp = s.model == ModelKind::Mlp;
  const std::string model =
      s.view == ExplorerView::LabSlice
          ? std::string("Merge Lab 4-D slice")
          : (mlp ? "MLP 2-" + std::to_string(s.mlp.hidden) + "-1 (init seed " + std::to_string(s.mlp.init_seed) +
                       ", scale " + std::to_string(s.mlp.init_scale).substr(0, 4) + ")"
                 : std::string("logistic"));
  std::snprintf(buf, sizeof buf,
                "%s%s%s | %s, seed %u, n %d, lr %.3g, %d steps, %s init%s | %s t = %.3f | L1 %.3f  L2 %.3f  "
                "combined %.3f",
                st.lecture.current.number ? ("scene " + std::to_string(st.lecture.current.number) + " ").c_str() : "",
                st.lecture.current.title.c_str(), st.lecture.current.title.empty() ? "MergeLab" : "", model.c_str(),
                s.article.seed, s.article.samples, mlp ? s.mlp.lr : s.article.lr, mlp ? s.mlp.steps : s.article.steps,
                s.article.same_init ? "same" : "different",
                mlp && s.mlp_b_task == MlpBTask::Same ? ", B learns Task 1" : "", toy::path_kind_name(s.path), s.t,
                pt.loss1, pt.loss2, pt.loss1 + pt.loss2);
  return buf;
}

}  // namespace mergelab::app
