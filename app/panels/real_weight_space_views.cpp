// Drawing of the real-checkpoint Weight space view (see real_weight_space_views.h).
#include "app/panels/real_weight_space_views.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/palette.h"
#include "widgets/canvas2d.h"
#include "widgets/colormap.h"
#include "widgets/contours.h"
#include "widgets/heatmap.h"
#include "widgets/imgui_compat.h"
#include "widgets/line_plot.h"

namespace mergelab::app::rws {

using ImGuiCompat::em;

namespace {
// Task colours beyond the palette's two: an Okabe-Ito-like ring that reads on both themes.
ImU32 task_color(std::size_t k) {
  static const ImU32 ring[] = {palette::kTask1, palette::kTask2, IM_COL32(0, 190, 120, 255), IM_COL32(230, 159, 0, 255),
                               IM_COL32(204, 121, 167, 255), IM_COL32(160, 160, 255, 255)};
  return ring[k % (sizeof ring / sizeof ring[0])];
}

std::string suffix_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(dot);
}
}  // namespace

std::vector<int> curve_metrics(const analysis::Scorer& s) {
  std::vector<int> out;
  const std::string suffix = suffix_of(s.combined_name);
  for (std::size_t k = 0; k < s.metric_names.size(); ++k)
    if (suffix_of(s.metric_names[k]) == suffix && s.metric_names[k].rfind("combined.", 0) != 0) out.push_back(static_cast<int>(k));
  out.push_back(-1);
  return out;
}

std::string metric_label(const analysis::Scorer& s, int index) {
  return index < 0 ? s.combined_name : s.metric_names[static_cast<std::size_t>(index)];
}

double metric_value(const analysis::PointScore& p, int index) {
  if (index < 0) return p.combined;
  return static_cast<std::size_t>(index) < p.metrics.size() ? p.metrics[static_cast<std::size_t>(index)] : NAN;
}

std::vector<double> combined_values(const std::vector<analysis::PointScore>& cells, const std::vector<bool>& evaluated) {
  std::vector<double> v(cells.size(), NAN);
  for (std::size_t k = 0; k < cells.size(); ++k)
    if (k < evaluated.size() && evaluated[k]) v[k] = cells[k].combined;
  return v;
}

namespace {
// The evaluated points of a path for one metric, sorted by t.
void path_series(const analysis::PathResult& r, int metric, std::vector<double>& xs, std::vector<double>& ys) {
  xs.clear(), ys.clear();
  for (const auto& p : r.points)
    if (p.evaluated) xs.push_back(p.t), ys.push_back(metric_value(p.score, metric));
}
}  // namespace

PathDraw draw_path(const Family& f, const PathData& d, MergePoint& mp, ImVec2 size, bool dark, float lw) {
  PathDraw out;
  const auto& sc = f.scored.scorer;
  const std::vector<int> metrics = curve_metrics(sc);
  std::vector<std::vector<double>> xs(metrics.size() * 2), ys(metrics.size() * 2);
  std::vector<std::string> labels(metrics.size());
  std::vector<Widgets::PlotSeries> series;
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    labels[m] = metric_label(sc, metrics[m]);
    const ImU32 col = metrics[m] < 0 ? palette::combined(dark) : task_color(m);
    for (int kind = 0; kind < 2; ++kind) {
      auto& x = xs[m * 2 + kind];
      auto& y = ys[m * 2 + kind];
      path_series(kind == 0 ? d.lerp : d.slerp, metrics[m], x, y);
      if (x.empty()) continue;
      Widgets::PlotSeries s;
      s.label = labels[m].c_str();
      s.x = x.data(), s.y = y.data(), s.n = static_cast<int>(x.size());
      s.color = col;
      s.dashed = kind == 1;
      s.thickness = (metrics[m] < 0 ? 3.0f : 2.0f) * lw;
      s.in_legend = kind == 0;
      series.push_back(s);
    }
  }
  Widgets::LinePlotSpec spec{"t (0 = A, 1 = B)   LERP solid, SLERP dashed", sc.combined_name.c_str()};
  spec.marker_x = mp.t;
  spec.marker_color = palette::kPoint;
  spec.legend_columns = 2;
  std::vector<Widgets::PlotPoint> pts;
  if (d.done && d.lerp.barrier.valid && d.lerp.barrier.height > 0) {
    const auto& b = d.lerp.barrier;
    pts.push_back({b.t, b.start + (b.end - b.start) * b.t + b.height, IM_COL32(255, 80, 80, 255), "barrier"});
  }
  spec.points = pts.data();
  spec.point_count = static_cast<int>(pts.size());
  const Widgets::LinePlotResult r = Widgets::LinePlot("##rws_path", size, spec, series.data(), static_cast<int>(series.size()));
  out.plot_rect = ImVec4(r.frame.p0.x, r.frame.p0.y, r.frame.p1.x, r.frame.p1.y);
  if (ImGui::IsItemActive()) {
    double x = 0, y = 0;
    r.frame.ToData(ImGui::GetIO().MousePos, &x, &y);
    x = std::clamp(x, 0.0, 1.0);
    if (x != mp.t) mp.t = x, out.t_changed = true;
  }
  out.released = ImGui::IsItemDeactivated();
  // The straight line between the ends of the combined LERP curve: what the barrier is measured against.
  if (d.done && d.lerp.barrier.valid) {
    const double lx[2] = {0.0, 1.0}, ly[2] = {d.lerp.barrier.start, d.lerp.barrier.end};
    Widgets::DrawDataPolyline(ImGui::GetWindowDrawList(), r.frame, lx, ly, 2, IM_COL32(255, 80, 80, 200), 1.0f * lw, true);
  }
  return out;
}

