// The explorer's headless hooks: --screenshot and the Export dialog's captures (PNG + SVG plots), --state-json,
// --bench-frames (frame-time percentiles) and --bench-drag (a scripted mouse drag).
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/gui_internal.h"
#include "app/gui/layout_report.h"
#include "app/gui/palette.h"
#include "app/gui/svg.h"
#include "core/io/atomic_file.h"

namespace mergelab::app::gui_detail {

namespace {

nlohmann::json vec(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

/// Everything tests check: the scene and its results, every panel's state and settings, the lecture, the window.
nlohmann::json state_json(const AppContext& ctx, const AppState& st, const WindowFacts& facts) {
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
  for (const auto& [id, r] : facts.panel_rects) rects[id] = {r.x, r.y, r.z, r.w};
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
                  {"winner_covered", facts.winner_covered}};
  j["window"] = {{"size", {facts.width, facts.height}},
                 {"overlay", facts.overlay},
                 {"message", facts.message},
                 {"last_session", facts.last_session},
                 {"last_export", facts.last_export},
                 {"scene_code", facts.scene_code},
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

}  // namespace

// ---- --bench-frames and --bench-drag ----------------------------------------------------------------

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

void record_frame(BenchRecord& record, const FrameTimer& timer) {
  const auto end = std::chrono::steady_clock::now();
  record.frame_ms.push_back(std::chrono::duration<double, std::milli>(end - timer.start).count());
  record.cpu_ms.push_back(process_cpu_ms() - timer.cpu_start);
  record.main_ms.push_back(thread_cpu_ms() - timer.main_start);
}

void print_bench_report(const ExplorerWindow& w) {
  const BenchRecord& record = w.bench_record;
  // Drop the first frames (font atlas, first grids) from the statistics.
  std::vector<double> v(record.frame_ms.begin() + std::min<size_t>(5, record.frame_ms.size()), record.frame_ms.end());
  std::sort(v.begin(), v.end());
  auto pct = [&](double q) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  std::printf("frames %zu (after 5 warm-up), %dx%d, scene %s, retraining every frame (%d retrains, %d grids), "
              "%d vertices / %d indices per frame\n",
              v.size(), w.facts.width, w.facts.height, w.options.scene.c_str(), w.toy.retrain_count(),
              w.toy.grid_version(), record.last_vtx, record.last_idx);
  std::printf("frame time ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", pct(0.50), pct(0.95), pct(0.99),
              v.empty() ? 0.0 : v.back());
  // CPU time of the whole process (all llvmpipe threads, the grid worker) per frame.
  v.assign(record.cpu_ms.begin() + std::min<size_t>(5, record.cpu_ms.size()), record.cpu_ms.end());
  std::sort(v.begin(), v.end());
  std::printf("process CPU ms per frame: p50 %.2f  p95 %.2f  p99 %.2f\n", pct(0.50), pct(0.95), pct(0.99));
  // CPU time of the frame loop's own thread: what a frame costs without the GL rasteriser's threads
  // and the grid worker.
  v.assign(record.main_ms.begin() + std::min<size_t>(5, record.main_ms.size()), record.main_ms.end());
  std::sort(v.begin(), v.end());
  std::printf("frame-loop thread CPU ms per frame: p50 %.2f  p95 %.2f  p99 %.2f\n", pct(0.50), pct(0.95), pct(0.99));
  std::fflush(stdout);
}

void wobble_learning_rate(SceneParams& scene, int frame) {
  const double wobble = 1.0 + 0.2 * std::sin(frame * 0.37);
  if (scene.model == ModelKind::Mlp)
    scene.mlp.lr = 0.5 * wobble;
  else
    scene.article.lr = 0.1 * wobble;
}

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

// ---- captures and the state dump ----------------------------------------------------------------------

Capture plan_capture(const ExplorerWindow& w, ImVec2 display) {
  Capture capture;
  capture.export_now = w.dialogs.export_now;
  capture.screenshot_now = w.screenshot && w.frame + 1 >= w.options.frames;
  capture.with_caption = (capture.export_now && w.dialogs.export_caption) || (capture.screenshot_now && w.options.caption);
  const std::string panel = capture.export_now ? w.dialogs.export_panel : (capture.screenshot_now ? w.options.panel_shot : "");
  capture.crop = ImVec4(0, 0, display.x, display.y);
  if (const auto it = w.facts.panel_rects.find(panel); !panel.empty() && it != w.facts.panel_rects.end())
    capture.crop = it->second;
  return capture;
}

void write_capture(ExplorerWindow& w, const AppContext& ctx, const Capture& capture) {
  if (!capture.export_now && !capture.screenshot_now) return;
  const int fb_w = w.facts.width, fb_h = w.facts.height;
  const ImVec4& crop = capture.crop;
  const int x0 = std::clamp(static_cast<int>(crop.x), 0, fb_w), y0 = std::clamp(static_cast<int>(crop.y), 0, fb_h);
  const int x1 = std::clamp(static_cast<int>(crop.z), x0 + 1, fb_w), y1 = std::clamp(static_cast<int>(crop.w), y0 + 1, fb_h);
  ExportJob job;
  job.png_path = capture.export_now ? std::string(w.dialogs.export_path) : w.options.screenshot;
  job.w = x1 - x0, job.h = y1 - y0;
  job.pixels = read_pixels(fb_h, x0, y0, job.w, job.h);
  std::string prefix = capture.export_now ? job.png_path : w.options.svg_prefix;
  if (capture.export_now && prefix.size() > 4 && prefix.substr(prefix.size() - 4) == ".png")
    prefix = prefix.substr(0, prefix.size() - 4);
  if (!prefix.empty()) {
    const palette::Palette& pal = palette::get(ctx.ui.high_contrast);
    job.svgs.emplace_back(prefix + "_explorer.svg", svg_weight_space(w.toy, ctx.scene, ctx.point, pal));
    job.svgs.emplace_back(prefix + "_curves.svg", svg_curves(w.toy, ctx.scene, pal));
    for (const auto& p : w.st.panels)
      if (std::strcmp(p->id(), "merge_lab") == 0 && p->visible)
        job.svgs.emplace_back(prefix + "_bars.svg", svg_leaderboard_bars(p->state()));
  }
  w.facts.last_export = job.png_path;
  if (capture.screenshot_now) {
    std::cout << "mergelab: " << run_export(std::move(job)) << "\n";
  } else {
    w.io_jobs.push_back(std::async(std::launch::async, run_export, std::move(job)));
  }
  w.dialogs.export_now = false;
}

void write_state_json(ExplorerWindow& w, const AppContext& ctx) {
  if (w.options.state_json.empty()) return;
  const std::string s = state_json(ctx, w.st, w.facts).dump(1);
  if (s != w.last_state) {
    io::write_file_atomic(w.options.state_json, s);
    w.last_state = s;
  }
}

}  // namespace mergelab::app::gui_detail
