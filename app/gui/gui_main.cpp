// The explorer window: GLFW + OpenGL 3.3 + Dear ImGui 1.86, views (pages) of panels, the menu, UI
// scale and themes, lecture mode (scenes, presentation view, reveal, help overlay), sessions, export,
// keyboard shortcuts, and the headless hooks (--screenshot, --state-json, --bench-frames).
//
// [SECTION] Options
// [SECTION] Fonts, scale and theme
// [SECTION] Keyboard shortcuts
// [SECTION] State dump and screenshots
// [SECTION] Menu, views and layout
// [SECTION] Lecture chrome: caption, title, reveal cover, help overlay, popups
// [SECTION] run_gui
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/gui/layout_report.h"
#include "app/gui/lecture.h"
#include "app/gui/palette.h"
#include "app/gui/panel.h"
#include "app/gui/scene.h"
#include "app/gui/svg.h"
#include "app/gui_entry.h"
#include "core/io/atomic_file.h"
#include "core/scene/scene_file.h"
#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"

namespace mergelab::app {

namespace {

using ImGuiCompat::em;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Options
// ---------------------------------------------------------------------------------------------------

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

const char* kHelp =
    "  --screenshot FILE.png   render --frames frames, write a PNG of the window and exit\n"
    "  --panel-screenshot ID   with --screenshot: only that panel (explorer, curves, merge_lab, ...)\n"
    "  --caption               with --screenshot: add a line with the parameters under the image\n"
    "  --export-svg PREFIX     with --screenshot: also write PREFIX_explorer.svg, PREFIX_curves.svg,\n"
    "                          PREFIX_bars.svg (the plots drawn from the same data)\n"
    "  --frames N              frames to render before the screenshot (default 5)\n"
    "  --scene NAME            a lecture scene: its number (1-9), its name (lerp_vs_slerp) or a scene\n"
    "                          file/folder of your own (PageUp/PageDown walk its folder); or a preset:\n"
    "                          article (default), midpoint, slerp, different-init, mlp-barrier,\n"
    "                          mlp-same-init, mlp-same-task, lab-slice\n"
    "  --session FILE          open a session file (File > Save session, Ctrl+S, writes one)\n"
    "  --scene-code CODE       open a scene code (MLS1:..., Edit > Copy scene code)\n"
    "  --presentation          start in presentation view (F5); --no-fullscreen keeps the window size\n"
    "  --reveal                start with the scene's held-back results shown (V)\n"
    "  --help-overlay          start with the shortcut overlay open (F1)\n"
    "  --state-json FILE       keep FILE updated with the state tests check (t, path, losses, ...)\n"
    "  --bench-frames N        run N frames retraining on every frame (a slider drag), print\n"
    "                          frame-time percentiles p50/p95/p99 and exit\n"
    "  --bench-drag PANEL.RECT with --bench-frames: the mouse holds that control (a rect of the\n"
    "                          panel's --state-json, e.g. merge_lab.alpha) and sweeps across it\n"
    "  --size WxH              window size in pixels (default 1600x1000)\n"
    "  --scale S               UI scale, 1.0 to 2.5 (default 1.0; keys + and - change it)\n"
    "  --light                 light theme (default dark; key T cycles dark, light, high contrast)\n"
    "  --panels ID,ID,...      show only these panels (explorer, curves, training, merge_lab, ...)\n"
    "  --layout-sweep FILE     draw every view and scene at 1280x720, 1600x1000, 1920x1080, scales\n"
    "                          1, 1.75, 2.5, window and presentation; write the layout audit, exit\n";

GuiOptions parse_options(int argc, char** argv) {
  GuiOptions o;
  auto value = [&](int& i, const std::string& name) -> std::string {
    if (i + 1 >= argc) throw CliError("option " + name + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--screenshot") {
      o.screenshot = value(i, a);
    } else if (a == "--frames") {
      o.frames = static_cast<int>(parse_int(a, value(i, a)));
      if (o.frames < 1) throw CliError("--frames must be >= 1");
    } else if (a == "--scene") {
      o.scene = value(i, a);
    } else if (a == "--session") {
      o.session = value(i, a);
    } else if (a == "--scene-code") {
      o.scene_code = value(i, a);
    } else if (a == "--state-json") {
      o.state_json = value(i, a);
    } else if (a == "--bench-frames") {
      o.bench_frames = static_cast<int>(parse_int(a, value(i, a)));
      if (o.bench_frames < 10) throw CliError("--bench-frames must be >= 10");
    } else if (a == "--bench-drag") {
      o.bench_drag = value(i, a);
      if (o.bench_drag.find('.') == std::string::npos) throw CliError("--bench-drag wants PANEL.RECT, e.g. merge_lab.alpha");
    } else if (a == "--size") {
      const std::string v = value(i, a);
      int w = 0, h = 0;
      char x = 0;
      if (std::sscanf(v.c_str(), "%d%c%d", &w, &x, &h) != 3 || (x != 'x' && x != 'X') || w < 320 || h < 240 ||
          w > 8192 || h > 8192)
        throw CliError("--size expects WxH, e.g. 1600x1000 (at least 320x240), got '" + v + "'");
      o.width = w, o.height = h;
    } else if (a == "--scale") {
      o.scale = static_cast<float>(parse_double(a, value(i, a)));
      if (!(o.scale >= 1.0f && o.scale <= 2.5f)) throw CliError("--scale must be between 1.0 and 2.5");
    } else if (a == "--layout-sweep") {
      o.layout_sweep = value(i, a);
    } else if (a == "--panels") {
      o.panels = value(i, a);
    } else if (a == "--light") {
      o.light = true;
    } else if (a == "--presentation") {
      o.presentation = true;
    } else if (a == "--no-fullscreen") {
      o.fullscreen = false;
    } else if (a == "--reveal") {
      o.reveal = true;
    } else if (a == "--help-overlay") {
      o.overlay = true;
    } else if (a == "--caption") {
      o.caption = true;
    } else if (a == "--panel-screenshot") {
      o.panel_shot = value(i, a);
    } else if (a == "--export-svg") {
      o.svg_prefix = value(i, a);
    } else {
      throw CliError("unknown option '" + a + "' (see mergelab --help)");
    }
  }
  if ((!o.panel_shot.empty() || o.caption || !o.svg_prefix.empty()) && o.screenshot.empty())
    throw CliError("--panel-screenshot, --caption and --export-svg go with --screenshot FILE.png");
  return o;
}

/// The presets of --scene (before lecture scenes existed; kept for scripts and tests).
bool scene_preset(const std::string& name, SceneParams& p) {
  p = SceneParams{};
  if (name == "article") {
  } else if (name == "midpoint") {
    p.t = 0.5;
  } else if (name == "slerp") {
    p.path = toy::PathKind::Slerp;
    p.t = 0.5;
  } else if (name == "different-init") {
    p.article.same_init = false;
    p.t = 0.5;
  } else if (name == "mlp-barrier") {
    p.model = ModelKind::Mlp;
    p.article.same_init = false;
    p.field = HeatField::Task2;
    p.t = 0.5;
  } else if (name == "mlp-same-init") {
    p.model = ModelKind::Mlp;
    p.field = HeatField::Task2;
    p.t = 0.5;
  } else if (name == "mlp-same-task") {
    p.model = ModelKind::Mlp;
    p.mlp_b_task = MlpBTask::Same;
    p.mlp.init_seed = 3;
    p.article.same_init = false;
    p.t = 0.5;
  } else if (name == "lab-slice") {
    p.view = ExplorerView::LabSlice;
    p.t = 0.5;
  } else {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Fonts, scale and theme
// ---------------------------------------------------------------------------------------------------

constexpr float kBaseFontPx = 16.0f;
constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr float kPresentationScale = 1.75f;

/// Rebuilds the font atlas at the scale and resets the style; call between frames.
void apply_scale_and_theme(const UiSettings& ui, bool rebuild_fonts) {
  ImGuiIO& io = ImGui::GetIO();
  if (rebuild_fonts) {
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    const float px = std::round(kBaseFontPx * ui.scale);
    const ImWchar* kRanges = ui_glyph_ranges();
    if (std::filesystem::exists(kFontPath)) {
      io.Fonts->AddFontFromFileTTF(kFontPath, px, &cfg, kRanges);
    } else {
      cfg.SizePixels = px;  // fonts-dejavu-core missing: ImGui's built-in font, scaled
      io.Fonts->AddFontDefault(&cfg);
    }
    io.Fonts->Build();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  ImGuiStyle style;
  if (ui.high_contrast || ui.dark)
    ImGui::StyleColorsDark(&style);
  else
    ImGui::StyleColorsLight(&style);
  if (ui.high_contrast) {
    // Black ground, white ink, yellow focus: readable on a washed-out projector.
    ImVec4* c = style.Colors;
    // Child windows stay transparent: glClear paints the black (full-screen fills cost under software GL).
    c[ImGuiCol_WindowBg] = c[ImGuiCol_PopupBg] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.8f, 0.8f, 0.8f, 1);
    c[ImGuiCol_Border] = ImVec4(0.75f, 0.75f, 0.75f, 1);
    c[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.18f, 0.18f, 1);
    c[ImGuiCol_Header] = c[ImGuiCol_Button] = ImVec4(0.0f, 0.35f, 0.6f, 1);
    c[ImGuiCol_SliderGrab] = c[ImGuiCol_CheckMark] = ImVec4(0.94f, 0.89f, 0.26f, 1);
    c[ImGuiCol_SliderGrab].w = 0.6f;  // white value text stays readable over the handle
    c[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.08f);
  }
  style.WindowRounding = 0.0f;
  style.ChildRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.ItemSpacing = ImVec2(8, 5);
  style.GrabMinSize = 6.0f;  // a thin slider handle leaves the value text readable
  if (ui.presentation) style.ChildBorderSize = 2.0f;
  style.ScaleAllSizes(ui.scale);
  ImGui::GetStyle() = style;
}

/// What F5 saves and restores.
struct WindowedState {
  int x = 0, y = 0, w = 0, h = 0;
  float scale = 1.0f;
  bool dark = true, high_contrast = false;
};

/// Enters or leaves presentation view: full screen (optional), large scale, high-contrast theme.
void set_presentation(GLFWwindow* win, UiSettings& ui, WindowedState& saved, bool on, bool fullscreen) {
  if (on) {
    glfwGetWindowPos(win, &saved.x, &saved.y);
    glfwGetWindowSize(win, &saved.w, &saved.h);
    saved.scale = ui.scale, saved.dark = ui.dark, saved.high_contrast = ui.high_contrast;
    if (fullscreen) {
      if (GLFWmonitor* mon = glfwGetPrimaryMonitor()) {
        const GLFWvidmode* mode = glfwGetVideoMode(mon);
        glfwSetWindowMonitor(win, mon, 0, 0, mode->width, mode->height, mode->refreshRate);
      }
    }
    ui.presentation = true;
    ui.scale = std::max(ui.scale, kPresentationScale);
    ui.high_contrast = true;
    ui.dark = true;
  } else {
    if (glfwGetWindowMonitor(win)) glfwSetWindowMonitor(win, nullptr, saved.x, saved.y, saved.w, saved.h, 0);
    ui.presentation = false;
    ui.scale = saved.scale, ui.dark = saved.dark, ui.high_contrast = saved.high_contrast;
  }
}

const char* theme_name(const UiSettings& ui) { return ui.high_contrast ? "contrast" : (ui.dark ? "dark" : "light"); }

// ---------------------------------------------------------------------------------------------------
// [SECTION] Keyboard shortcuts
// ---------------------------------------------------------------------------------------------------

struct KeyEvent {
  int key, mods;
};

/// Owned by run_gui; GLFW reaches it through the window user pointer.
struct KeyQueue {
  std::vector<KeyEvent> events;
  std::vector<std::string> dropped;  ///< paths dropped on the window (the ImGui backend has no drop callback)
};

void drop_callback(GLFWwindow* win, int count, const char** paths) {
  if (auto* q = static_cast<KeyQueue*>(glfwGetWindowUserPointer(win)))
    for (int i = 0; i < count; ++i) q->dropped.emplace_back(paths[i]);
}

void key_callback(GLFWwindow* win, int key, int, int action, int mods) {
  if (action == GLFW_RELEASE) return;
  if (auto* q = static_cast<KeyQueue*>(glfwGetWindowUserPointer(win))) q->events.push_back({key, mods});
}

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

/// The seed after `seed` in the re-roll sequence (deterministic, so a re-roll can be replayed).
uint32_t next_seed(uint32_t seed) { return (seed * 1664525u + 1013904223u) % 1000u; }

void apply_key(const KeyEvent& e, AppState& st, const KeyContext& kc, Requests& rq) {
  SceneParams& s = st.scene;
  UiSettings& ui = st.ui;
  Lecture& L = st.lecture;
  const bool ctrl = e.mods & GLFW_MOD_CONTROL, shift = e.mods & GLFW_MOD_SHIFT;
  if (kc.popup_open) return;  // the popup's own keys (Enter, Esc) are ImGui's
  if (ctrl) {
    switch (e.key) {
      case GLFW_KEY_S: rq.save = true; break;
      case GLFW_KEY_O: rq.open = true; break;
      case GLFW_KEY_E: rq.export_png = true; break;
      case GLFW_KEY_C: if (shift) rq.copy_code = true; break;
      case GLFW_KEY_V: if (shift) rq.paste_code = true; break;
      default: break;
    }
    return;
  }
  auto nudge = [&](int dir) {
    const double step = shift ? 0.1 : 0.01;
    s.t = std::clamp(std::round((s.t + dir * step) * 1000.0) / 1000.0, 0.0, 1.0);
    s.point_on_path = true;
  };
  switch (e.key) {
    case GLFW_KEY_F1: rq.quit_overlay = true; break;
    case GLFW_KEY_SLASH: if (shift) rq.quit_overlay = true; break;
    case GLFW_KEY_ESCAPE:
      if (kc.overlay)
        rq.quit_overlay = true;
      else if (ui.presentation)
        rq.toggle_presentation = true;
      else
        L.focus.clear();
      break;
    case GLFW_KEY_F5: rq.toggle_presentation = true; break;
    case GLFW_KEY_EQUAL:
    case GLFW_KEY_KP_ADD:
      ui.scale = std::min(2.5f, ui.scale + 0.25f);
      rq.rebuild_fonts = true;
      break;
    case GLFW_KEY_MINUS:
    case GLFW_KEY_KP_SUBTRACT:
      ui.scale = std::max(1.0f, ui.scale - 0.25f);
      rq.rebuild_fonts = true;
      break;
    // Scene navigation. PageDown/PageUp (what clickers send) always; the arrows in presentation view
    // unless the mouse is over the explorer or the curves (there they move t, as in the window).
    case GLFW_KEY_PAGE_DOWN: rq.goto_scene = L.index + 1; break;
    case GLFW_KEY_PAGE_UP: rq.goto_scene = std::max(0, L.index - 1); break;
    case GLFW_KEY_HOME: rq.goto_scene = 0; break;
    case GLFW_KEY_RIGHT:
    case GLFW_KEY_LEFT: {
      if (kc.item_active) break;
      const int dir = e.key == GLFW_KEY_RIGHT ? 1 : -1;
      if (ui.presentation && !kc.explorer_hovered)
        rq.goto_scene = std::max(0, L.index + dir);
      else
        nudge(dir);
      break;
    }
    case GLFW_KEY_1: case GLFW_KEY_2: case GLFW_KEY_3: case GLFW_KEY_4: case GLFW_KEY_5:
    case GLFW_KEY_6: case GLFW_KEY_7: case GLFW_KEY_8: case GLFW_KEY_9:
      rq.goto_scene = e.key - GLFW_KEY_1;
      break;
    case GLFW_KEY_V:
    case GLFW_KEY_ENTER:
    case GLFW_KEY_KP_ENTER: L.revealed = !L.revealed || L.current.hold_back.empty(); break;
    // Demos.
    case GLFW_KEY_SPACE:
      s.replay_playing = !s.replay_playing;
      if (s.replay_playing && s.replay_progress >= 1.0) s.replay_progress = 0.0;
      break;
    case GLFW_KEY_R:
      if (shift) {  // re-roll: new data and inits
        s.article.seed = next_seed(s.article.seed);
        s.mlp.init_seed = next_seed(s.mlp.init_seed);
      }
      s.replay_progress = 0.0;  // the training animation from its first step (same seed)
      s.replay_playing = false;
      break;
    case GLFW_KEY_L: s.path = s.path == toy::PathKind::Lerp ? toy::PathKind::Slerp : toy::PathKind::Lerp; break;
    case GLFW_KEY_S: s.path = toy::PathKind::Slerp; break;
    case GLFW_KEY_F: s.free_point = !s.free_point, s.point_on_path = true; break;
    case GLFW_KEY_M: s.model = s.model == ModelKind::Logistic ? ModelKind::Mlp : ModelKind::Logistic; break;
    case GLFW_KEY_D: s.article.same_init = !s.article.same_init; break;
    case GLFW_KEY_B: s.mlp_b_task = s.mlp_b_task == MlpBTask::Other ? MlpBTask::Same : MlpBTask::Other; break;
    case GLFW_KEY_H: s.field = static_cast<HeatField>((static_cast<int>(s.field) + 1) % 3); break;
    case GLFW_KEY_T:
      // dark -> light -> high contrast -> dark
      if (ui.high_contrast)
        ui.high_contrast = false, ui.dark = true;
      else if (ui.dark)
        ui.dark = false;
      else
        ui.high_contrast = true, ui.dark = true;
      rq.theme = true;
      break;
    default: break;
  }
}

struct Shortcut {
  const char* keys;
  const char* what;
};
constexpr Shortcut kShortcuts[] = {
    {"PageDown / PageUp", "next / previous scene (always; what presentation clickers send)"},
    {"Right / Left", "presentation view: next / previous scene; window, or mouse over the explorer or the "
                     "curves: t +- 0.01 (Shift: 0.1)"},
    {"1 ... 9", "jump to scene 1 ... 9"},
    {"Home", "first scene"},
    {"V or Enter", "reveal (or hide again) what the scene holds back: loss minimum, barrier, winner"},
    {"F5", "presentation view on/off (full screen, large text, thick lines, high contrast)"},
    {"F1 or ?", "this overlay;  Esc closes it, leaves presentation view, or ends the panel focus"},
    {"Space", "play / pause the training animation"},
    {"R / Shift+R", "reset the animation (same seed) / re-roll the seeds (new data and inits)"},
    {"L", "toggle LERP / SLERP  (S: SLERP)"},
    {"F", "free merge point (leaves the path)"},
    {"M / D / B", "logistic or MLP / same or different init / MLP's B learns Task 2 or Task 1 too"},
    {"H", "heat map: Task 1, Task 2, Combined"},
    {"+ / -", "UI scale (fonts rebuilt);  T: dark, light, high-contrast theme"},
    {"Ctrl+S / Ctrl+O", "save / open a session file"},
    {"Ctrl+E", "export PNG (window or one panel, optional parameter caption) and SVG plots"},
    {"Ctrl+Shift+C / V", "copy the scene code to the clipboard / open the code on the clipboard"},
};

// ---------------------------------------------------------------------------------------------------
// [SECTION] State dump and screenshots
// ---------------------------------------------------------------------------------------------------

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

nlohmann::json vec(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

/// --bench-drag: from frame 3 on, the left button is held on the control PANEL.RECT (a rect the panel
/// publishes in its state) and the mouse sweeps across it, one new position per frame, as a hand would.
void bench_drag_mouse(const AppState& st, const std::string& target, int frame, ImGuiIO& io) {
  const std::string panel = target.substr(0, target.find('.')), rect = target.substr(target.find('.') + 1);
  for (const auto& p : st.panels) {
    if (panel != p->id()) continue;
    const nlohmann::json s = p->state();
    if (!s.is_object() || !s.contains("rects") || !s["rects"].contains(rect)) return;
    const auto& r = s["rects"][rect];
    const float x0 = r[0].get<float>(), y0 = r[1].get<float>(), x1 = r[2].get<float>(), y1 = r[3].get<float>();
    const float f = 0.1f + 0.8f * (0.5f + 0.5f * std::sin(static_cast<float>(frame) * 0.21f));
    io.MousePos = ImVec2(frame < 3 ? x0 + 0.5f * (x1 - x0) : x0 + f * (x1 - x0), 0.5f * (y0 + y1));
    io.MouseDown[0] = frame >= 3;
    return;
  }
}

/// What the window knows beyond the panels: for the state dump.
struct WindowFacts {
  int width = 0, height = 0;
  bool overlay = false;
  std::string message;
  std::string last_session, last_export, scene_code;
  std::map<std::string, ImVec4> panel_rects;
  bool winner_covered = false;
};

nlohmann::json state_json(const AppContext& ctx, const AppState& st, const WindowFacts& wf) {
  const auto& s = ctx.scene;
  const auto& toy = ctx.toy;
  const auto& pt = ctx.point;
  const toy::PathKind other = s.path == toy::PathKind::Lerp ? toy::PathKind::Slerp : toy::PathKind::Lerp;
  nlohmann::json j = {
      {"scene", s},
      {"t", s.t},
      {"path", toy::path_kind_name(s.path)},
      {"mode", s.free_point ? "free" : "snap"},
      {"on_path", !s.free_point || s.point_on_path},
      {"model", s.view == ExplorerView::LabSlice ? "lab" : (s.model == ModelKind::Mlp ? "mlp" : "logistic")},
      {"loss1", pt.loss1},
      {"loss2", pt.loss2},
      {"combined", pt.loss1 + pt.loss2},
      {"acc1", pt.acc1},
      {"acc2", pt.acc2},
      {"point", vec(pt.w)},
      {"point_ab", {pt.ab[0], pt.ab[1]}},
      {"point_norm", pt.norm},
      {"w_a", vec(toy.w_a())},
      {"w_b", vec(toy.w_b())},
      {"w_init", vec(toy.init_a())},
      {"active_path_norm_at_t", toy::path_point(toy.w_a(), toy.w_b(), s.path, s.t).norm()},
      {"other_path_norm_at_t", toy::path_point(toy.w_a(), toy.w_b(), other, s.t).norm()},
      {"barrier_lerp", toy.curves(toy::PathKind::Lerp).barrier},
      {"ui_scale", ctx.ui.scale},
      {"theme", theme_name(ctx.ui)},
      {"presentation", ctx.ui.presentation},
      {"retrain_count", toy.retrain_count()},
      {"grid_pending", toy.grid_pending()},
  };
  nlohmann::json vis = nlohmann::json::object(), settings = nlohmann::json::object();
  for (const auto& p : st.panels) {
    vis[p->id()] = p->visible;
    settings[p->id()] = p->save();
    if (auto ps = p->state(); !ps.is_null()) j[p->id()] = std::move(ps);
  }
  j["panels"] = vis;
  j["layout_audit"] = layout_audit_json();
  j["panel_settings"] = settings;
  const Lecture& L = st.lecture;
  nlohmann::json rects = nlohmann::json::object();
  for (const auto& [id, r] : wf.panel_rects) rects[id] = {r.x, r.y, r.z, r.w};
  j["lecture"] = {{"deck_size", L.deck.size()},
                  {"index", L.index},
                  {"number", L.current.number},
                  {"title", L.current.title},
                  {"caption", L.current.caption},
                  {"source", L.current.source},
                  {"view", L.view},
                  {"focus", L.focus},
                  {"hidden_controls", L.current.hidden_controls},
                  {"hold_back", L.current.hold_back},
                  {"revealed", L.revealed},
                  {"missing_panels", L.missing_panels},
                  {"winner_covered", wf.winner_covered}};
  j["window"] = {{"size", {wf.width, wf.height}},
                 {"overlay", wf.overlay},
                 {"message", wf.message},
                 {"last_session", wf.last_session},
                 {"last_export", wf.last_export},
                 {"scene_code", wf.scene_code},
                 {"panel_rects", rects}};
  if (ctx.explorer_visible) {
    const auto& f = ctx.explorer_frame;
    auto screen = [&](const Eigen::VectorXd& w) {
      const Eigen::Vector2d ab = toy.plane().project(w);
      const ImVec2 q = f.ToScreen(ab[0], ab[1]);
      return nlohmann::json{q.x, q.y};
    };
    j["canvas"] = {{"rect", {f.p0.x, f.p0.y, f.p1.x, f.p1.y}},
                   {"data", {f.x0, f.x1, f.y0, f.y1}},
                   {"w_a", screen(toy.w_a())},
                   {"w_b", screen(toy.w_b())},
                   {"point", screen(pt.w)}};
  }
  return j;
}

/// Pixels of the back buffer (x, y, w, h in window pixels from the top-left), rows top first.
std::vector<unsigned char> read_pixels(int fb_h, int x, int y, int w, int h) {
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * 4), flipped(px.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(x, fb_h - y - h, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  const size_t stride = static_cast<size_t>(w) * 4;
  for (int r = 0; r < h; ++r)
    std::memcpy(flipped.data() + static_cast<size_t>(r) * stride, px.data() + static_cast<size_t>(h - 1 - r) * stride,
                stride);
  for (size_t k = 3; k < flipped.size(); k += 4) flipped[k] = 255;
  return flipped;
}

/// Encodes and writes a PNG through a temporary file. Returns a message for the status line.
std::string write_png_file(const std::string& path, std::vector<unsigned char> px, int w, int h) {
  std::string png;
  const auto append = [](void* to, void* data, int n) { static_cast<std::string*>(to)->append(static_cast<char*>(data), n); };
  if (!stbi_write_png_to_func(append, &png, w, h, 4, px.data(), w * 4)) throw std::runtime_error("cannot encode '" + path + "'");
  io::write_file_atomic(path, png);
  return "wrote " + path + " (" + std::to_string(w) + "x" + std::to_string(h) + ")";
}

/// What an export writes, captured on the frame thread; written by a worker.
struct ExportJob {
  std::string png_path;
  std::vector<unsigned char> pixels;
  int w = 0, h = 0;
  std::vector<std::pair<std::string, std::string>> svgs;  ///< path, text
};

std::string run_export(ExportJob job) {
  std::string msg = write_png_file(job.png_path, std::move(job.pixels), job.w, job.h);
  for (const auto& [path, text] : job.svgs) {
    io::write_file_atomic(path, text);
    msg += ", " + path;
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Menu, views and layout
// ---------------------------------------------------------------------------------------------------

void help_marker(const char* text) {
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGuiCompat::em(28.0f));
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

/// Menu actions the frame loop carries out.
struct MenuActions {
  bool scale_changed = false, theme_changed = false;
  Requests rq;
  bool overlay = false;
};

void draw_menu(AppState& st, MenuActions& a) {
  UiSettings& ui = st.ui;
  Lecture& L = st.lecture;
  if (!ImGui::BeginMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Save session...", "Ctrl+S")) a.rq.save = true;
    if (ImGui::MenuItem("Open session or scene...", "Ctrl+O")) a.rq.open = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Export PNG / SVG...", "Ctrl+E")) a.rq.export_png = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Edit")) {
    if (ImGui::MenuItem("Copy scene code", "Ctrl+Shift+C")) a.rq.copy_code = true;
    if (ImGui::MenuItem("Paste scene code", "Ctrl+Shift+V")) a.rq.paste_code = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (auto& p : st.panels) {
      char label[96];
      std::snprintf(label, sizeof label, "%s  (%s)", p->title(), view_title(panel_view(*p)));
      ImGui::MenuItem(label, nullptr, &p->visible);
    }
    ImGui::Separator();
    if (ImGui::BeginMenu("Focus on")) {
      if (ImGui::MenuItem("No focus (all panels of the view)", "Esc", L.focus.empty())) L.focus.clear();
      for (auto& p : st.panels)
        if (ImGui::MenuItem(p->title(), nullptr, L.focus == p->id())) {
          L.focus = p->id();
          p->visible = true;
          L.view = panel_view(*p);
        }
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Presentation view", "F5", ui.presentation)) a.rq.toggle_presentation = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Dark theme", "T", ui.dark && !ui.high_contrast))
      ui.dark = true, ui.high_contrast = false, a.theme_changed = true;
    if (ImGui::MenuItem("Light theme", "T", !ui.dark && !ui.high_contrast))
      ui.dark = false, ui.high_contrast = false, a.theme_changed = true;
    if (ImGui::MenuItem("High-contrast theme", "T", ui.high_contrast))
      ui.dark = true, ui.high_contrast = true, a.theme_changed = true;
    ImGui::Separator();
    for (float sc : {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f}) {
      char label[32];
      std::snprintf(label, sizeof label, "UI scale %d%%", static_cast<int>(sc * 100 + 0.5f));
      if (ImGui::MenuItem(label, nullptr, std::abs(ui.scale - sc) < 0.01f)) ui.scale = sc, a.scale_changed = true;
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Lecture")) {
    for (size_t i = 0; i < L.deck.size(); ++i) {
      const std::string stem = std::filesystem::path(L.deck[i]).stem().string();
      if (ImGui::MenuItem(stem.c_str(), i < 9 ? std::to_string(i + 1).c_str() : nullptr,
                          static_cast<int>(i) == L.index))
        a.rq.goto_scene = static_cast<int>(i);
    }
    if (L.deck.empty()) ImGui::TextDisabled("no scenes found in %s", builtin_scene_dir().c_str());
    ImGui::Separator();
    if (ImGui::MenuItem("Reveal held-back result", "V", L.revealed, !L.current.hold_back.empty()))
      L.revealed = !L.revealed;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keyboard shortcuts", "F1")) a.overlay = true;
    ImGui::EndMenu();
  }
  ImGui::TextDisabled("  scale %d%%  |  F1 shortcuts, F5 presentation", int(ui.scale * 100 + 0.5f));
  ImGui::EndMenuBar();
}

/// The views that have something to show, in order.
std::vector<std::string> views_present(const AppState& st) {
  std::vector<std::string> out;
  auto add = [&](const std::string& v) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  for (const auto& v : scene::known_views()) {
    bool any = false;
    for (const auto& p : st.panels) any |= panel_view(*p) == v;
    for (const auto& id : st.lecture.missing_panels) any |= panel_view(id) == v;
    if (any || v == st.lecture.view) add(v);
  }
  for (const auto& p : st.panels) add(panel_view(*p));
  return out;
}

/// The row under the menu: one tab per view, and the scene navigator on the right.
void draw_view_bar(AppState& st, Requests& rq) {
  Lecture& L = st.lecture;
  for (const auto& v : views_present(st)) {
    const bool on = v == L.view;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(view_title(v))) L.view = v, L.focus.clear();
    if (on) ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  if (!L.deck.empty()) {
    char label[200];
    if (L.index < 0)
      std::snprintf(label, sizeof label, "lecture: %zu scenes (PageDown starts)", L.deck.size());
    else
      std::snprintf(label, sizeof label, "%d / %zu  %s", L.current.number ? L.current.number : L.index + 1,
                    L.deck.size(), L.current.title.c_str());
    const float w = ImGui::CalcTextSize(label).x + em(5.0f);
    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + em(1.0f), ImGui::GetWindowContentRegionMax().x - w));
    if (ImGui::ArrowButton("##prev_scene", ImGuiDir_Left)) rq.goto_scene = std::max(0, L.index - 1);
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next_scene", ImGuiDir_Right)) rq.goto_scene = L.index + 1;
  } else {
    ImGui::NewLine();
  }
}

struct PageResult {
  bool explorer_hovered = false;
};

/// One panel in a child window of the given size, with its header.
void draw_panel_child(Panel& p, AppContext& ctx, ImVec2 size, AppState& st, WindowFacts& wf, PageResult& pr) {
  ImGui::BeginChild(p.id(), size, true);
  Widgets::LayoutAudit::BeginPanel(p.id());
  const ImVec2 r0 = ImGui::GetWindowPos();
  wf.panel_rects[p.id()] = ImVec4(r0.x, r0.y, r0.x + size.x, r0.y + size.y);
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows | ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      (std::strcmp(p.id(), "explorer") == 0 || std::strcmp(p.id(), "curves") == 0))
    pr.explorer_hovered = true;
  ImGui::TextUnformatted(p.title());
  if (!st.ui.presentation) {
    ImGui::SameLine();
    help_marker(p.help());
    const bool focused = st.lecture.focus == p.id();
    const char* btn = focused ? "Show all" : "Focus";
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(btn).x -
                    ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::SmallButton(btn)) st.lecture.focus = focused ? "" : p.id();
  }
  ImGui::Separator();
  p.draw(ctx);
  Widgets::LayoutAudit::EndPanel();
  ImGui::EndChild();
}

/// A panel the scene names but this build lacks (the Checkpoints panel before it lands).
void draw_placeholder(const std::string& id, const Lecture& L, ImVec2 size) {
  ImGui::BeginChild(("##missing_" + id).c_str(), size, true);
  ImGui::TextUnformatted(view_title(panel_view(id)));
  ImGui::Separator();
  ImGui::Dummy(ImVec2(0, em(1.0f)));
  ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x);
  ImGui::TextWrapped("The %s panel is not in this build yet: this scene is told from the command line (the "
                     "caption below says how).", view_title(panel_view(id)));
  if (L.current.caption.empty()) ImGui::TextWrapped("Try: mergelab --help");
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
}

/// The page: the focused panel alone, or the view's visible panels. Explorer: two columns (left:
/// column-0 panels, right: column-1 panels, heights by weight). Other views: the first panel on top,
/// the others side by side below it.
PageResult draw_page(AppState& st, AppContext& ctx, ImVec2 avail, WindowFacts& wf) {
  PageResult pr;
  Lecture& L = st.lecture;
  Panel* focus = nullptr;
  for (auto& p : st.panels)
    if (p->id() == L.focus && p->visible) focus = p.get();
  if (focus) {
    L.view = panel_view(*focus);
    draw_panel_child(*focus, ctx, avail, st, wf, pr);
    return pr;
  }
  std::vector<Panel*> shown;
  for (auto& p : st.panels)
    if (p->visible && panel_view(*p) == L.view) shown.push_back(p.get());
  std::vector<std::string> missing;
  for (const auto& id : L.missing_panels)
    if (panel_view(id) == L.view) missing.push_back(id);
  if (shown.empty() && missing.empty()) {
    ImGui::TextWrapped("Every panel of the %s view is hidden: show one from the View menu.", view_title(L.view));
    return pr;
  }
  if (shown.empty()) {
    draw_placeholder(missing.front(), L, avail);
    return pr;
  }
  const float gap = ImGui::GetStyle().ItemSpacing.x, vgap = ImGui::GetStyle().ItemSpacing.y;
  if (L.view == "explorer") {
    std::vector<Panel*> cols[2];
    for (Panel* p : shown) cols[std::clamp(p->column(), 0, 1)].push_back(p);
    const bool both = !cols[0].empty() && !cols[1].empty();
    const float w0 = both ? std::floor(avail.x * 0.55f) : avail.x;
    for (int c = 0; c < 2; ++c) {
      if (cols[c].empty()) continue;
      const float width = (both && c == 1) ? avail.x - w0 - gap : (both ? w0 : avail.x);
      if (both && c == 1) ImGui::SameLine(0, gap);
      ImGui::BeginGroup();
      float total = 0;
      for (Panel* p : cols[c]) total += p->weight();
      const float h_avail = avail.y - vgap * (cols[c].size() - 1);
      for (Panel* p : cols[c])
        draw_panel_child(*p, ctx, ImVec2(width, std::floor(h_avail * p->weight() / total)), st, wf, pr);
      ImGui::EndGroup();
    }
    return pr;
  }
  // Other views: first panel on top, the rest in one row below.
  const size_t below = shown.size() - 1;
  float w_below = 0.0f;  // the top panel's share: its weight against the heaviest panel below
  for (size_t i = 1; i < shown.size(); ++i) w_below = std::max(w_below, shown[i]->weight());
  const float top_h = below ? std::floor((avail.y - vgap) * std::clamp(shown[0]->weight() / (shown[0]->weight() + w_below), 0.3f, 0.8f)) : avail.y;
  draw_panel_child(*shown[0], ctx, ImVec2(avail.x, top_h), st, wf, pr);
  if (below) {
    const float w = std::floor((avail.x - gap * (below - 1)) / below);
    for (size_t i = 1; i < shown.size(); ++i) {
      if (i > 1) ImGui::SameLine(0, gap);
      draw_panel_child(*shown[i], ctx, ImVec2(w, avail.y - top_h - vgap), st, wf, pr);
    }
  }
  return pr;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Lecture chrome: caption, title, reveal cover, help overlay, popups
// ---------------------------------------------------------------------------------------------------

/// Height the caption band needs at this width (0 without a caption).
float caption_height(const Lecture& L, float width) {
  if (L.current.caption.empty()) return 0.0f;
  const float pad = ImGui::GetStyle().WindowPadding.y;
  float h = ImGui::CalcTextSize(L.current.caption.c_str(), nullptr, false, width - 2 * pad).y + 2 * pad;
  if (!L.revealed) h += ImGui::GetTextLineHeightWithSpacing();
  return h;
}

void draw_caption(const Lecture& L, float width, float height) {
  if (height <= 0) return;
  ImGui::BeginChild("##caption", ImVec2(width, height), true, ImGuiWindowFlags_NoScrollbar);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(L.current.caption.c_str());
  ImGui::PopTextWrapPos();
  if (!L.revealed) ImGui::TextColored(ImVec4(0.94f, 0.89f, 0.26f, 1.0f), "Predict first, then press V to reveal.");
  ImGui::EndChild();
}

/// Presentation view: "3 / 9  LERP vs SLERP" in the top-right corner, small and dim.
void draw_corner_title(const Lecture& L, ImVec2 display) {
  if (L.current.title.empty()) return;
  char label[200];
  std::snprintf(label, sizeof label, "%d / %zu   %s", L.current.number ? L.current.number : L.index + 1,
                std::max<size_t>(L.deck.size(), 1), L.current.title.c_str());
  ImFont* font = ImGui::GetFont();
  const float size = ImGui::GetFontSize();  // readable from the back row
  const ImVec2 ts = font->CalcTextSizeA(size, FLT_MAX, 0.0f, label);
  const ImVec2 pos(display.x - ts.x - em(0.8f), em(0.3f));
  ImGui::GetForegroundDrawList()->AddText(font, size, pos, IM_COL32(235, 235, 235, 255), label);
}

/// Hides the Merge Lab leaderboard rows (and the recommendation under them) until the reveal.
bool cover_winner(const AppState& st, const WindowFacts& wf) {
  for (const auto& p : st.panels) {
    if (std::strcmp(p->id(), "merge_lab") != 0 || !p->visible) continue;
    const nlohmann::json ps = p->state();
    if (!ps.is_object() || !ps.contains("rects")) return false;
    float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
    for (auto it = ps["rects"].begin(); it != ps["rects"].end(); ++it) {
      if (it.key().rfind("row_", 0) != 0) continue;
      const auto& r = it.value();
      x0 = std::min(x0, r[0].get<float>()), y0 = std::min(y0, r[1].get<float>());
      x1 = std::max(x1, r[2].get<float>()), y1 = std::max(y1, r[3].get<float>());
    }
    if (x1 < x0) return false;
    y1 += ImGui::GetTextLineHeightWithSpacing() * 1.2f;  // the recommendation line
    if (const auto it = wf.panel_rects.find("merge_lab"); it != wf.panel_rects.end()) {
      // Rows scrolled out of the panel stay covered by the panel itself.
      const ImVec4 pr = it->second;
      x0 = std::max(x0, pr.x), y0 = std::max(y0, pr.y), x1 = std::min(x1, pr.z), y1 = std::min(y1, pr.w - em(0.3f));
      if (y1 <= y0) return true;
    }
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImU32 bg = ImGui::GetColorU32(ImGuiCol_WindowBg);
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(std::max(x1, x0 + em(20.0f)), y1), bg | 0xFF000000);
    dl->AddRect(ImVec2(x0, y0), ImVec2(std::max(x1, x0 + em(20.0f)), y1), IM_COL32(240, 228, 66, 255), 0, 0, 2.0f);
    const char* msg = "Which method wins? Predict, then press V.";
    const ImVec2 ts = ImGui::CalcTextSize(msg);
    dl->AddText(ImVec2(x0 + em(1.0f), (y0 + y1 - ts.y) * 0.5f), IM_COL32(240, 228, 66, 255), msg);
    return true;
  }
  return false;
}

void draw_help_overlay(bool& open) {
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always,
                          ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.96f);
  ImGui::Begin("Keyboard shortcuts  (F1, ? or Esc closes)", &open,
               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoMove);
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupColumn("Keys", ImGuiTableColumnFlags_WidthFixed, em(11.0f));
    ImGui::TableSetupColumn("Action", ImGuiTableColumnFlags_WidthFixed, em(40.0f));
    for (const auto& s : kShortcuts) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(s.keys);
      ImGui::TableSetColumnIndex(1);
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + em(40.0f));
      ImGui::TextUnformatted(s.what);
      ImGui::PopTextWrapPos();
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("Mouse: drag the gold merge point on the weight-space canvas; hover plots for read-outs.");
  ImGui::End();
}

