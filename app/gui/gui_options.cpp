// The explorer's command-line options (mergelab --help lists them), the --scene presets, and what the options
// open and show before the first frame.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/gui/gui_internal.h"
#include "app/gui_entry.h"
#include "core/scene/scene_file.h"

namespace mergelab::app {

namespace gui_detail {

namespace {

const char* kHelp =
    "  --screenshot FILE.png   render --frames frames, write a PNG of the window and exit\n"
    "  --panel-screenshot ID   with --screenshot: only that panel (explorer, curves, merge_lab, ...)\n"
    "  --caption               with --screenshot: add a line with the parameters under the image\n"
    "  --export-svg PREFIX     with --screenshot: also write PREFIX_explorer.svg, PREFIX_curves.svg,\n"
    "                          PREFIX_bars.svg (the plots drawn from the same data)\n"
    "  --frames N              frames to render before the screenshot (default 5)\n"
    "  --scene NAME            a lecture scene: its number (1-10), its name (lerp_vs_slerp) or a scene\n"
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

}  // namespace

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

bool open_start_scene(const GuiOptions& opt, AppState& st) {
  // Bad input fails here, before any window, with one message naming the file and the field.
  Lecture& lecture = st.lecture;
  try {
    lecture.deck = scene::list_scene_files(builtin_scene_dir());
    if (!opt.session.empty()) {
      apply_scene(scene::load_scene_file(opt.session), st, true);
    } else if (!opt.scene_code.empty()) {
      apply_scene(scene::parse_scene(scene::decode_scene_code(opt.scene_code), "scene code"), st, true);
    } else if (!scene_preset(opt.scene, st.scene)) {
      std::vector<std::string> deck;
      const std::string file = resolve_scene_arg(opt.scene, deck);
      if (file.empty())
        throw CliError("unknown --scene '" + opt.scene +
                       "' (a scene number 1-10, a scene name, a scene file or folder, or a preset: article, "
                       "midpoint, slerp, different-init, mlp-barrier, mlp-same-init, mlp-same-task, lab-slice)");
      lecture.deck = deck;
      apply_scene(scene::load_scene_file(file), st, false);
      lecture.index = static_cast<int>(std::find(deck.begin(), deck.end(), file) - deck.begin());
    }
  } catch (const scene::SceneError& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    return false;
  }
  return true;
}

void apply_panel_options(const GuiOptions& opt, AppState& st) {
  auto& panels = st.panels;
  Lecture& lecture = st.lecture;
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
}

}  // namespace gui_detail

const char* gui_help() { return gui_detail::kHelp; }

}  // namespace mergelab::app
