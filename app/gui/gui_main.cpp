// The explorer window: GLFW + OpenGL 3.3 + Dear ImGui 1.86, the panel layout, the menu, UI scale
// and themes, keyboard shortcuts, and the headless hooks (--screenshot, --state-json, --bench-frames).
//
// [SECTION] Options
// [SECTION] Fonts, scale and theme
// [SECTION] Keyboard shortcuts
// [SECTION] State dump and screenshots
// [SECTION] Menu and layout
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
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <ctime>
#include <vector>

#include "app/cli.h"
#include "app/gui/panel.h"
#include "app/gui/scene.h"
#include "app/gui_entry.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace {

// ---------------------------------------------------------------------------------------------------
// [SECTION] Options
// ---------------------------------------------------------------------------------------------------

struct GuiOptions {
  std::string screenshot;  ///< PNG to write after `frames` frames, then exit
  std::string scene = "article";
  int frames = 5;
  std::string state_json;  ///< written (atomically) whenever the dumped state changes
  int bench_frames = 0;    ///< > 0: run that many frames retraining every frame, print percentiles, exit
  int width = 1600, height = 1000;
  float scale = 1.0f;
  bool light = false;
  std::string panels;      ///< comma-separated panel ids to show (default: all)
};

const char* kHelp =
    "  --screenshot FILE.png   render --frames frames, write a PNG of the window and exit\n"
    "  --frames N              frames to render before the screenshot (default 5)\n"
    "  --scene NAME            open a preset: article (default, t = 0), midpoint, slerp, different-init,\n"
    "                          mlp-barrier, mlp-same-init, lab-slice\n"
    "  --state-json FILE       keep FILE updated with the state tests check (t, path, losses, ...)\n"
    "  --bench-frames N        run N frames retraining on every frame (a slider drag), print\n"
    "                          frame-time percentiles p50/p95/p99 and exit\n"
    "  --size WxH              window size in pixels (default 1600x1000)\n"
    "  --scale S               UI scale, 1.0 to 2.5 (default 1.0; keys + and - change it)\n"
    "  --light                 light theme (default dark; key T toggles)\n"
    "  --panels ID,ID,...      show only these panels (explorer, curves, training, ...; View menu)\n";

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
    } else if (a == "--state-json") {
      o.state_json = value(i, a);
    } else if (a == "--bench-frames") {
      o.bench_frames = static_cast<int>(parse_int(a, value(i, a)));
      if (o.bench_frames < 10) throw CliError("--bench-frames must be >= 10");
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
    } else if (a == "--panels") {
      o.panels = value(i, a);
    } else if (a == "--light") {
      o.light = true;
    } else {
      throw CliError("unknown option '" + a + "' (see mergelab --help)");
    }
  }
  return o;
}