namespace {
// Markers, then their labels placed so they stay inside the plot and do not overlap: right of the marker (left of
// it when it would run past the right edge), moved down a line at a time while it overlaps a label already placed.
void draw_marker_labels(Widgets::Canvas2D& c, const std::vector<HeatMarker>& markers) {
  std::vector<ImVec4> placed;
  const float line = ImGui::GetTextLineHeight();
  for (const auto& m : markers) {
    Widgets::CanvasMarker(c, m.x, m.y, m.color, "", 0.4f);
    const ImVec2 p = c.frame.ToScreen(m.x, m.y);
    const ImVec2 ts = ImGui::CalcTextSize(m.label.c_str());
    ImVec2 at(p.x + em(0.6f), p.y - line);
    if (at.x + ts.x > c.frame.p1.x) at.x = std::max(c.frame.p0.x, p.x - em(0.6f) - ts.x);
    at.y = std::clamp(at.y, c.frame.p0.y, c.frame.p1.y - line);
    for (int guard = 0; guard < 40; ++guard) {
      bool overlap = false;
      for (const auto& r : placed) overlap |= at.x < r.z && at.x + ts.x > r.x && at.y < r.w && at.y + ts.y > r.y;
      if (!overlap) break;
      at.y += line;
    }
    placed.push_back(ImVec4(at.x, at.y, at.x + ts.x, at.y + ts.y));
    Widgets::HaloText(c.dl, at, m.color, IM_COL32(0, 0, 0, 220), m.label.c_str());
  }
}
}  // namespace

