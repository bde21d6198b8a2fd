// Lecture mode: the deck of scene files, applying a scene to the live state, capturing the live state
// as a session (or a compact scene code), and the views (pages) panels live on.
//
// A scene fully determines what it shows: the toy starts from the defaults and takes the scene's
// fields, every panel not named in panel_settings goes back to its defaults, and the visible panels
// are exactly the listed ones. So a scene (or a session, or a scene code) always comes out the same.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/gui/panel.h"
#include "core/scene/scene_file.h"

namespace mergelab::app {

struct Lecture {
  std::vector<std::string> deck;  ///< scene files, in lecture order
  int index = -1;                 ///< current scene in the deck (-1: none)
  scene::SceneFile current;       ///< the last applied scene: title, caption, hidden controls, hold back
  bool revealed = true;           ///< held-back results shown (true when nothing is held back)
  std::string view = "explorer";  ///< the page on screen
  std::string focus;              ///< panel filling the page ("" none)
  std::vector<std::string> missing_panels;  ///< named by the scene but not in this build (placeholders)
};

/// Everything a scene sets, by reference.
struct AppState {
  SceneParams& scene;
  UiSettings& ui;
  std::vector<std::unique_ptr<Panel>>& panels;
  Lecture& lecture;
  const nlohmann::json& panel_defaults;  ///< id -> save() of a fresh panel
};

/// The built-in scenes' folder (MERGELAB_ASSETS env var, else the source tree's assets/), + "/scenes".
std::string builtin_scene_dir();

/// The page a panel lives on: its view() or, by id, explorer | merge_lab | checkpoints.
std::string panel_view(const Panel& p);
std::string panel_view(const std::string& id);
/// Display name of a view ("Explorer", "Merge Lab", "Checkpoints").
const char* view_title(const std::string& view);

/// --scene ARG: a number 1..99 or a file stem of a built-in scene, or a path to a scene file (or a
/// folder of scene files: its first one). Returns the file and fills `deck` with the file's folder;
/// returns "" when ARG is none of these (a preset name). Throws scene::SceneError for a missing path.
std::string resolve_scene_arg(const std::string& arg, std::vector<std::string>& deck);

/// Applies a parsed scene. `apply_ui`: also the ui block (sessions). Never throws on a valid scene.
void apply_scene(const scene::SceneFile& f, AppState& st, bool apply_ui);
/// Loads deck[index]; on error returns the message (and changes nothing), else "".
std::string goto_scene(AppState& st, int index);

/// The whole live state as a session (every field set; ui given separately by the window).
scene::SceneFile capture_session(const AppState& st, const nlohmann::json& ui);
/// The fields of a session that differ from a fresh start (no ui): the compact scene code's payload.
nlohmann::json compact_scene(const AppState& st);

/// The line of parameters printed under exported images.
std::string parameter_caption(const AppState& st, const ToyScene::Point& pt);

}  // namespace mergelab::app
