// Private to the explorer window (app/gui/gui_*.cpp): the pieces run_gui puts together.
//
//   gui_options.cpp     the command-line options, --help, the --scene presets, what to open at start
//   gui_theme.cpp       fonts, UI scale, themes, presentation view
//   gui_keys.cpp        keyboard shortcuts, dropped files, the shortcut overlay (F1)
//   gui_frame.cpp       one frame's window: menu, view bar, the page of panels, lecture chrome, popups, overlays
//   gui_automation.cpp  the headless hooks: --screenshot and exports, --state-json, --bench-frames, --bench-drag
//   gui_main.cpp        run_gui: window setup, the frame loop, what changes between frames
//
// Everything here runs on the frame thread; only the file jobs (ExplorerWindow::io_jobs) run on workers.
#pragma once

#include <imgui.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/gui/layout_report.h"
#include "app/gui/lecture.h"
#include "app/gui/panel.h"
#include "app/gui/scene.h"
#include "app/gui/workspace.h"

struct GLFWwindow;

namespace mergelab::app::gui_detail {

// ---- options (gui_options.cpp) --------------------------------------------------------------------

struct GuiOptions {
  std::string screenshot;  ///< PNG to write after `frames` frames, then exit
  std::string scene = "article";
  std::string session;     ///< session file to open
  std::string scene_code;  ///< "MLS1:..." to open
  int frames = 5;
  std::string state_json;  ///< written (atomically) whenever the dumped state changes
  int bench_frames = 0;    ///< > 0: run that many frames retraining every frame, print percentiles, exit
  std::string bench_drag;  ///< "PANEL.RECT": during --bench-frames, hold the mouse on that control and sweep it
  int width = 1600, height = 1000;
  float scale = 1.0f;
  bool light = false;
  bool presentation = false;  ///< start in presentation view
  bool fullscreen = true;     ///< presentation view takes the whole monitor
  bool reveal = false;        ///< start with held-back results shown
  bool caption = false;       ///< screenshot with the parameter caption
  bool overlay = false;       ///< start with the shortcut overlay open
  std::string panel_shot;     ///< --panel-screenshot: crop the screenshot to this panel
  std::string svg_prefix;     ///< write PREFIX_<plot>.svg with the screenshot
  std::string panels;         ///< comma-separated panel ids to show (default: all)
  std::string layout_sweep;   ///< --layout-sweep: every view and scene at every size, scale and look
};

/// The GUI options of argv (argv[0] skipped). Throws CliError for an unknown or malformed option.
GuiOptions parse_options(int argc, char** argv);

/// What to open: a session, a scene code, a lecture scene, or a preset. Bad input fails here, before any
/// window: prints one message naming the file and the field and returns false. An unknown --scene throws CliError.
bool open_start_scene(const GuiOptions& options, AppState& st);

/// --panels, --reveal and --panel-screenshot applied to the panels and the lecture. Throws CliError for an
/// unknown panel id.
void apply_panel_options(const GuiOptions& options, AppState& st);

// ---- fonts, scale and theme (gui_theme.cpp) -------------------------------------------------------

/// The UI scale presentation view starts at (a scene's ui.scale can ask for another).
constexpr float kPresentationScale = 1.75f;

/// Rebuilds the font atlas at the scale and resets the style; call between frames.
void apply_scale_and_theme(const UiSettings& ui, bool rebuild_fonts);

/// What F5 saves and restores.
struct WindowedState {
  int x = 0, y = 0, w = 0, h = 0;
  float scale = 1.0f;
  bool dark = true, high_contrast = false;
};

/// Enters or leaves presentation view: full screen (optional), large scale, high-contrast theme.
void set_presentation(GLFWwindow* win, UiSettings& ui, WindowedState& saved, bool on, bool fullscreen);

/// "dark", "light" or "contrast".
const char* theme_name(const UiSettings& ui);

// ---- keyboard shortcuts (gui_keys.cpp) ------------------------------------------------------------

struct KeyEvent {
  int key, mods;
};

/// Owned by the window; GLFW reaches it through the window user pointer.
struct KeyQueue {
  std::vector<KeyEvent> events;
  std::vector<std::string> dropped;  ///< paths dropped on the window (the ImGui backend has no drop callback)
};

/// Points the window's key and drop callbacks at `keys`. Call before the ImGui backend installs its own
/// callbacks: it chains to the ones installed before it.
void install_key_callbacks(GLFWwindow* win, KeyQueue& keys);

/// Requests a key makes of the window (things the key handler cannot do itself).
struct Requests {
  bool rebuild_fonts = false, theme = false;
  bool toggle_presentation = false;
  int goto_scene = -2;  ///< deck index to open (-2: none)
  bool save = false, open = false, export_png = false, copy_code = false, paste_code = false;
  bool quit_overlay = false;
};

/// What the shortcuts may look at: the previous frame's focus facts.
struct KeyContext {
  bool explorer_hovered = false;  ///< mouse over the Weight Space or Curves panel
  bool item_active = false;       ///< a slider (or other control) is being used
  bool popup_open = false;
  bool overlay = false;
};

/// Applies one key press to the state; what only the window can do goes into `requests`.
void apply_key(const KeyEvent& e, AppState& st, const KeyContext& context, Requests& requests);

/// The shortcut overlay (F1, ?): every key and what it does. `open` is cleared by its close button.
void draw_help_overlay(bool& open);

// ---- the window's state across frames (gui_main.cpp) ----------------------------------------------

/// What the window knows beyond the panels: for the state dump.
struct WindowFacts {
  int width = 0, height = 0;
  bool overlay = false;
  std::string message;
  std::string last_session, last_export, scene_code;
  std::map<std::string, ImVec4> panel_rects;
  bool winner_covered = false;
};

/// The file popups' fields (Save session, Open session, Export), kept from frame to frame.
struct FileDialogs {
  char save_path[512] = "mergelab-session.json", open_path[512] = "", export_path[512] = "mergelab-export.png";
  bool export_caption = true;
  std::string export_panel;
  bool export_now = false;  ///< capture at the end of this frame (caption drawn in it)
};

/// --bench-frames: what each frame cost, and the size of the last frame's draw data.
struct BenchRecord {
  std::vector<double> frame_ms, cpu_ms, main_ms;  ///< wall clock, process CPU, frame-loop thread CPU
  int last_vtx = 0, last_idx = 0;
};

/// Everything the window owns from its first frame to its last besides AppState; run_gui makes one, and each
/// step of a frame takes it.
struct ExplorerWindow {
  ExplorerWindow(const GuiOptions& options, AppState& st, Workspace& workspace, GLFWwindow* glfw);