HeatDraw draw_heat(const char* id, const std::vector<double>& xs, const std::vector<double>& ys,
                   const std::vector<double>& values, int version, HeatCache& cache, const std::vector<HeatMarker>& markers,
                   int selected, ImVec2 size, const char* x_title, const char* y_title, const char* bar_title) {
  HeatDraw out;
  const int nx = static_cast<int>(xs.size()), ny = static_cast<int>(ys.size());
  if (nx < 2 || ny < 2 || values.size() != static_cast<std::size_t>(nx) * ny) return out;
  if (cache.version != version) {
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi <= lo) hi = lo + 1e-9;
    cache.vmin = lo, cache.vmax = hi;
    // Texture: k pixels per cell, nearest cell (a grid of measured points, not an interpolated field), row 0 on top;
    // cells not evaluated yet are dark grey. Contours are baked in at 10 levels of the measured range.
    const int k = std::max(1, 160 / std::max(nx, ny));
    cache.w = nx * k, cache.h = ny * k;
    std::vector<double> flipped(static_cast<std::size_t>(nx) * ny);
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) flipped[static_cast<std::size_t>(ny - 1 - j) * nx + i] = values[static_cast<std::size_t>(j) * nx + i];
    std::vector<ImU32> cells;
    Widgets::ColormapField(flipped.data(), nx, ny, lo, hi, false, cells);
    cache.pixels.assign(static_cast<std::size_t>(cache.w) * cache.h, 0);
    for (int y = 0; y < cache.h; ++y)
      for (int x = 0; x < cache.w; ++x) {
        const std::size_t c = static_cast<std::size_t>(y / k) * nx + x / k;
        cache.pixels[static_cast<std::size_t>(y) * cache.w + x] = std::isfinite(flipped[c]) ? cells[c] : IM_COL32(40, 40, 40, 255);
      }
    bool complete = true;
    for (double v : values) complete &= std::isfinite(v);
    if (complete) {
      std::vector<Widgets::ContourSegment> segs;
      for (double level : Widgets::ContourLevels(lo, hi, 10, false)) Widgets::MarchingSquares(flipped.data(), nx, ny, level, segs);
      // Grid coordinates are cell centres: shift by half a cell into the texture's pixel space.
      for (auto& s : segs) s.x0 += 0.5f, s.x1 += 0.5f, s.y0 += 0.5f, s.y1 += 0.5f;
      Widgets::RasterizeSegments(segs, static_cast<float>(k), IM_COL32(255, 255, 255, 130), cache.w, cache.h, cache.pixels);
    }
    cache.texture.upload(cache.pixels.data(), cache.w, cache.h);
    cache.version = version;
  }
  // Wide enough for its title ("combined.loss", "combined.nll"), which sits above the bar.
  const float bar_w = std::max(em(4.5f), (bar_title ? ImGui::CalcTextSize(bar_title).x : 0.0f) + ImGui::GetStyle().ItemSpacing.x + em(0.2f));
  const double dx = (xs[1] - xs[0]) / 2, dy = (ys[1] - ys[0]) / 2;
  Widgets::Canvas2D c = Widgets::BeginCanvas2D(id, ImVec2(size.x - bar_w, size.y), xs.front() - dx, xs.back() + dx,
                                               ys.front() - dy, ys.back() + dy, x_title, y_title, false);
  Widgets::CanvasImage(c, cache.texture.id(), xs.front() - dx, xs.back() + dx, ys.front() - dy, ys.back() + dy);
  if (selected >= 0 && selected < nx * ny) {
    const double sx = xs[static_cast<std::size_t>(selected % nx)], sy = ys[static_cast<std::size_t>(selected / nx)];
    const ImVec2 a = c.frame.ToScreen(sx - dx, sy + dy), b = c.frame.ToScreen(sx + dx, sy - dy);
    c.dl->AddRect(a, b, IM_COL32(255, 255, 255, 255), 0, 0, 2.0f);
  }
  draw_marker_labels(c, markers);
  if (c.hovered && ImGui::IsMouseClicked(0)) {
    double x = 0, y = 0;
    c.frame.ToData(ImGui::GetIO().MousePos, &x, &y);
    const int ix = static_cast<int>(std::lround((x - xs[0]) / (2 * dx))), iy = static_cast<int>(std::lround((y - ys[0]) / (2 * dy)));
    if (ix >= 0 && ix < nx && iy >= 0 && iy < ny) out.clicked = iy * nx + ix;
  }
  out.plot_rect = ImVec4(c.frame.p0.x, c.frame.p0.y, c.frame.p1.x, c.frame.p1.y);
  Widgets::EndCanvas2D(c);
  ImGui::SameLine();
  Widgets::ColorBar((std::string(id) + "_bar").c_str(), ImVec2(bar_w - ImGui::GetStyle().ItemSpacing.x, size.y), cache.vmin,
                    cache.vmax, false, bar_title);
  return out;
}

void draw_landscape_1d(const Family& f, const LandscapeData& d, ImVec2 size, bool dark, float lw) {
  const auto& sc = f.scored.scorer;
  const std::vector<int> metrics = curve_metrics(sc);
  std::vector<std::vector<double>> xs(metrics.size()), ys(metrics.size());
  std::vector<std::string> labels(metrics.size());
  std::vector<Widgets::PlotSeries> series;
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    labels[m] = metric_label(sc, metrics[m]);
    for (std::size_t k = 0; k < d.result.x_values.size() && k < d.result.cells.size(); ++k)
      if (d.result.evaluated[k]) xs[m].push_back(d.result.x_values[k]), ys[m].push_back(metric_value(d.result.cells[k], metrics[m]));
    if (xs[m].empty()) continue;
    Widgets::PlotSeries s;
    s.label = labels[m].c_str();
    s.x = xs[m].data(), s.y = ys[m].data(), s.n = static_cast<int>(xs[m].size());
    s.color = metrics[m] < 0 ? palette::combined(dark) : task_color(m);
    s.thickness = (metrics[m] < 0 ? 3.0f : 2.0f) * lw;
    series.push_back(s);
  }
  Widgets::LinePlotSpec spec{"x (filter-normalised direction)", sc.combined_name.c_str()};
  if (!d.result.x_values.empty()) spec.x0 = d.result.x_values.front(), spec.x1 = d.result.x_values.back();
  spec.marker_x = 0;
  spec.legend_columns = 2;
  Widgets::LinePlot("##rws_land1", size, spec, series.data(), static_cast<int>(series.size()));
}

