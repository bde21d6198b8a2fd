// The explorer window: GLFW + OpenGL 3.3 + Dear ImGui 1.86, views (pages) of panels, the menu, UI
// scale and themes, lecture mode (scenes, presentation view, reveal, help overlay), sessions, export,
// keyboard shortcuts, and the headless hooks (--screenshot, --state-json, --bench-frames).
//
// This file sets the window up and runs the frame loop; the pieces it calls are declared in
// app/gui/gui_internal.h:
//
// [SECTION] Window setup       create_window, init_imgui, apply_start_look, close_window
// [SECTION] Frame steps        input, the panels' context, rendering, what the keys and the menu asked for
// [SECTION] The frame loop     run_frame (one frame, step by step), run_frames
// [SECTION] run_gui
//
// Elsewhere: options and --help (gui_options.cpp), fonts, scale, theme and presentation view
// (gui_theme.cpp), keyboard shortcuts and their overlay (gui_keys.cpp), menu, views and layout, lecture
// chrome, popups and overlays (gui_frame.cpp), state dump, screenshots and benchmarks (gui_automation.cpp).
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <future>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/gui_internal.h"
#include "app/gui_entry.h"
#include "core/scene/scene_file.h"
#include "widgets/layout_audit.h"

namespace mergelab::app {

namespace gui_detail {

ExplorerWindow::ExplorerWindow(const GuiOptions& options, AppState& st, Workspace& workspace, GLFWwindow* glfw)
    : options(options),
      st(st),
      workspace(workspace),
      glfw(glfw),
      screenshot(!options.screenshot.empty()),
      bench(options.bench_frames > 0) {
  facts.overlay = options.overlay;
  if (!options.layout_sweep.empty()) sweep = std::make_unique<LayoutSweep>(options.layout_sweep, st);
}

void ExplorerWindow::say(const std::string& message) {
  facts.message = message;
  message_until = glfwGetTime() + 6.0;
  if (!screenshot && !bench) std::cerr << "mergelab: " << message << "\n";
}

namespace {

// ---------------------------------------------------------------------------------------------------
// [SECTION] Window setup
// ---------------------------------------------------------------------------------------------------

/// The GLFW window with a current OpenGL 3.3 core context. Without a display or OpenGL 3.3: prints why
/// (and how to run headless) and returns nullptr.
GLFWwindow* create_window(const GuiOptions& opt) {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display) {
    std::cerr << "mergelab: error: no display (DISPLAY is not set). The explorer needs an X server; "
                 "headless, run it under Xvfb:\n  xvfb-run -a -s '-screen 0 1920x1080x24' mergelab "
                 "[options]\nThe headless commands need none: see mergelab --help.\n";
    return nullptr;
  }
  glfwSetErrorCallback([](int code, const char* msg) { std::cerr << "mergelab: GLFW error " << code << ": " << msg << "\n"; });
  if (!glfwInit()) {
    std::cerr << "mergelab: error: cannot open the display '" << display
              << "' (glfwInit failed); headless, use xvfb-run -a -s '-screen 0 1920x1080x24' mergelab\n";
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  GLFWwindow* win = glfwCreateWindow(opt.width, opt.height, "MergeLab", nullptr, nullptr);
  if (!win) {
    std::cerr << "mergelab: error: cannot create an OpenGL 3.3 window\n";
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);
  return win;
}

/// The ImGui context (no imgui.ini) and its GLFW and OpenGL 3 backends.
void init_imgui(GLFWwindow* win) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
}

/// The first frame's look: presentation view when --presentation or the session asks for it (at the
/// scene's own scale, unless a session sets the scale), then the fonts and the theme.
void apply_start_look(ExplorerWindow& w) {
  UiSettings& ui = w.st.ui;
  const Lecture& lecture = w.st.lecture;
  const bool start_presentation = w.options.presentation || ui.presentation;
  ui.presentation = false;
  if (start_presentation) {
    set_presentation(w.glfw, ui, w.windowed, true, w.options.fullscreen);
    if (lecture.current.ui.contains("scale") && w.options.session.empty()) {
      ui.scale = static_cast<float>(lecture.current.ui.value("scale", static_cast<double>(kPresentationScale)));
    }
  }
  apply_scale_and_theme(ui, true);
}

/// What --layout-sweep asks of the window between its cases: a window size, a scale and look.
SweepHooks sweep_hooks(ExplorerWindow& w) {
  return {[&w](int width, int height) { glfwSetWindowSize(w.glfw, width, height); },
          [&w](float scale, bool presentation) {
            UiSettings& ui = w.st.ui;
            if (presentation != ui.presentation) set_presentation(w.glfw, ui, w.windowed, presentation, false);
            ui.scale = scale;
            apply_scale_and_theme(ui, true);
          }};
}

/// Leaves full screen, then drops the panels (their GL textures go before the context), ImGui and the window.
void close_window(ExplorerWindow& w) {
  if (glfwGetWindowMonitor(w.glfw)) glfwSetWindowMonitor(w.glfw, nullptr, 0, 0, w.options.width, w.options.height, 0);
  w.st.panels.clear();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(w.glfw);
  glfwTerminate();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Frame steps
// ---------------------------------------------------------------------------------------------------

/// The key presses since the last frame applied (not while typing into a text field), and the paths
/// dropped on the window handed to the workspace.
Requests take_key_requests(ExplorerWindow& w) {
  Requests requests;
  w.key_context.overlay = w.facts.overlay;
  for (const KeyEvent& e : w.keys.events)
    if (!ImGui::GetIO().WantTextInput) apply_key(e, w.st, w.key_context, requests);
  w.keys.events.clear();
  for (auto& path : w.keys.dropped) w.workspace.dropped.push_back(std::move(path));
  w.keys.dropped.clear();
  return requests;
}

/// Finished file jobs (saves, exports) report in the status line.
void collect_finished_jobs(ExplorerWindow& w) {
  for (auto it = w.io_jobs.begin(); it != w.io_jobs.end();) {
    if (it->wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      try {
        w.say(it->get());
      } catch (const std::exception& e) {
        w.say(std::string("error: ") + e.what());
      }
      it = w.io_jobs.erase(it);
    } else {
      ++it;
    }
  }
}

/// The toy scene brought up to date, and what the panels may read and change this frame.
AppContext frame_context(ExplorerWindow& w, bool interacting) {
  SceneParams& scene = w.st.scene;
  Lecture& lecture = w.st.lecture;
  w.toy.update(scene, interacting, w.screenshot);
  AppContext ctx{scene, w.toy, w.st.ui, w.toy.point(scene), w.screenshot || w.bench,
                 w.screenshot ? 1.0 / 60.0 : std::max(1e-3, static_cast<double>(ImGui::GetIO().DeltaTime))};
  ctx.hidden_controls = &lecture.current.hidden_controls;
  ctx.hold_back = &lecture.current.hold_back;
  ctx.revealed = lecture.revealed;
  ctx.benchmark = w.bench;
  ctx.workspace = &w.workspace;
  return ctx;
}

/// The frame's draw data into the back buffer; the framebuffer size goes to facts.
void render_frame(ExplorerWindow& w) {
  ImGui::Render();
  Widgets::LayoutAudit::ScanMissingGlyphs(ImGui::GetDrawData(), ImGui::GetFont());
  int fb_w = 0, fb_h = 0;
  glfwGetFramebufferSize(w.glfw, &fb_w, &fb_h);
  glViewport(0, 0, fb_w, fb_h);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  w.bench_record.last_vtx = ImGui::GetDrawData()->TotalVtxCount;
  w.bench_record.last_idx = ImGui::GetDrawData()->TotalIdxCount;
  w.facts.width = fb_w, w.facts.height = fb_h;
}

/// The window changes the keys and the menu asked for: the overlay, another scene, the scene code on the
/// clipboard, presentation view (and a scene's own presentation scale), fonts and theme.
void apply_window_requests(ExplorerWindow& w, const Requests& keys, const MenuActions& menu) {
  AppState& st = w.st;
  UiSettings& ui = st.ui;
  const Lecture& lecture = st.lecture;
  if (menu.overlay || keys.quit_overlay) w.facts.overlay = !w.facts.overlay;
  const int target = keys.goto_scene != -2 ? keys.goto_scene : menu.requests.goto_scene;
  bool scene_scale = false;
  if (target != -2 && !lecture.deck.empty()) {
    if (target >= static_cast<int>(lecture.deck.size())) {
      w.say("last scene");
    } else if (const std::string err = goto_scene(st, target); !err.empty()) {
      w.say("error: " + err);
    } else {
      scene_scale = true;
    }
  }
  if (keys.copy_code || menu.requests.copy_code) {
    w.facts.scene_code = scene::encode_scene_code(compact_scene(st));
    glfwSetClipboardString(w.glfw, w.facts.scene_code.c_str());
    w.say("scene code copied to the clipboard (" + std::to_string(w.facts.scene_code.size()) + " characters)");
  }
  if (keys.paste_code || menu.requests.paste_code) {
    const char* clip = glfwGetClipboardString(w.glfw);
    try {
      apply_scene(scene::parse_scene(scene::decode_scene_code(clip ? clip : ""), "scene code"), st, false);
      w.say("opened the scene code from the clipboard");
    } catch (const scene::SceneError& e) {
      w.say(std::string("error: ") + e.what());
    }
  }
  bool rebuild = keys.rebuild_fonts || menu.scale_changed;
  const bool theme = keys.theme || menu.theme_changed;
  if (keys.toggle_presentation || menu.requests.toggle_presentation) {
    set_presentation(w.glfw, ui, w.windowed, !ui.presentation, w.options.fullscreen);
    rebuild = scene_scale = true;
  }
  // A scene may ask for its own presentation scale (a dense panel reads better a little smaller).
  if (scene_scale && ui.presentation) {
    const float want = static_cast<float>(lecture.current.ui.value("scale", static_cast<double>(kPresentationScale)));
    if (std::abs(want - ui.scale) > 1e-3) ui.scale = want, rebuild = true;
  }
  if (rebuild || theme) apply_scale_and_theme(ui, rebuild);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] The frame loop
// ---------------------------------------------------------------------------------------------------

/// One frame: input, the window and its overlays, rendering, the capture and the state dump, then what
/// the keys and the menu asked for. Returns false when the run is over (--screenshot written, the
/// layout sweep or the benchmark done).
bool run_frame(ExplorerWindow& w, const SweepHooks& hooks) {
  const FrameTimer timer;
  glfwPollEvents();
  const Requests key_requests = take_key_requests(w);
  collect_finished_jobs(w);
  if (w.bench && w.options.bench_drag.empty()) wobble_learning_rate(w.st.scene, w.frame);

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // --screenshot and the layout sweep draw as if no pointer were over the window: no hover highlight or
  // tooltip where the pointer happens to rest (Xvfb starts it in the middle of the screen).
  if (w.screenshot || w.sweep) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  if (w.bench && !w.options.bench_drag.empty()) bench_drag_mouse(w.st, w.options.bench_drag, w.frame, ImGui::GetIO());
  ImGui::NewFrame();
  Widgets::LayoutAudit::BeginFrame();

  const bool interacting = ImGui::IsAnyItemActive() || w.bench;
  AppContext ctx = frame_context(w, interacting);
  MenuActions menu;
  const PageResult page = draw_main_window(w, ctx, key_requests, menu);
  const Capture capture = plan_capture(w, ImGui::GetIO().DisplaySize);
  draw_overlays(w, ctx, capture);

  // Controls may have changed the scene: bring the derived results up to date for the dump.
  w.toy.update(w.st.scene, interacting, w.screenshot);
  ctx.point = w.toy.point(w.st.scene);

  render_frame(w);
  write_capture(w, ctx, capture);  // pixels now (this frame holds the caption), the files on a worker
  write_state_json(w, ctx);
  ++w.frame;
  if (capture.screenshot_now || (w.sweep && !w.sweep->after_frame(w.st, w.facts.width, w.facts.height, hooks)))
    return false;
  glfwSwapBuffers(w.glfw);

  apply_window_requests(w, key_requests, menu);
  if (w.bench) {
    record_frame(w.bench_record, timer);
    if (w.frame >= w.options.bench_frames) return false;
  }
  w.key_context.explorer_hovered = page.explorer_hovered;
  w.key_context.item_active = ImGui::IsAnyItemActive();
  return true;
}

/// The frame loop, until the window closes or the run is over. Returns 1 when a frame threw (after
/// printing the error), else 0.
int run_frames(ExplorerWindow& w) {
  const SweepHooks hooks = sweep_hooks(w);
  try {
    while (!glfwWindowShouldClose(w.glfw))
      if (!run_frame(w, hooks)) break;
  } catch (const std::exception& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

/// Waits for the pending saves and exports before leaving; each prints what it did.
void finish_io_jobs(ExplorerWindow& w) {
  for (auto& job : w.io_jobs) {
    try {
      std::cerr << "mergelab: " << job.get() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "mergelab: error: " << e.what() << "\n";
    }
  }
}

}  // namespace

}  // namespace gui_detail

// ---------------------------------------------------------------------------------------------------
// [SECTION] run_gui
// ---------------------------------------------------------------------------------------------------

int run_gui(int argc, char** argv) {
  using namespace gui_detail;
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
  if (!open_start_scene(opt, st)) return 1;
  apply_panel_options(opt, st);

  GLFWwindow* win = create_window(opt);
  if (!win) return 1;
  ExplorerWindow window(opt, st, workspace, win);
  install_key_callbacks(win, window.keys);  // app shortcuts first: the ImGui backend chains to them
  init_imgui(win);
  apply_start_look(window);

  const int rc = run_frames(window);
  finish_io_jobs(window);
  if (window.bench && rc == 0) print_bench_report(window);
  close_window(window);
  return rc;
}

}  // namespace mergelab::app