/// A modal with one path field. Returns true on OK/Enter (path in `buf`).
bool path_popup(const char* name, const char* prompt, char* buf, size_t n, bool* caption = nullptr,
                std::string* panel = nullptr, const std::vector<std::unique_ptr<Panel>>* panels = nullptr) {
  bool ok = false;
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::BeginPopupModal(name, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(prompt);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(em(32.0f));
    if (ImGui::InputText("##path", buf, n, ImGuiInputTextFlags_EnterReturnsTrue)) ok = true;
    if (caption) ImGui::Checkbox("Caption with the parameters under the image", caption);
    if (panel && panels) {
      ImGui::SetNextItemWidth(em(16.0f));
      if (ImGui::BeginCombo("What", panel->empty() ? "the whole window" : panel->c_str())) {
        if (ImGui::Selectable("the whole window", panel->empty())) panel->clear();
        for (const auto& p : *panels)
          if (p->visible && ImGui::Selectable(p->id(), *panel == p->id())) *panel = p->id();
        ImGui::EndCombo();
      }
    }
    if (ImGui::Button("OK") || ok) {
      ok = true;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  return ok && buf[0];
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] run_gui
// ---------------------------------------------------------------------------------------------------

const char* gui_help() { return kHelp; }

int run_gui(int argc, char** argv) {
  const GuiOptions opt = parse_options(argc, argv);
  SceneParams scene;
  UiSettings ui;
  ui.scale = opt.scale;
  ui.dark = !opt.light;
  Lecture lecture;
  Workspace workspace;  // before the panels: it outlives them
  auto panels = make_panels();
  for (auto& p : panels) p->attach(workspace);
  nlohmann::json panel_defaults = nlohmann::json::object();
  for (const auto& p : panels) panel_defaults[p->id()] = p->save();
  AppState st{scene, ui, panels, lecture, panel_defaults};

  // What to open: a session, a scene code, a lecture scene, or a preset. Bad input fails here,
  // before any window, with one message naming the file and the field.
  try {
    lecture.deck = scene::list_scene_files(builtin_scene_dir());
    if (!opt.session.empty()) {
      apply_scene(scene::load_scene_file(opt.session), st, true);
    } else if (!opt.scene_code.empty()) {
      apply_scene(scene::parse_scene(scene::decode_scene_code(opt.scene_code), "scene code"), st, true);
    } else if (!scene_preset(opt.scene, scene)) {
      std::vector<std::string> deck;
      const std::string file = resolve_scene_arg(opt.scene, deck);
      if (file.empty())
        throw CliError("unknown --scene '" + opt.scene +
                       "' (a scene number 1-9, a scene name, a scene file or folder, or a preset: article, "
                       "midpoint, slerp, different-init, mlp-barrier, mlp-same-init, mlp-same-task, lab-slice)");
      lecture.deck = deck;
      apply_scene(scene::load_scene_file(file), st, false);
      lecture.index = static_cast<int>(std::find(deck.begin(), deck.end(), file) - deck.begin());
    }
  } catch (const scene::SceneError& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    return 1;
  }
  if (!opt.panels.empty()) {
    std::vector<std::string> ids;
    std::stringstream list(opt.panels);
    for (std::string id; std::getline(list, id, ',');)
      if (!id.empty()) ids.push_back(id);
    for (const auto& id : ids)
      if (std::none_of(panels.begin(), panels.end(), [&](const auto& p) { return id == p->id(); }))
        throw CliError("--panels: unknown panel '" + id + "'");
    for (auto& p : panels) p->visible = std::find(ids.begin(), ids.end(), p->id()) != ids.end();
    for (const auto& p : panels)  // the first listed panel's own view
      if (!ids.empty() && ids.front() == p->id()) lecture.view = panel_view(*p), lecture.focus.clear();
  }
  if (opt.reveal) lecture.revealed = true;
  for (const auto& p : panels)
    if (!opt.panel_shot.empty() && opt.panel_shot == p->id()) p->visible = true;
  if (!opt.panel_shot.empty() &&
      std::none_of(panels.begin(), panels.end(), [&](const auto& p) { return opt.panel_shot == p->id(); }))
    throw CliError("--panel-screenshot: unknown panel '" + opt.panel_shot + "'");

  const char* display = std::getenv("DISPLAY");
  if (!display || !*display) {
    std::cerr << "mergelab: error: no display (DISPLAY is not set). The explorer needs an X server; "
                 "headless, run it under Xvfb:\n  xvfb-run -a -s '-screen 0 1920x1080x24' mergelab "
                 "[options]\nThe headless commands need none: see mergelab --help.\n";
    return 1;
  }
  glfwSetErrorCallback([](int code, const char* msg) { std::cerr << "mergelab: GLFW error " << code << ": " << msg << "\n"; });
  if (!glfwInit()) {
    std::cerr << "mergelab: error: cannot open the display '" << display
              << "' (glfwInit failed); headless, use xvfb-run -a -s '-screen 0 1920x1080x24' mergelab\n";
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  GLFWwindow* win = glfwCreateWindow(opt.width, opt.height, "MergeLab", nullptr, nullptr);
  if (!win) {
    std::cerr << "mergelab: error: cannot create an OpenGL 3.3 window\n";
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);

  // App shortcuts first: the ImGui backend chains to a callback installed before it.
  KeyQueue keys;
  glfwSetWindowUserPointer(win, &keys);
  glfwSetKeyCallback(win, key_callback);
  glfwSetDropCallback(win, drop_callback);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  WindowedState windowed;
  const bool start_presentation = opt.presentation || ui.presentation;
  ui.presentation = false;
  if (start_presentation) {
    set_presentation(win, ui, windowed, true, opt.fullscreen);
    if (lecture.current.ui.contains("scale") && opt.session.empty()) {
      ui.scale = static_cast<float>(lecture.current.ui.value("scale", static_cast<double>(kPresentationScale)));
    }
  }
  apply_scale_and_theme(ui, true);

  ToyScene toy;
  WindowFacts wf;
  wf.overlay = opt.overlay;
  KeyContext kc;
  std::string last_state;
  std::vector<double> frame_ms, cpu_ms, main_ms;
  std::vector<std::future<std::string>> io_jobs;
  int frame = 0;
  int last_vtx = 0, last_idx = 0;
  const bool screenshot = !opt.screenshot.empty();
  const bool bench = opt.bench_frames > 0;
  int rc = 0;
  double message_until = 0;
  char save_path[512] = "mergelab-session.json", open_path[512] = "", export_path[512] = "mergelab-export.png";
  bool export_caption = true;
  std::string export_panel;
  bool export_now = false;  ///< capture at the end of this frame (caption drawn in it)
  std::unique_ptr<LayoutSweep> sweep;
  if (!opt.layout_sweep.empty()) sweep = std::make_unique<LayoutSweep>(opt.layout_sweep, st);
  const SweepHooks sweep_hooks{[&](int w, int h) { glfwSetWindowSize(win, w, h); }, [&](float sc, bool pres) {
    if (pres != ui.presentation) set_presentation(win, ui, windowed, pres, false);
    ui.scale = sc;
    apply_scale_and_theme(ui, true);
  }};
  auto say = [&](const std::string& m) {
    wf.message = m;
    message_until = glfwGetTime() + 6.0;
    if (!screenshot && !bench) std::cerr << "mergelab: " << m << "\n";
  };

  try {
    while (!glfwWindowShouldClose(win)) {
      const auto t_start = std::chrono::steady_clock::now();
      const double cpu_start = process_cpu_ms(), main_start = thread_cpu_ms();
      glfwPollEvents();

      // Shortcuts (not while typing into a text field).
      Requests rq;
      kc.overlay = wf.overlay;
      for (const KeyEvent& e : keys.events)
        if (!io.WantTextInput) apply_key(e, st, kc, rq);
      keys.events.clear();
      for (auto& path : keys.dropped) workspace.dropped.push_back(std::move(path));
      keys.dropped.clear();

      // Finished file jobs.
      for (auto it = io_jobs.begin(); it != io_jobs.end();) {
        if (it->wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
          try {
            say(it->get());
          } catch (const std::exception& e) {
            say(std::string("error: ") + e.what());
          }
          it = io_jobs.erase(it);
        } else {
          ++it;
        }
      }

      if (bench && opt.bench_drag.empty()) {  // a slider drag: a new learning rate every frame retrains both models
        const double wobble = 1.0 + 0.2 * std::sin(frame * 0.37);
        if (scene.model == ModelKind::Mlp)
          scene.mlp.lr = 0.5 * wobble;
        else
          scene.article.lr = 0.1 * wobble;
      }

      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      if (bench && !opt.bench_drag.empty()) bench_drag_mouse(st, opt.bench_drag, frame, io);
      ImGui::NewFrame();
      Widgets::LayoutAudit::BeginFrame();

      const bool interacting = ImGui::IsAnyItemActive() || bench;
      toy.update(scene, interacting, screenshot);
      AppContext ctx{scene, toy, ui, toy.point(scene), screenshot || bench,
                     screenshot ? 1.0 / 60.0 : std::max(1e-3, static_cast<double>(io.DeltaTime))};
      ctx.hidden_controls = &lecture.current.hidden_controls;
      ctx.hold_back = &lecture.current.hold_back;
      ctx.revealed = lecture.revealed;
      ctx.benchmark = bench;
      ctx.workspace = &workspace;

      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(io.DisplaySize);
      ImGui::Begin("##explorer", nullptr,
                   ImGuiWindowFlags_NoDecoration | (ui.presentation ? 0 : ImGuiWindowFlags_MenuBar) |
                       ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground);
      MenuActions menu;
      if (!ui.presentation) {
        draw_menu(st, menu);
        draw_view_bar(st, menu.rq);
      }
      wf.panel_rects.clear();
      const ImVec2 avail = ImGui::GetContentRegionAvail();
      const float cap_h = caption_height(lecture, avail.x);
      const float vgap = ImGui::GetStyle().ItemSpacing.y;
      const PageResult pr =
          draw_page(st, ctx, ImVec2(avail.x, std::max(em(8.0f), avail.y - (cap_h > 0 ? cap_h + vgap : 0.0f))), wf);
      draw_caption(lecture, avail.x, cap_h);

      // Popups (opened by keys or the menu).
      Requests& mrq = menu.rq;
      if (rq.save || mrq.save) ImGui::OpenPopup("Save session");
      if (rq.open || mrq.open) ImGui::OpenPopup("Open session");
      if (rq.export_png || mrq.export_png) ImGui::OpenPopup("Export");
      if (path_popup("Save session", "Session file (JSON; the whole state, reopen with --session FILE):", save_path,
                     sizeof save_path)) {
        const std::string path = save_path;
        nlohmann::json ui_json = {{"scale", ui.presentation ? windowed.scale : ui.scale},
                                  {"theme", ui.presentation ? (windowed.high_contrast ? "contrast" : (windowed.dark ? "dark" : "light"))
                                                            : theme_name(ui)},
                                  {"presentation", ui.presentation}};
        const std::string text = scene::to_json(capture_session(st, ui_json)).dump(2) + "\n";
        wf.last_session = path;
        io_jobs.push_back(std::async(std::launch::async, [path, text] {
          io::write_file_atomic(path, text);
          return "saved session " + path;
        }));
      }
      if (path_popup("Open session", "Session or scene file to open:", open_path, sizeof open_path)) {
        try {
          const bool was = ui.presentation;
          const UiSettings before = ui;
          apply_scene(scene::load_scene_file(open_path), st, true);
          if (was) {  // keep the presentation look; the session's own look applies when leaving it
            windowed.scale = ui.scale, windowed.dark = ui.dark, windowed.high_contrast = ui.high_contrast;
            const bool want = ui.presentation;
            ui = before;
            menu.rq.toggle_presentation = !want;
          } else if (ui.presentation) {
            ui.presentation = false;
            menu.rq.toggle_presentation = true;
          }
          menu.scale_changed = true;
          say(std::string("opened ") + open_path);
        } catch (const scene::SceneError& e) {
          say(std::string("error: ") + e.what());
        }
      }
      if (path_popup("Export", "PNG file (SVGs of the plots are written beside it, same name + _explorer.svg, ...):",
                     export_path, sizeof export_path, &export_caption, &export_panel, &panels))
        export_now = true;
      // Any modal, the window's or a panel's: its Enter and Esc are its own, not the lecture's.
      kc.popup_open = ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel);
      ImGui::End();

      // Overlays: held-back winner, corner title, parameter caption for exports, help, messages.
      wf.winner_covered = ctx.holds_back("winner") && cover_winner(st, wf);
      if (ui.presentation) draw_corner_title(lecture, io.DisplaySize);
      const bool shot_now = screenshot && frame + 1 >= opt.frames;
      const bool with_caption = (export_now && export_caption) || (shot_now && opt.caption);
      const std::string shot_panel = export_now ? export_panel : (shot_now ? opt.panel_shot : "");
      ImVec4 crop(0, 0, io.DisplaySize.x, io.DisplaySize.y);
      if (!shot_panel.empty() && wf.panel_rects.count(shot_panel)) crop = wf.panel_rects[shot_panel];
      if (with_caption) {
        const std::string cap = parameter_caption(st, ctx.point);
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        const float h = ImGui::GetTextLineHeight() * 1.5f;
        const float wrap = crop.z - crop.x - em(1.0f);
        const ImVec2 ts = ImGui::CalcTextSize(cap.c_str(), nullptr, false, wrap);
        const float top = crop.w - std::max(h, ts.y + em(0.5f));
        dl->AddRectFilled(ImVec2(crop.x, top), ImVec2(crop.z, crop.w), IM_COL32(0, 0, 0, 235));
        dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(crop.x + em(0.5f), top + em(0.25f)),
                    IM_COL32(255, 255, 255, 255), cap.c_str(), nullptr, wrap);
      }
      bool overlay_open = wf.overlay;
      if (overlay_open) draw_help_overlay(overlay_open);
      wf.overlay = overlay_open;
      if (!wf.message.empty() && glfwGetTime() < message_until && !screenshot) {
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        const ImVec2 ts = ImGui::CalcTextSize(wf.message.c_str());
        const ImVec2 p(em(0.5f), io.DisplaySize.y - ts.y - em(0.8f));
        dl->AddRectFilled(ImVec2(p.x - em(0.3f), p.y - em(0.2f)), ImVec2(p.x + ts.x + em(0.3f), p.y + ts.y + em(0.2f)),
                          IM_COL32(20, 20, 20, 230));
        dl->AddText(p, wf.message.rfind("error", 0) == 0 ? IM_COL32(255, 120, 100, 255) : IM_COL32(255, 255, 255, 255),
                    wf.message.c_str());
      }

      // Controls may have changed the scene: bring the derived results up to date for the dump.
      toy.update(scene, interacting, screenshot);
      ctx.point = toy.point(scene);

      ImGui::Render();
      Widgets::LayoutAudit::ScanMissingGlyphs(ImGui::GetDrawData(), ImGui::GetFont());
      int fw = 0, fh = 0;
      glfwGetFramebufferSize(win, &fw, &fh);
      glViewport(0, 0, fw, fh);
      const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
      glClearColor(bg.x, bg.y, bg.z, 1.0f);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      last_vtx = ImGui::GetDrawData()->TotalVtxCount;
      last_idx = ImGui::GetDrawData()->TotalIdxCount;
      wf.width = fw, wf.height = fh;

      // Exports: pixels now (this frame holds the caption), encoding and writing on a worker.
      if (export_now || shot_now) {
        const int x0 = std::clamp(static_cast<int>(crop.x), 0, fw), y0 = std::clamp(static_cast<int>(crop.y), 0, fh);
        const int x1 = std::clamp(static_cast<int>(crop.z), x0 + 1, fw), y1 = std::clamp(static_cast<int>(crop.w), y0 + 1, fh);
        ExportJob job;
        job.png_path = export_now ? std::string(export_path) : opt.screenshot;
        job.w = x1 - x0, job.h = y1 - y0;
        job.pixels = read_pixels(fh, x0, y0, job.w, job.h);
        std::string prefix = export_now ? job.png_path : opt.svg_prefix;
        if (export_now && prefix.size() > 4 && prefix.substr(prefix.size() - 4) == ".png")
          prefix = prefix.substr(0, prefix.size() - 4);
        if (!prefix.empty()) {
          const palette::Palette& pal = palette::get(ui.high_contrast);
          job.svgs.emplace_back(prefix + "_explorer.svg", svg_weight_space(toy, scene, ctx.point, pal));
          job.svgs.emplace_back(prefix + "_curves.svg", svg_curves(toy, scene, pal));
          for (const auto& p : panels)
            if (std::strcmp(p->id(), "merge_lab") == 0 && p->visible)
              job.svgs.emplace_back(prefix + "_bars.svg", svg_leaderboard_bars(p->state()));
        }
        wf.last_export = job.png_path;
        if (shot_now) {
          std::cout << "mergelab: " << run_export(std::move(job)) << "\n";
        } else {
          io_jobs.push_back(std::async(std::launch::async, run_export, std::move(job)));
        }
        export_now = false;
      }

      if (!opt.state_json.empty()) {
        const std::string s = state_json(ctx, st, wf).dump(1);
        if (s != last_state) {
          io::write_file_atomic(opt.state_json, s);
          last_state = s;
        }
      }
      ++frame;
      if (shot_now || (sweep && !sweep->after_frame(st, fw, fh, sweep_hooks))) break;
      glfwSwapBuffers(win);

      // Between frames: window changes the keys and the menu asked for.
      if (menu.overlay || rq.quit_overlay) wf.overlay = !wf.overlay;
      const int target = rq.goto_scene != -2 ? rq.goto_scene : menu.rq.goto_scene;
      bool scene_scale = false;
      if (target != -2 && !lecture.deck.empty()) {
        if (target >= static_cast<int>(lecture.deck.size())) {
          say("last scene");
        } else if (const std::string err = goto_scene(st, target); !err.empty()) {
          say("error: " + err);
        } else {
          scene_scale = true;
        }
      }
      if (rq.copy_code || menu.rq.copy_code) {
        wf.scene_code = scene::encode_scene_code(compact_scene(st));
        glfwSetClipboardString(win, wf.scene_code.c_str());
        say("scene code copied to the clipboard (" + std::to_string(wf.scene_code.size()) + " characters)");
      }
      if (rq.paste_code || menu.rq.paste_code) {
        const char* clip = glfwGetClipboardString(win);
        try {
          apply_scene(scene::parse_scene(scene::decode_scene_code(clip ? clip : ""), "scene code"), st, false);
          say("opened the scene code from the clipboard");
        } catch (const scene::SceneError& e) {
          say(std::string("error: ") + e.what());
        }
      }
      bool rebuild = rq.rebuild_fonts || menu.scale_changed;
      bool theme = rq.theme || menu.theme_changed;
      if (rq.toggle_presentation || menu.rq.toggle_presentation) {
        set_presentation(win, ui, windowed, !ui.presentation, opt.fullscreen);
        rebuild = scene_scale = true;
      }
      // A scene may ask for its own presentation scale (a dense panel reads better a little smaller).
      if (scene_scale && ui.presentation) {
        const float want = static_cast<float>(lecture.current.ui.value("scale", static_cast<double>(kPresentationScale)));
        if (std::abs(want - ui.scale) > 1e-3) ui.scale = want, rebuild = true;
      }
      if (rebuild || theme) apply_scale_and_theme(ui, rebuild);

      const auto t_end = std::chrono::steady_clock::now();
      if (bench) {
        frame_ms.push_back(std::chrono::duration<double, std::milli>(t_end - t_start).count());
        cpu_ms.push_back(process_cpu_ms() - cpu_start);
        main_ms.push_back(thread_cpu_ms() - main_start);
        if (frame >= opt.bench_frames) break;
      }
      kc.explorer_hovered = pr.explorer_hovered;
      kc.item_active = ImGui::IsAnyItemActive();
    }
  } catch (const std::exception& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    rc = 1;
  }
  for (auto& j : io_jobs) {  // finish pending saves before leaving
    try {
      std::cerr << "mergelab: " << j.get() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "mergelab: error: " << e.what() << "\n";
    }
  }

  if (bench && rc == 0) {
    // Drop the first frames (font atlas, first grids) from the statistics.
    std::vector<double> v(frame_ms.begin() + std::min<size_t>(5, frame_ms.size()), frame_ms.end());
    std::sort(v.begin(), v.end());
    auto pct = [&](double q) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
    std::printf("frames %zu (after 5 warm-up), %dx%d, scene %s, retraining every frame (%d retrains, %d grids), "
                "%d vertices / %d indices per frame\n",
                v.size(), wf.width, wf.height, opt.scene.c_str(), toy.retrain_count(), toy.grid_version(), last_vtx,
                last_idx);
    std::printf("frame time ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", pct(0.50), pct(0.95), pct(0.99),
                v.empty() ? 0.0 : v.back());
    // CPU time of the whole process (all llvmpipe threads, the grid worker) per frame.
    v.assign(cpu_ms.begin() + std::min<size_t>(5, cpu_ms.size()), cpu_ms.end());
    std::sort(v.begin(), v.end());
    std::printf("process CPU ms per frame: p50 %.2f  p95 %.2f  p99 %.2f\n", pct(0.50), pct(0.95), pct(0.99));
    // CPU time of the frame loop's own thread: what a frame costs without the GL rasteriser's threads
    // and the grid worker.
    v.assign(main_ms.begin() + std::min<size_t>(5, main_ms.size()), main_ms.end());
    std::sort(v.begin(), v.end());
    std::printf("frame-loop thread CPU ms per frame: p50 %.2f  p95 %.2f  p99 %.2f\n", pct(0.50), pct(0.95), pct(0.99));
    std::fflush(stdout);
  }

  if (glfwGetWindowMonitor(win)) glfwSetWindowMonitor(win, nullptr, 0, 0, opt.width, opt.height, 0);
  panels.clear();  // GL textures go before the context
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win);
  glfwTerminate();
  return rc;
}

}  // namespace mergelab::app