namespace {
// A small labelled grid of values (a handful of cells: drawn as rectangles), Viridis over [lo, hi].
void value_grid(const char* id, const std::vector<std::string>& rows, const std::vector<std::string>& cols,
                const std::vector<double>& v, double lo, double hi, ImVec2 size) {
  ImGui::BeginGroup();
  ImGui::InvisibleButton(id, size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetItemRectMin();
  const float left = em(7.0f), top = em(1.4f);
  const float cw = std::min(em(8.0f), (size.x - left) / std::max<std::size_t>(1, cols.size()));
  const float ch = std::min(em(2.4f), (size.y - top) / std::max<std::size_t>(1, rows.size()));
  const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
  for (std::size_t c = 0; c < cols.size(); ++c) {
    // Column titles are clipped to their column (long module kinds such as post_attention_layernorm).
    const ImVec2 a(p0.x + left + cw * c, p0.y), b(a.x + cw - em(0.2f), p0.y + top);
    dl->PushClipRect(a, b, true);
    dl->AddText(ImVec2(a.x + em(0.2f), a.y), ink, cols[c].c_str());
    dl->PopClipRect();
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    dl->AddText(ImVec2(p0.x, p0.y + top + ch * r + ch / 2 - em(0.5f)), ink, rows[r].c_str());
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const double x = v[r * cols.size() + c];
      const ImVec2 a(p0.x + left + cw * c, p0.y + top + ch * r), b(a.x + cw - 1, a.y + ch - 1);
      if (!std::isfinite(x)) {
        dl->AddRect(a, b, IM_COL32(90, 90, 90, 255));
        continue;
      }
      const float s = hi > lo ? static_cast<float>((x - lo) / (hi - lo)) : 0.5f;
      dl->AddRectFilled(a, b, Widgets::Viridis(s));
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3g", x);
      if (cw > em(2.5f) && ch > em(1.1f))
        Widgets::HaloText(dl, ImVec2(a.x + em(0.2f), a.y + ch / 2 - em(0.5f)), IM_COL32(255, 255, 255, 255), IM_COL32(0, 0, 0, 200), buf);
    }
  }
  ImGui::EndGroup();
}

double stat_of(const analysis::TaskVectorStats& s, int stat) {
  switch (stat) {
    case 0: {
      double n = 0;
      for (double x : s.norms) n += x;
      return s.norms.empty() ? NAN : n / static_cast<double>(s.norms.size());
    }
    case 1: return s.mean_cosine();
    case 2: return s.sign_conflict;
    default: {
      double k = 0;
      for (double x : s.kept) k += x;
      return s.kept.empty() ? NAN : k / static_cast<double>(s.kept.size());
    }
  }
}
}  // namespace

void draw_maps(const Family& f, const MapsData& d, int stat, ImVec2 size) {
  const auto& m = d.maps;
  const std::size_t k = m.whole.norms.size();
  if (k == 0) return;
  std::vector<std::string> names(f.names.begin() + 1, f.names.end());
  names.resize(k);
  std::vector<double> cos(k * k);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) cos[i * k + j] = m.whole.cosines(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  const float wl = std::floor(size.x * 0.32f);
  ImGui::BeginGroup();
  ImGui::TextUnformatted("cosine of task vectors (whole model)");
  value_grid("##rws_cos", names, names, cos, -1.0, 1.0, ImVec2(wl, std::min(size.y - em(1.5f), em(2.0f) * (k + 1.5f))));
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  static const char* stat_names[] = {"task-vector norm (mean over models)", "pairwise cosine (mean)", "sign-conflict rate",
                                     "kept fraction at the density (mean)"};
  std::vector<std::string> rows, cols = m.kinds;
  std::vector<double> v;
  if (!m.layers.empty()) {
    for (int l : m.layers) rows.push_back("layer " + std::to_string(l));
    for (std::size_t r = 0; r < m.layers.size(); ++r)
      for (std::size_t c = 0; c < m.kinds.size(); ++c) {
        const auto* cell = m.cell(r, c);
        v.push_back(cell ? stat_of(*cell, stat) : NAN);
      }
    ImGui::Text("layers x module kind: %s", stat_names[stat]);
  } else {
    // No layer numbers (an MLP): one row of tensor groups.
    rows = {"group"};
    cols.clear();
    for (const auto& g : m.groups) cols.push_back(g.name), v.push_back(stat_of(g, stat));
    ImGui::Text("tensor groups: %s", stat_names[stat]);
  }
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  value_grid("##rws_grid", rows, cols, v, lo, hi, ImVec2(size.x - wl - ImGui::GetStyle().ItemSpacing.x, size.y - em(1.5f)));
  ImGui::EndGroup();
}

}  // namespace mergelab::app::rws
