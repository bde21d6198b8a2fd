// The layout audit as the window reports it: the top-level "layout_audit" list of --state-json, the
// font's glyph ranges (every character the UI draws), and --layout-sweep, which walks every view and
// every lecture scene at three window sizes, three UI scales, in the window and in presentation view,
// in one process, and writes what the audit recorded for each combination as one JSON file.
#pragma once

#include <imgui.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mergelab::app {

struct AppState;

/// Widgets::LayoutAudit's entries of the last frame: [{panel, item, what, detail}], empty when clean.
nlohmann::json layout_audit_json();

/// Glyph ranges for the UI font: Latin-1, Latin Extended-A, Greek, punctuation, super/subscripts,
/// arrows, maths, geometric shapes and U+FFFD (the fallback the audit looks for).
const ImWchar* ui_glyph_ranges();

/// One combination of the sweep.
struct SweepCase {
  int width = 1600, height = 1000;
  float scale = 1.0f;
  bool presentation = false;
  std::string view;  ///< a view with every panel shown ("explorer", ...), or "" for a scene
  int scene = -1;    ///< deck index of a lecture scene, or -1 for a view
  std::string name() const;
  /// The size and look a user starts with (1600x1000, scale 1, window): controls must all be visible.
  bool is_default() const { return width == 1600 && height == 1000 && scale == 1.0f && !presentation; }
};

/// What the sweep needs the window to do (only the window can resize itself or rebuild fonts).
struct SweepHooks {
  std::function<void(int w, int h)> resize;
  std::function<void(float scale, bool presentation)> look;
};

class LayoutSweep {
 public:
  LayoutSweep(std::string out_path, const AppState& st);
  /// After a frame is drawn (framebuffer size fb_w x fb_h): records the audit once the case has
  /// settled, then applies the next case. Returns false when every case is done and the file written.
  bool after_frame(AppState& st, int fb_w, int fb_h, const SweepHooks& hooks);

 private:
  void apply(AppState& st, const SweepHooks& hooks);
  std::string out_;
  std::vector<SweepCase> cases_;
  size_t index_ = 0;
  int frames_ = -1;  ///< frames drawn in the current case (-1: not applied yet)
  int sized_at_ = 0; ///< the frame the window last had another size
  nlohmann::json results_ = nlohmann::json::array();
};

}  // namespace mergelab::app
