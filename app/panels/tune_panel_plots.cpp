// Tune panel, plots (see tune_panel.h): the sweep's curve (one axis) or heat map (two axes), the CMA-ES fitness
// per generation, and the per-task accuracy bars of the current and best recipes against the base and fine-tunes.
//
// [SECTION] Grid canvas
// [SECTION] Panel: plots
#include "app/panels/tune_panel.h"
#include "app/panels/tune_panel_internal.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "app/panels/text.h"
#include "widgets/bar_chart.h"
#include "widgets/canvas2d.h"
#include "widgets/colormap.h"
#include "widgets/heatmap.h"
#include "widgets/imgui_compat.h"
#include "widgets/line_plot.h"

namespace mergelab::app {

using ImGuiCompat::em;
using text::file_name;
using text::fmt;
using tune_detail::kBase;
using tune_detail::kBest;
using tune_detail::kCurrent;
using tune_detail::kModels;
using tune_detail::kNaN;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Grid canvas
// ---------------------------------------------------------------------------------------------------

namespace {

/// "%.4g" of a tick value ("0.25", "0.6", "1"): exact for grid values, and never rounds 0.25 to "0.2".
std::string tick_text(double v) {
  if (std::abs(v) < 1e-12) v = 0.0;
  return fmt("%.4g", v);
}

/// A canvas whose x axis is labelled at the grid values (every k-th when they would collide) and whose y axis
/// is labelled at the grid values `yv` (a heat map) or at round values (a curve, `yv` empty).
Widgets::Canvas2D begin_grid_canvas(const char* id, ImVec2 size, double x0, double x1, double y0, double y1,
                                    const std::vector<double>& xv, const std::vector<double>& yv, const char* x_title,
                                    const char* y_title) {
  Widgets::Canvas2D c;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  c.hovered = ImGui::IsItemHovered();
  c.active = ImGui::IsItemActive();
  c.frame = Widgets::LayoutPlotFrame(tl, size, x0, x1, y0, y1, false, true, true);
  c.dl = ImGui::GetWindowDrawList();
  const Widgets::PlotFrame& f = c.frame;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), border = ImGui::GetColorU32(ImGuiCol_Text, 0.55f);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_Text, 0.12f);
  const float tick = em(0.3f);
  auto every = [](const std::vector<double>& v, float room, float label) {
    return std::max<size_t>(1, static_cast<size_t>(std::ceil(static_cast<double>(v.size()) * label / std::max(room, 1.0f))));
  };
  const size_t kx = every(xv, f.p1.x - f.p0.x, em(3.2f));
  for (size_t i = 0; i < xv.size(); i += kx) {
    const float x = std::round(f.ToScreen(xv[i], f.y0).x);
    c.dl->AddLine(ImVec2(x, f.p1.y), ImVec2(x, f.p1.y + tick), border, 1.0f);
    const std::string t = tick_text(xv[i]);
    const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    c.dl->AddText(ImVec2(x - ts.x * 0.5f, f.p1.y + tick), text, t.c_str());
  }
  std::vector<double> yt = yv;
  const bool grid_lines = yv.empty();
  if (yt.empty()) yt = Widgets::NiceTicks(f.y0, f.y1, std::max(2, static_cast<int>((f.p1.y - f.p0.y) / em(3.0f))));
  const size_t ky = yv.empty() ? 1 : every(yv, f.p1.y - f.p0.y, em(1.4f));
  for (size_t i = 0; i < yt.size(); i += ky) {
    const float y = std::round(f.ToScreen(f.x0, yt[i]).y);
    if (grid_lines) c.dl->AddLine(ImVec2(f.p0.x, y), ImVec2(f.p1.x, y), faint, 1.0f);
    c.dl->AddLine(ImVec2(f.p0.x - tick, y), ImVec2(f.p0.x, y), border, 1.0f);
    const std::string t = tick_text(yt[i]);
    const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    c.dl->AddText(ImVec2(f.p0.x - tick - ts.x - em(0.15f), y - ts.y * 0.5f), text, t.c_str());
  }
  c.dl->AddRect(f.p0, f.p1, border, 0.0f, 0, 1.0f);
  const ImVec2 ts = ImGui::CalcTextSize(x_title);
  c.dl->AddText(ImVec2(0.5f * (f.p0.x + f.p1.x) - ts.x * 0.5f, f.p1.y + tick + em(1.15f)), text, x_title);
  c.dl->AddText(ImVec2(f.p0.x - em(0.2f), f.p0.y - em(1.3f)), text, y_title);  // no rotated text in 1.86
  c.dl->PushClipRect(f.p0, f.p1, true);
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: plots
// ---------------------------------------------------------------------------------------------------

std::pair<double, std::string> TunePanel::objective_scale() const {
  // Accuracies read best in percent (the built-in evaluator's metrics are fractions).
  const double scale = setup_ && !setup_->external ? 100.0 : 1.0;
  return {scale, objective_label() + (scale == 100.0 ? " (%)" : "")};
}

void TunePanel::draw_empty_plot(ImVec2 size, const char* title, const char* hint) const {
  ImGui::TextUnformatted(title);
  ImGui::TextDisabled("%s", hint);
  ImGui::Dummy(ImVec2(size.x, std::max(0.0f, size.y - 2 * ImGui::GetTextLineHeightWithSpacing())));
}

void TunePanel::draw_sweep_plot(ImVec2 size, bool screenshot) {
  cell_centres_.clear();
  const auto [scale, obj_name] = objective_scale();
  if (sweep_axes_.empty()) {
    draw_empty_plot(size, "Sweep", "Choose one or two parameters on the left and press Run sweep.");
    return;
  }
  const search::SweepGrid grid(sweep_axes_);
  const auto& ax0 = sweep_axes_[0];
  const auto v0 = ax0.values();
  double vmin = INFINITY, vmax = -INFINITY;
  std::vector<double> shown(sweep_objective_.size());
  for (size_t i = 0; i < shown.size(); ++i) shown[i] = sweep_objective_[i] * scale;
  for (double v : shown)
    if (std::isfinite(v)) vmin = std::min(vmin, v), vmax = std::max(vmax, v);
  const bool any = vmin <= vmax;
  std::string headline = "Sweep: " + obj_name + (scale == 100.0 ? " (" + tune_split_ + ")" : "");
  if (sweep_best_ >= 0) {
    const auto bp = grid.point(static_cast<size_t>(sweep_best_));
    headline += "  best ";
    for (size_t i = 0; i < bp.size(); ++i) headline += sweep_space_[i].label() + "=" + fmt("%.3g", bp[i]) + " ";
    headline += fmt(scale == 100.0 ? ": %.1f%%" : ": %.4g", shown[static_cast<size_t>(sweep_best_)]);
  }
  ImGui::TextUnformatted(headline.c_str());
  ImGui::SameLine();
  ImGuiCompat::HelpMarker("Each point merges with the method's settings and this value, then scores the tuning split. "
                          "The green ring is the best point, the yellow one the current recipe. Click a point (or a "
                          "cell) to make it the current recipe; the bars below follow.");
  const float h = std::max(em(6.0f), size.y - ImGui::GetTextLineHeightWithSpacing());
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  int clicked = -1;
  if (sweep_axes_.size() == 1) {
    const double d = v0.size() > 1 ? (v0.back() - v0.front()) / static_cast<double>(v0.size() - 1) : 1.0;
    double y0 = any ? vmin : 0.0, y1 = any ? vmax : scale;
    const double pad = std::max(0.02 * scale, (y1 - y0) * 0.15);
    y0 = std::max(0.0, y0 - pad), y1 = y1 + 2.0 * pad;  // room for the best point's label
    Widgets::Canvas2D c = begin_grid_canvas("##sweep_curve", ImVec2(size.x, h), ax0.start - d / 2, ax0.stop + d / 2, y0, y1,
                                            v0, {}, sweep_space_[0].label().c_str(), obj_name.c_str());
    remember_rect("sweep_plot");
    // The curve through the finished points (pieces between gaps).
    std::vector<double> xs, ys;
    auto flush = [&] {
      if (xs.size() >= 2) Widgets::CanvasPolyline(c, xs.data(), ys.data(), static_cast<int>(xs.size()), IM_COL32(86, 180, 233, 255), 2.0f, false);
      xs.clear(), ys.clear();
    };
    for (size_t i = 0; i < v0.size(); ++i) {
      if (std::isfinite(shown[i])) xs.push_back(v0[i]), ys.push_back(shown[i]);
      else flush();
    }
    flush();
    for (size_t i = 0; i < v0.size(); ++i) {
      const double v = shown[i];
      const ImVec2 s = c.frame.ToScreen(v0[i], std::isfinite(v) ? v : y0);
      cell_centres_.emplace_back(s.x, s.y);
      if (std::isfinite(v)) c.dl->AddCircleFilled(s, em(0.22f), IM_COL32(86, 180, 233, 255));
    }
    if (sweep_best_ >= 0) {
      const double bx = v0[static_cast<size_t>(sweep_best_)], by = shown[static_cast<size_t>(sweep_best_)];
      const ImVec2 s = c.frame.ToScreen(bx, by);
      c.dl->AddLine(ImVec2(s.x, c.frame.p0.y), ImVec2(s.x, c.frame.p1.y), (kBest & 0x00FFFFFF) | 0x90000000, 2.0f);
      Widgets::CanvasMarker(c, bx, by, kBest, nullptr, 0.5f);
      const std::string label = "best " + sweep_space_[0].label() + "=" + fmt("%.3g", bx) + fmt(scale == 100.0 ? ": %.1f%%" : ": %.4g", by);
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      const float lx = std::clamp(s.x - ts.x / 2, c.frame.p0.x + 2, c.frame.p1.x - ts.x - 2);
      Widgets::HaloText(c.dl, ImVec2(lx, s.y - em(1.6f)), kBest, IM_COL32(0, 0, 0, 255), label.c_str());
    }
    if (current_.valid && current_.space.size() == 1 && current_.space[0].label() == sweep_space_[0].label()) {
      const double cx = current_.values[0];
      const auto it = std::min_element(v0.begin(), v0.end(), [&](double a, double b) { return std::abs(a - cx) < std::abs(b - cx); });
      const double cy = shown[static_cast<size_t>(it - v0.begin())];
      if (std::isfinite(cy)) {
        const ImVec2 s = c.frame.ToScreen(cx, cy);
        c.dl->AddCircle(s, em(0.75f), kCurrent, 0, 3.0f);
      }
    }
    if (c.hovered && c.frame.Contains(mouse)) {
      double x = 0, y = 0;
      c.frame.ToData(mouse, &x, &y);
      const int i = std::clamp(static_cast<int>(std::lround((x - ax0.start) / d)), 0, static_cast<int>(v0.size()) - 1);
      const double v = sweep_objective_[static_cast<size_t>(i)];
      if (!screenshot)
        ImGui::SetTooltip("%s = %.4g: %s", sweep_space_[0].label().c_str(), v0[static_cast<size_t>(i)],
                          std::isfinite(v) ? fmt("%.2f%%", 100 * v).c_str() : "not done");
      if (ImGui::IsMouseClicked(0) && std::isfinite(v)) clicked = i;
    }
    Widgets::EndCanvas2D(c);
  } else {
    const auto& ax1 = sweep_axes_[1];
    const auto v1 = ax1.values();
    const double d0 = v0.size() > 1 ? (v0.back() - v0.front()) / static_cast<double>(v0.size() - 1) : 1.0;
    const double d1 = v1.size() > 1 ? (v1.back() - v1.front()) / static_cast<double>(v1.size() - 1) : 1.0;
    const float bar_w = em(5.0f);
    Widgets::Canvas2D c = begin_grid_canvas("##sweep_map", ImVec2(size.x - bar_w, h), ax0.start - d0 / 2, ax0.stop + d0 / 2,
                                            ax1.start - d1 / 2, ax1.stop + d1 / 2, v0, v1, sweep_space_[0].label().c_str(),
                                            sweep_space_[1].label().c_str());
    remember_rect("sweep_plot");
    const double lo = any ? vmin : 0.0, hi = any ? std::max(vmax, vmin + 1e-6) : scale;
    const ImVec2 cell_px(std::abs(c.frame.ToScreen(d0, 0).x - c.frame.ToScreen(0, 0).x),
                         std::abs(c.frame.ToScreen(0, d1).y - c.frame.ToScreen(0, 0).y));
    const bool numbers = cell_px.x > ImGui::CalcTextSize("00.0").x + em(0.3f) && cell_px.y > em(1.1f);
    for (size_t i0 = 0; i0 < v0.size(); ++i0)
      for (size_t i1 = 0; i1 < v1.size(); ++i1) {
        const size_t idx = i0 * v1.size() + i1;
        const double v = shown[idx];
        const ImVec2 a = c.frame.ToScreen(v0[i0] - d0 / 2, v1[i1] + d1 / 2), b = c.frame.ToScreen(v0[i0] + d0 / 2, v1[i1] - d1 / 2);
        const ImVec2 mid((a.x + b.x) / 2, (a.y + b.y) / 2);
        cell_centres_.emplace_back(mid.x, mid.y);
        const float s = static_cast<float>((v - lo) / (hi - lo));
        c.dl->AddRectFilled(a, b, std::isfinite(v) ? Widgets::Viridis(s) : IM_COL32(60, 60, 60, 255));
        if (numbers && std::isfinite(v)) {
          const std::string t = fmt(scale == 100.0 ? "%.1f" : "%.3g", v);
          const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
          c.dl->AddText(ImVec2(mid.x - ts.x / 2, mid.y - ts.y / 2), s > 0.6f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255), t.c_str());
        }
      }
    auto ring = [&](size_t idx, ImU32 col, float r) {
      const ImVec2 m(cell_centres_[idx].first, cell_centres_[idx].second);
      c.dl->AddRect(ImVec2(m.x - cell_px.x / 2 + 1, m.y - cell_px.y / 2 + 1), ImVec2(m.x + cell_px.x / 2 - 1, m.y + cell_px.y / 2 - 1),
                    IM_COL32(0, 0, 0, 255), 0, 0, r + 2.0f);
      c.dl->AddRect(ImVec2(m.x - cell_px.x / 2 + 1, m.y - cell_px.y / 2 + 1), ImVec2(m.x + cell_px.x / 2 - 1, m.y + cell_px.y / 2 - 1),
                    col, 0, 0, r);
    };
    if (current_.valid && current_.space.size() == 2 && current_.space[0].label() == sweep_space_[0].label() &&
        current_.space[1].label() == sweep_space_[1].label()) {
      const int i0 = std::clamp(static_cast<int>(std::lround((current_.values[0] - ax0.start) / d0)), 0, static_cast<int>(v0.size()) - 1);
      const int i1 = std::clamp(static_cast<int>(std::lround((current_.values[1] - ax1.start) / d1)), 0, static_cast<int>(v1.size()) - 1);
      ring(static_cast<size_t>(i0) * v1.size() + static_cast<size_t>(i1), kCurrent, 2.0f);
    }
    if (sweep_best_ >= 0) {
      ring(static_cast<size_t>(sweep_best_), IM_COL32(255, 255, 255, 255), 3.0f);
      const ImVec2 m(cell_centres_[static_cast<size_t>(sweep_best_)].first, cell_centres_[static_cast<size_t>(sweep_best_)].second);
      const std::string label = "best";
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      const float ly = m.y - cell_px.y / 2 - ts.y - 2 < c.frame.p0.y ? m.y + cell_px.y / 2 + 2 : m.y - cell_px.y / 2 - ts.y - 2;
      Widgets::HaloText(c.dl, ImVec2(std::clamp(m.x - ts.x / 2, c.frame.p0.x, c.frame.p1.x - ts.x), ly),
                        IM_COL32(255, 255, 255, 255), IM_COL32(0, 0, 0, 255), label.c_str());
    }
    if (c.hovered && c.frame.Contains(mouse)) {
      double x = 0, y = 0;
      c.frame.ToData(mouse, &x, &y);
      const int i0 = std::clamp(static_cast<int>(std::lround((x - ax0.start) / d0)), 0, static_cast<int>(v0.size()) - 1);
      const int i1 = std::clamp(static_cast<int>(std::lround((y - ax1.start) / d1)), 0, static_cast<int>(v1.size()) - 1);
      const size_t idx = static_cast<size_t>(i0) * v1.size() + static_cast<size_t>(i1);
      const double v = sweep_objective_[idx];
      if (!screenshot)
        ImGui::SetTooltip("%s = %.4g, %s = %.4g: %s", sweep_space_[0].label().c_str(), v0[static_cast<size_t>(i0)],
                          sweep_space_[1].label().c_str(), v1[static_cast<size_t>(i1)],
                          std::isfinite(v) ? fmt("%.2f%%", 100 * v).c_str() : "not done");
      if (ImGui::IsMouseClicked(0) && std::isfinite(v)) clicked = static_cast<int>(idx);
    }
    Widgets::EndCanvas2D(c);
    ImGui::SameLine(0, em(0.3f));
    Widgets::ColorBar("##sweep_bar", ImVec2(bar_w - em(0.6f), h), lo, hi, false, scale == 100.0 ? "%" : "objective");
  }
  if (clicked >= 0) set_current(TunePoint{sweep_space_, grid.point(static_cast<size_t>(clicked)),
                                          "sweep point " + std::to_string(clicked), sweep_objective_[static_cast<size_t>(clicked)], true});
}

