// SVG and PNG forms of the real-checkpoint Weight space pictures (the panel writes them on a worker thread).
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>

#include "app/gui/svg.h"
#include "app/panels/real_weight_space_views.h"

namespace mergelab::app::rws {

namespace {
constexpr ImU32 kPaper = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kInk = IM_COL32(20, 20, 20, 255);
const ImU32 kSvgColors[] = {IM_COL32(214, 60, 40, 255), IM_COL32(40, 110, 200, 255), IM_COL32(0, 150, 90, 255),
                            IM_COL32(200, 130, 0, 255), IM_COL32(160, 80, 160, 255)};

void png_sink(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}
}  // namespace

std::string svg_path(const Family& f, const PathData& d, double merge_t) {
  const auto& sc = f.scored.scorer;
  const std::vector<int> metrics = curve_metrics(sc);
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* r : {&d.lerp, &d.slerp})
    for (const auto& p : r->points)
      if (p.evaluated)
        for (int m : metrics) lo = std::min(lo, metric_value(p.score, m)), hi = std::max(hi, metric_value(p.score, m));
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi <= lo) hi = lo + 1;
  const double pad = (hi - lo) * 0.05;
  Svg svg(720, 440);
  svg.rect(0, 0, 720, 440, kPaper);
  SvgAxes ax{70, 20, 480, 360, 0, 1, lo - pad, hi + pad};
  ax.draw(svg, "t (0 = A, 1 = B); LERP solid, SLERP dashed", sc.combined_name.c_str(), kInk);
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    const ImU32 col = metrics[m] < 0 ? kInk : kSvgColors[m % 5];
    for (int kind = 0; kind < 2; ++kind) {
      std::vector<std::pair<double, double>> pts;
      for (const auto& p : (kind ? d.slerp : d.lerp).points)
        if (p.evaluated) pts.emplace_back(ax.sx(p.t), ax.sy(metric_value(p.score, metrics[m])));
      svg.polyline(pts, col, metrics[m] < 0 ? 2.5 : 1.5, kind == 1);
    }
    svg.line(565, 40 + 20.0 * m, 590, 40 + 20.0 * m, col, 2);
    svg.text(596, 44 + 20.0 * m, metric_label(sc, metrics[m]), 11, kInk);
  }
  if (d.lerp.barrier.valid)
    svg.line(ax.sx(0), ax.sy(d.lerp.barrier.start), ax.sx(1), ax.sy(d.lerp.barrier.end), IM_COL32(220, 40, 40, 255), 1, true);
  svg.line(ax.sx(merge_t), ax.y, ax.sx(merge_t), ax.y + ax.h, IM_COL32(200, 160, 0, 255), 1.5);
  svg.text(70, 430, d.lerp.barrier.verdict, 11, kInk);
  return svg.str();
}

std::string svg_heat(const std::vector<double>& xs, const std::vector<double>& ys, const HeatCache& cache,
                     const std::vector<HeatMarker>& markers, const char* x_title, const char* y_title, const char* title) {
  Svg svg(620, 600);
  svg.rect(0, 0, 620, 600, kPaper);
  if (xs.size() < 2 || ys.size() < 2) return svg.str();
  const double dx = (xs[1] - xs[0]) / 2, dy = (ys[1] - ys[0]) / 2;
  SvgAxes ax{70, 30, 500, 500, xs.front() - dx, xs.back() + dx, ys.front() - dy, ys.back() + dy};
  if (!cache.pixels.empty()) svg.image(ax.x, ax.y, ax.w, ax.h, cache.pixels, cache.w, cache.h);
  ax.draw(svg, x_title, y_title, kInk);
  for (const auto& m : markers) {
    svg.circle(ax.sx(m.x), ax.sy(m.y), 5, m.color, kInk);
    svg.text(ax.sx(m.x) + 8, ax.sy(m.y) - 6, m.label, 11, kInk);
  }
  svg.text(70, 18, title, 12, kInk);
  return svg.str();
}

std::string png_of(const std::vector<ImU32>& pixels, int w, int h) {
  std::string png;
  if (w > 0 && h > 0) stbi_write_png_to_func(png_sink, &png, w, h, 4, pixels.data(), w * 4);
  return png;
}

}  // namespace mergelab::app::rws