  const GuiOptions& options;
  AppState& st;
  Workspace& workspace;
  GLFWwindow* glfw;
  const bool screenshot;  ///< --screenshot: fixed frame time, grids waited for
  const bool bench;       ///< --bench-frames
  ToyScene toy;
  WindowFacts facts;
  WindowedState windowed;  ///< what leaving presentation view restores
  KeyQueue keys;
  KeyContext key_context;  ///< the previous frame's focus facts
  FileDialogs dialogs;
  std::vector<std::future<std::string>> io_jobs;  ///< saves and exports being written; each returns its message
  BenchRecord bench_record;
  std::unique_ptr<LayoutSweep> sweep;  ///< --layout-sweep
  std::string last_state;              ///< the --state-json text last written
  double message_until = 0;            ///< glfwGetTime() until which the status message shows
  int frame = 0;                       ///< frames finished

  /// Shows `message` in the status line for 6 seconds (and on stderr, unless headless).
  void say(const std::string& message);
};

// ---- one frame's window (gui_frame.cpp) -----------------------------------------------------------

/// Menu actions the frame loop carries out.
struct MenuActions {
  bool scale_changed = false, theme_changed = false;
  Requests requests;
  bool overlay = false;
};

struct PageResult {
  bool explorer_hovered = false;
};

/// The full-window "##explorer" window: menu and view bar (not in presentation view), the page of panels, the
/// scene caption, and the Save / Open / Export popups the keys or the menu opened.
PageResult draw_main_window(ExplorerWindow& w, AppContext& ctx, const Requests& key_requests, MenuActions& menu);

/// What this frame captures at its end: the Export dialog's file, the --screenshot, or nothing.
struct Capture {
  bool export_now = false;
  bool screenshot_now = false;
  bool with_caption = false;  ///< the parameter caption is drawn under the captured area
  ImVec4 crop;                ///< window pixels x0, y0, x1, y1 (a panel, or the whole window)
};

/// Over the panels: the held-back winner's cover, the presentation corner title, the parameter caption of a
/// capture, the shortcut overlay and the status message.
void draw_overlays(ExplorerWindow& w, const AppContext& ctx, const Capture& capture);

// ---- the headless hooks (gui_automation.cpp) ------------------------------------------------------

/// CPU time of the whole process / of the calling thread, in ms.
double process_cpu_ms();
double thread_cpu_ms();

/// When a frame started, on the three clocks --bench-frames reports.
struct FrameTimer {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double cpu_start = process_cpu_ms(), main_start = thread_cpu_ms();
};
/// Adds the frame that started at `timer` to the record.
void record_frame(BenchRecord& record, const FrameTimer& timer);
/// The percentiles of the recorded frames (after 5 warm-up frames) on stdout.
void print_bench_report(const ExplorerWindow& w);

/// --bench-frames without --bench-drag: a new learning rate every frame (a slider drag) retrains both models.
void wobble_learning_rate(SceneParams& scene, int frame);

/// --bench-drag: from frame 3 on, the left button is held on the control PANEL.RECT (a rect the panel
/// publishes in its state) and the mouse sweeps across it, one new position per frame, as a hand would.
void bench_drag_mouse(const AppState& st, const std::string& target, int frame, ImGuiIO& io);

/// Whether this frame is captured (Export dialog, last --screenshot frame) and which area.
Capture plan_capture(const ExplorerWindow& w, ImVec2 display);

/// After the frame is rendered (framebuffer facts.width x facts.height): reads the captured pixels of the back
/// buffer now; encodes and writes the PNG (and the SVG plots) on a worker, or right here for --screenshot.
void write_capture(ExplorerWindow& w, const AppContext& ctx, const Capture& capture);

/// --state-json: rewrites the file (atomically) when the dumped state changed.
void write_state_json(ExplorerWindow& w, const AppContext& ctx);

}  // namespace mergelab::app::gui_detail