void TunePanel::draw_cmaes_plot(ImVec2 size, bool screenshot) {
  gen_centres_.clear();
  const auto [scale, obj_name] = objective_scale();
  if (generations_.empty()) {
    draw_empty_plot(size, "CMA-ES fitness",
                    cmaes_job_.active() ? "first generation running..." : "Choose parameters and press Run CMA-ES.");
    return;
  }
  const Generation* top = nullptr;
  for (const auto& g : generations_)
    if (!top || (cmaes_maximize_ ? g.best > top->best : g.best < top->best)) top = &g;
  ImGui::Text("CMA-ES on %s: best %s in generation %d", scale == 100.0 ? tune_split_.c_str() : "the command's data",
              fmt(scale == 100.0 ? "%.1f%%" : "%.4g", scale * top->best).c_str(), top->number);
  ImGui::SameLine();
  ImGuiCompat::HelpMarker("Solid: the best candidate of each generation; dashed: the generation's mean; thin: the best so "
                          "far. Click a generation to make its best candidate the current recipe.");
  std::vector<double> xs, best, mean, so_far;
  double y0 = INFINITY, y1 = -INFINITY;
  for (const auto& g : generations_) {
    xs.push_back(g.number);
    best.push_back(scale * g.best), mean.push_back(scale * (std::isfinite(g.mean) ? g.mean : g.best));
    so_far.push_back(scale * g.best_so_far);
    for (double v : {best.back(), mean.back()})
      if (std::isfinite(v)) y0 = std::min(y0, v), y1 = std::max(y1, v);
  }
  if (!(y0 <= y1)) y0 = 0, y1 = 1;
  const double pad = std::max(0.01 * scale, (y1 - y0) * 0.12);
  Widgets::PlotSeries series[3] = {
      {"best of generation", xs.data(), best.data(), static_cast<int>(xs.size()), kBest, false, 2.0f},
      {"mean of generation", xs.data(), mean.data(), static_cast<int>(xs.size()), IM_COL32(86, 180, 233, 255), true, 2.0f},
      {"best so far", xs.data(), so_far.data(), static_cast<int>(xs.size()), IM_COL32(200, 200, 200, 255), false, 1.0f}};
  Widgets::LinePlotSpec spec;
  spec.x_title = "generation";
  spec.y_title = obj_name.c_str();
  spec.x0 = 0.5, spec.x1 = std::max(4.0, xs.back()) + 0.5;  // whole generations on the axis
  spec.y0 = std::max(0.0, y0 - pad), spec.y1 = y1 + 2.5 * pad;  // room for the legend above the curves
  std::vector<Widgets::PlotPoint> pts;
  for (const auto& g : generations_) pts.push_back({static_cast<double>(g.number), scale * g.best, kBest, nullptr});
  int current_gen = -1;
  if (current_.source.rfind("generation ", 0) == 0) current_gen = std::atoi(current_.source.c_str() + 11);
  spec.points = pts.data();
  spec.point_count = static_cast<int>(pts.size());
  spec.legend_columns = 3;
  spec.legend = size.y > em(14.0f);  // a short plot keeps its curves visible; the (?) names them
  if (current_gen > 0) spec.marker_x = current_gen, spec.marker_color = kCurrent;
  const float h = std::max(em(6.0f), size.y - ImGui::GetTextLineHeightWithSpacing());
  const auto r = Widgets::LinePlot("##cmaes_plot", ImVec2(size.x, h), spec, series, 3);
  remember_rect("cmaes_plot");
  for (const auto& g : generations_) {
    const ImVec2 s = r.frame.ToScreen(g.number, scale * g.best);
    gen_centres_.emplace_back(s.x, s.y);
  }
  if (r.hovered && std::isfinite(r.hover_x)) {
    const int gi = std::clamp(static_cast<int>(std::lround(r.hover_x)), 1, static_cast<int>(generations_.size()));
    const Generation& g = generations_[static_cast<size_t>(gi - 1)];
    if (ImGui::IsMouseClicked(0))
      set_current(TunePoint{cmaes_space_, g.best_values, "generation " + std::to_string(g.number), g.best, true});
    (void)screenshot;
  }
}