/// The presets of --scene.
SceneParams scene_preset(const std::string& name) {
  SceneParams p;
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
  } else if (name == "lab-slice") {
    p.view = ExplorerView::LabSlice;
    p.t = 0.5;
  } else {
    throw CliError("unknown --scene '" + name +
                   "' (article, midpoint, slerp, different-init, mlp-barrier, mlp-same-init, lab-slice)");
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Fonts, scale and theme
// ---------------------------------------------------------------------------------------------------

constexpr float kBaseFontPx = 16.0f;
constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Rebuilds the font atlas at the scale and resets the style; call between frames.
void apply_scale_and_theme(const UiSettings& ui, bool rebuild_fonts) {
  ImGuiIO& io = ImGui::GetIO();
  if (rebuild_fonts) {
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    const float px = std::round(kBaseFontPx * ui.scale);
    if (std::filesystem::exists(kFontPath)) {
      io.Fonts->AddFontFromFileTTF(kFontPath, px, &cfg);
    } else {
      cfg.SizePixels = px;  // fonts-dejavu-core missing: ImGui's built-in font, scaled
      io.Fonts->AddFontDefault(&cfg);
    }
    io.Fonts->Build();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  ImGuiStyle style;
  if (ui.dark)
    ImGui::StyleColorsDark(&style);
  else
    ImGui::StyleColorsLight(&style);
  style.WindowRounding = 0.0f;
  style.ChildRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.ItemSpacing = ImVec2(8, 5);
  style.ScaleAllSizes(ui.scale);
  ImGui::GetStyle() = style;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Keyboard shortcuts
// ---------------------------------------------------------------------------------------------------

struct KeyEvent {
  int key, mods;
};

/// Owned by run_gui; GLFW reaches it through the window user pointer.
struct KeyQueue {
  std::vector<KeyEvent> events;
};

void key_callback(GLFWwindow* win, int key, int, int action, int mods) {
  if (action == GLFW_RELEASE) return;
  if (auto* q = static_cast<KeyQueue*>(glfwGetWindowUserPointer(win))) q->events.push_back({key, mods});
}

/// Applies one shortcut. Returns true when the UI scale changed (fonts must be rebuilt).
bool apply_key(const KeyEvent& e, SceneParams& s, UiSettings& ui, bool& theme_changed) {
  const double step = (e.mods & GLFW_MOD_SHIFT) ? 0.1 : 0.01;
  switch (e.key) {
    case GLFW_KEY_EQUAL:
    case GLFW_KEY_KP_ADD:
      ui.scale = std::min(2.5f, ui.scale + 0.25f);
      return true;
    case GLFW_KEY_MINUS:
    case GLFW_KEY_KP_SUBTRACT:
      ui.scale = std::max(1.0f, ui.scale - 0.25f);
      return true;
    case GLFW_KEY_RIGHT:
    case GLFW_KEY_LEFT: {
      const double t = s.t + (e.key == GLFW_KEY_RIGHT ? step : -step);
      s.t = std::clamp(std::round(t * 1000.0) / 1000.0, 0.0, 1.0);
      s.point_on_path = true;
      break;
    }
    case GLFW_KEY_HOME: s.t = 0.0, s.point_on_path = true; break;
    case GLFW_KEY_END: s.t = 1.0, s.point_on_path = true; break;
    case GLFW_KEY_L: s.path = toy::PathKind::Lerp; break;
    case GLFW_KEY_S: s.path = toy::PathKind::Slerp; break;
    case GLFW_KEY_F: s.free_point = !s.free_point, s.point_on_path = true; break;
    case GLFW_KEY_M: s.model = s.model == ModelKind::Logistic ? ModelKind::Mlp : ModelKind::Logistic; break;
    case GLFW_KEY_D: s.article.same_init = !s.article.same_init; break;
    case GLFW_KEY_1: s.field = HeatField::Task1; break;
    case GLFW_KEY_2: s.field = HeatField::Task2; break;
    case GLFW_KEY_3: s.field = HeatField::Combined; break;
    case GLFW_KEY_SPACE:
      s.replay_playing = !s.replay_playing;
      if (s.replay_playing) s.replay_progress = 0.0;
      break;
    case GLFW_KEY_T: ui.dark = !ui.dark, theme_changed = true; break;
    default: break;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] State dump and screenshots
// ---------------------------------------------------------------------------------------------------

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write '" + tmp + "'");
  }
  std::filesystem::rename(tmp, path);
}

nlohmann::json vec(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

nlohmann::json state_json(const AppContext& ctx, const std::vector<std::unique_ptr<Panel>>& panels) {
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
      {"theme", ctx.ui.dark ? "dark" : "light"},
      {"retrain_count", toy.retrain_count()},
  };
  nlohmann::json vis = nlohmann::json::object();
  for (const auto& p : panels) {
    vis[p->id()] = p->visible;
    if (auto st = p->state(); !st.is_null()) j[p->id()] = std::move(st);
  }
  j["panels"] = vis;
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

void write_png(const std::string& path, int w, int h) {
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  for (size_t k = 3; k < px.size(); k += 4) px[k] = 255;
  stbi_flip_vertically_on_write(1);
  const std::string tmp = path + ".tmp.png";
  if (!stbi_write_png(tmp.c_str(), w, h, 4, px.data(), w * 4))
    throw std::runtime_error("cannot write screenshot '" + path + "'");
  std::filesystem::rename(tmp, path);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Menu and layout
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

const char* kControls =
    "Mouse: press on the weight-space canvas and drag: the merge point follows (snapped to the active path,\n"
    "or free in free mode). Hover a plot for a read-out.\n"
    "Keys: Left/Right move t by 0.01 (Shift: 0.1), Home/End t = 0/1; L LERP, S SLERP, F free mode;\n"
    "1/2/3 heat map Task 1/Task 2/Combined; M logistic/MLP; D same/different init; Space replay training;\n"
    "+ and - UI scale; T light/dark theme.";

/// Returns true when the scale changed from the menu.
bool draw_menu(std::vector<std::unique_ptr<Panel>>& panels, UiSettings& ui, bool& theme_changed) {
  bool scale_changed = false;
  if (ImGui::BeginMenuBar()) {
    if (ImGui::BeginMenu("View")) {
      for (auto& p : panels) ImGui::MenuItem(p->title(), nullptr, &p->visible);
      ImGui::Separator();
      if (ImGui::MenuItem("Dark theme", "T", ui.dark)) ui.dark = !ui.dark, theme_changed = true;
      ImGui::Separator();
      for (float s : {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f}) {
        char label[32];
        std::snprintf(label, sizeof label, "UI scale %d%%", static_cast<int>(s * 100 + 0.5f));
        if (ImGui::MenuItem(label, nullptr, std::abs(ui.scale - s) < 0.01f)) ui.scale = s, scale_changed = true;
      }
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
      ImGui::TextUnformatted(kControls);
      ImGui::EndMenu();
    }
    ImGui::TextDisabled("  MergeLab explorer   |   scale %d%%   |   + / - zoom, T theme", int(ui.scale * 100 + 0.5f));
    ImGui::EndMenuBar();
  }
  return scale_changed;
}

/// Two columns (left: column-0 panels, right: column-1 panels), each a stack of child windows whose
/// heights follow the panels' weights. A hidden panel gives its room to the others.
void draw_panels(std::vector<std::unique_ptr<Panel>>& panels, AppContext& ctx) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  std::vector<Panel*> cols[2];
  for (auto& p : panels)
    if (p->visible) cols[std::clamp(p->column(), 0, 1)].push_back(p.get());
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const bool both = !cols[0].empty() && !cols[1].empty();
  const float w0 = both ? std::floor(avail.x * 0.55f) : avail.x;
  for (int c = 0; c < 2; ++c) {
    if (cols[c].empty()) continue;
    const float width = (both && c == 1) ? avail.x - w0 - gap : (both ? w0 : avail.x);
    if (both && c == 1) ImGui::SameLine(0, gap);
    ImGui::BeginGroup();
    float total = 0;
    for (Panel* p : cols[c]) total += p->weight();
    const float vgap = ImGui::GetStyle().ItemSpacing.y;
    const float h_avail = avail.y - vgap * (cols[c].size() - 1);
    for (Panel* p : cols[c]) {
      const float h = std::floor(h_avail * p->weight() / total);
      ImGui::BeginChild(p->id(), ImVec2(width, h), true);
      ImGui::TextUnformatted(p->title());
      ImGui::SameLine();
      help_marker(p->help());
      ImGui::Separator();
      p->draw(ctx);
      ImGui::EndChild();
    }
    ImGui::EndGroup();
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] run_gui
// ---------------------------------------------------------------------------------------------------

const char* gui_help() { return kHelp; }

int run_gui(int argc, char** argv) {
  const GuiOptions opt = parse_options(argc, argv);
  SceneParams scene = scene_preset(opt.scene);
  UiSettings ui;
  ui.scale = opt.scale;
  ui.dark = !opt.light;

  auto panels = make_panels();
  if (!opt.panels.empty()) {
    std::vector<std::string> ids;
    std::stringstream list(opt.panels);
    for (std::string id; std::getline(list, id, ',');)
      if (!id.empty()) ids.push_back(id);
    for (const auto& id : ids)
      if (std::none_of(panels.begin(), panels.end(), [&](const auto& p) { return id == p->id(); }))
        throw CliError("--panels: unknown panel '" + id + "'");
    for (auto& p : panels) p->visible = std::find(ids.begin(), ids.end(), p->id()) != ids.end();
  }

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

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  apply_scale_and_theme(ui, true);

  ToyScene toy;
  std::string last_state;
  std::vector<double> frame_ms, cpu_ms;
  int frame = 0;
  int last_vtx = 0, last_idx = 0;
  const bool screenshot = !opt.screenshot.empty();
  const bool bench = opt.bench_frames > 0;
  int rc = 0;
  auto t_prev = std::chrono::steady_clock::now();

  try {
    while (!glfwWindowShouldClose(win)) {
      const auto t_start = std::chrono::steady_clock::now();
      const double cpu_start = process_cpu_ms();
      glfwPollEvents();
      // Shortcuts (not while typing into a text field).
      bool rebuild = false, theme = false;
      for (const KeyEvent& e : keys.events)
        if (!io.WantTextInput) rebuild |= apply_key(e, scene, ui, theme);
      keys.events.clear();
      if (rebuild || theme) apply_scale_and_theme(ui, rebuild);

      if (bench) {  // a slider drag: a new learning rate every frame retrains both models
        const double wobble = 1.0 + 0.2 * std::sin(frame * 0.37);
        if (scene.model == ModelKind::Mlp)
          scene.mlp.lr = 0.5 * wobble;
        else
          scene.article.lr = 0.1 * wobble;
      }

      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();

      const bool interacting = ImGui::IsAnyItemActive() || bench;
      toy.update(scene, interacting);
      AppContext ctx{scene, toy, ui, toy.point(scene), screenshot || bench,
                     screenshot ? 1.0 / 60.0 : std::max(1e-3, static_cast<double>(io.DeltaTime))};

      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(io.DisplaySize);
      ImGui::Begin("##explorer", nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_MenuBar | ImGuiWindowFlags_NoMove |
                       ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                       ImGuiWindowFlags_NoBackground);  // glClear paints it: one full-screen fill less
      bool menu_theme = false;
      const bool menu_scale = draw_menu(panels, ui, menu_theme);
      draw_panels(panels, ctx);
      ImGui::End();
      // Controls may have changed the scene: bring the derived results up to date for the dump.
      toy.update(scene, interacting);
      ctx.point = toy.point(scene);

      ImGui::Render();
      int fw = 0, fh = 0;
      glfwGetFramebufferSize(win, &fw, &fh);
      glViewport(0, 0, fw, fh);
      const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
      glClearColor(bg.x, bg.y, bg.z, 1.0f);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      last_vtx = ImGui::GetDrawData()->TotalVtxCount;
      last_idx = ImGui::GetDrawData()->TotalIdxCount;

      if (!opt.state_json.empty()) {
        const std::string s = state_json(ctx, panels).dump(1);
        if (s != last_state) {
          write_atomically(opt.state_json, s);
          last_state = s;
        }
      }
      ++frame;
      if (screenshot && frame >= opt.frames) {
        write_png(opt.screenshot, fw, fh);
        std::cout << "mergelab: wrote " << opt.screenshot << " (" << fw << "x" << fh << ")\n";
        break;
      }
      glfwSwapBuffers(win);
      if (menu_scale || menu_theme) apply_scale_and_theme(ui, menu_scale);

      const auto t_end = std::chrono::steady_clock::now();
      if (bench) {
        frame_ms.push_back(std::chrono::duration<double, std::milli>(t_end - t_start).count());
        cpu_ms.push_back(process_cpu_ms() - cpu_start);
        if (frame >= opt.bench_frames) break;
      }
      t_prev = t_end;
    }
  } catch (const std::exception& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    rc = 1;
  }

  if (bench && rc == 0) {
    // Drop the first frames (font atlas, first grids) from the statistics.
    std::vector<double> v(frame_ms.begin() + std::min<size_t>(5, frame_ms.size()), frame_ms.end());
    std::sort(v.begin(), v.end());
    auto pct = [&](double q) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
    std::printf("frames %zu (after 5 warm-up), %dx%d, scene %s, retraining every frame (%d retrains, %d grids), "
                "%d vertices / %d indices per frame\n",
                v.size(), opt.width, opt.height, opt.scene.c_str(), toy.retrain_count(), toy.grid_version(), last_vtx,
                last_idx);
    std::printf("frame time ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", pct(0.50), pct(0.95), pct(0.99),
                v.empty() ? 0.0 : v.back());
    // CPU time of the whole process (all llvmpipe threads) per frame: the cost without other load.
    v.assign(cpu_ms.begin() + std::min<size_t>(5, cpu_ms.size()), cpu_ms.end());
    std::sort(v.begin(), v.end());
    std::printf("process CPU ms per frame: p50 %.2f  p95 %.2f  p99 %.2f\n", pct(0.50), pct(0.95), pct(0.99));
    std::fflush(stdout);
  }

  panels.clear();  // GL textures go before the context
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win);
  glfwTerminate();
  return rc;
}

}  // namespace mergelab::app
