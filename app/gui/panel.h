// The panel protocol of the explorer window.
//
// A panel is one file in app/panels/: a small class with its own state and a draw() that fills the
// child window the layout gives it (the window owns begin/end, the title bar and the help marker).
// It registers itself with a PanelRegistrar, so adding a panel is one new file:
//
//   class MyPanel : public Panel { ... };
//   static PanelRegistrar reg{40, [] { return std::make_unique<MyPanel>(); }};
//
// Panels share the toy scene through AppContext; their own settings are saved in the session JSON
// under id() through save()/load().
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/gui/scene.h"
#include "app/gui/workspace.h"
#include "widgets/plot_frame.h"

namespace mergelab::app {

/// Window-wide settings (View menu, keyboard + and -, theme, presentation view).
struct UiSettings {
  float scale = 1.0f;           ///< 1.0 .. 2.5, fonts are rebuilt at 16 px * scale
  bool dark = true;             ///< dark or light theme (the high-contrast theme is dark)
  bool high_contrast = false;   ///< black background, white text, Okabe-Ito colours (colour-blind safe)
  bool presentation = false;    ///< F5: full screen, large scale, thick lines, hidden controls
  /// Line widths multiply by this (2 in presentation view; integers stay cheap under software GL).
  float line_scale() const { return presentation ? 2.0f : 1.0f; }
};

/// What a panel may read and change during a frame.
struct AppContext {
  SceneParams& scene;
  ToyScene& toy;
  UiSettings& ui;
  ToyScene::Point point;         ///< the merge point of this frame (after the scene update)
  bool screenshot_mode = false;  ///< no changing text (timings), deterministic animation
  double dt = 1.0 / 60.0;        ///< seconds since the last frame (fixed in screenshot mode)
  /// The explorer canvas of this frame (screen <-> data), published for the state dump and tests.
  Widgets::PlotFrame explorer_frame{};
  bool explorer_visible = false;
  /// The lecture scene's hidden controls (hidden in presentation view only) and held-back results
  /// (hidden until the reveal key). Names: core/scene/scene_file.h known_hidden_controls/hold_backs.
  const std::vector<std::string>* hidden_controls = nullptr;
  const std::vector<std::string>* hold_back = nullptr;
  bool revealed = true;
  /// --bench-frames: screenshot_mode is set too (no changing text), but background work is not waited for.
  bool benchmark = false;
  /// The window's workspace (app/gui/workspace.h): what panels hand one another.
  Workspace* workspace = nullptr;

  /// True when the control group `name` ("explorer.controls", ...) is hidden now.
  bool hides(const char* name) const {
    if (!ui.presentation || !hidden_controls) return false;
    for (const auto& h : *hidden_controls)
      if (h == name) return true;
    return false;
  }
  /// True when the result `name` ("loss_minimum", "barrier", "winner") is held back now.
  bool holds_back(const char* name) const {
    if (revealed || !hold_back) return false;
    for (const auto& h : *hold_back)
      if (h == name) return true;
    return false;
  }
};

class Panel {
 public:
  virtual ~Panel() = default;
  virtual const char* id() const = 0;     ///< stable key: menu, JSON, --state-json ("explorer")
  virtual const char* title() const = 0;  ///< shown in the panel header and the View menu
  virtual const char* help() const = 0;   ///< one paragraph behind the header's "(?)"
  /// Layout column (0 left, 1 right) and relative height inside the column.
  virtual int column() const { return 1; }
  virtual float weight() const { return 1.0f; }
  virtual void draw(AppContext& ctx) = 0;
  /// Called once by the window, before the first frame, with the workspace it owns (it outlives the panel).
  virtual void attach(Workspace&) {}
  virtual nlohmann::json save() const { return nlohmann::json::object(); }
  virtual void load(const nlohmann::json&) {}
  /// What --state-json shows for this panel (numbers tests check, rects of controls); null: nothing.
  virtual nlohmann::json state() const { return nullptr; }
  /// The view (page) the panel belongs to: "explorer", "merge_lab", "checkpoints", ... nullptr: chosen
  /// by the window from the panel id (unknown ids go to "checkpoints").
  virtual const char* view() const { return nullptr; }

  bool visible = true;
};

using PanelFactory = std::function<std::unique_ptr<Panel>()>;

/// Registers a panel factory; panels are laid out in increasing `order`.
struct PanelRegistrar {
  PanelRegistrar(int order, PanelFactory factory);
};

/// One instance of every registered panel, sorted by order.
std::vector<std::unique_ptr<Panel>> make_panels();

}  // namespace mergelab::app