void TunePanel::draw_bars(ImVec2 size, bool test_split, bool screenshot) {
  const std::string split = test_split ? test_split_ : tune_split_;
  if (!setup_) {
    ImGui::Dummy(size);
    return;
  }
  if (setup_->external) {
    if (test_split) {
      ImGui::TextDisabled("External evaluator: the command chooses its data (no split).");
      return;
    }
    std::vector<std::string> keys;
    for (const auto* m : {&reports_.current_external, &reports_.best_external})
      for (const auto& [k, v] : *m)
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    std::vector<double> cur, best;
    std::vector<const char*> names;
    double top = 0;
    for (const auto& k : keys) {
      names.push_back(k.c_str());
      cur.push_back(reports_.current_external.count(k) ? reports_.current_external.at(k) : kNaN);
      best.push_back(reports_.best_external.count(k) ? reports_.best_external.at(k) : kNaN);
      top = std::max({top, std::isfinite(cur.back()) ? cur.back() : 0.0, std::isfinite(best.back()) ? best.back() : 0.0});
    }
    ImGui::TextUnformatted("External metrics of the current and the best recipe");
    if (keys.empty()) return;
    Widgets::BarSeries s[2] = {{"current", cur.data(), kCurrent, true}, {"best", best.data(), kBest, false}};
    Widgets::BarChartSpec spec;
    spec.group_labels = names.data();
    spec.group_count = static_cast<int>(names.size());
    spec.y0 = 0, spec.y1 = top > 0 ? top * 1.15 : 1.0;
    spec.value_format = "%.3g";
    spec.value_scale = 1.0;
    spec.tooltip = !screenshot;
    Widgets::BarChart("##ext_bars", ImVec2(size.x, size.y - ImGui::GetTextLineHeightWithSpacing()), spec, s, reports_.has_best ? 2 : 1);
    return;
  }
  ImGui::Text("Accuracy per task on the %s split%s", split.c_str(), test_split ? " (held out: over-fitting shows here)" : " (tuned on)");
  std::vector<std::string> groups = setup_->task_names;
  groups.push_back("combined");
  std::vector<const char*> names;
  for (const auto& g : groups) names.push_back(g.c_str());
  auto values = [&](const eval::EvalReport& r) {
    std::vector<double> v;
    for (const auto& t : r.tasks) v.push_back(t.metrics.accuracy);
    v.resize(groups.size() - 1, kNaN);
    v.push_back(r.combined_accuracy);
    return v;
  };
  std::vector<std::vector<double>> data;
  std::vector<std::string> labels;
  std::vector<Widgets::BarSeries> series;
  if (reports_.has_current) {
    data.push_back(values(test_split ? reports_.current_test : reports_.current_tune));
    labels.push_back("current");
  }
  if (reports_.has_best) {
    data.push_back(values(test_split ? reports_.best_test : reports_.best_tune));
    labels.push_back("best");
  }
  data.push_back(values(test_split ? setup_->base_test : setup_->base_tune));
  labels.push_back("base");
  for (size_t i = 0; i < setup_->model_tune.size(); ++i) {
    data.push_back(values(test_split ? setup_->model_test[i] : setup_->model_tune[i]));
    labels.push_back(file_name(setup_->models[i]));
  }
  for (size_t i = 0; i < data.size(); ++i) {
    ImU32 col = kBase;
    if (labels[i] == "current" && i == 0 && reports_.has_current) col = kCurrent;
    else if (labels[i] == "best" && reports_.has_best) col = kBest;
    else if (i >= data.size() - setup_->model_tune.size()) col = kModels[(i - (data.size() - setup_->model_tune.size())) % 4];
    series.push_back({labels[i].c_str(), data[i].data(), col, col == kCurrent});
  }
  Widgets::BarChartSpec spec;
  spec.group_labels = names.data();
  spec.group_count = static_cast<int>(names.size());
  spec.y0 = 0, spec.y1 = 1.0;
  spec.y_title = "accuracy (%)";
  spec.value_format = "%.0f";
  spec.tooltip = !screenshot;
  Widgets::BarChart(test_split ? "##bars_test" : "##bars_tune", ImVec2(size.x, size.y - ImGui::GetTextLineHeightWithSpacing()),
                    spec, series.data(), static_cast<int>(series.size()));
  remember_rect(test_split ? "bars_test" : "bars_tune");
}

}  // namespace mergelab::app
