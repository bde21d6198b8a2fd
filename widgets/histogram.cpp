#include "widgets/histogram.h"

#include <algorithm>
#include <cmath>

namespace Widgets {

double HistogramBins::max_count() const {
  double m = 0;
  for (double c : counts) m = std::max(m, c);
  return m;
}

HistogramBins BinValues(const float* values, long n, int n_bins) {
  HistogramBins b;
  n_bins = std::max(n_bins, 1);
  double lo = INFINITY, hi = -INFINITY;
  for (long i = 0; i < n; ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!(lo <= hi)) lo = 0, hi = 1;         // no finite value
  if (hi - lo <= 0) lo -= 0.5, hi += 0.5;  // constant input
  b.lo = lo, b.hi = hi;
  b.counts.assign(static_cast<size_t>(n_bins), 0.0);
  const double scale = n_bins / (hi - lo);
  for (long i = 0; i < n; ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) continue;
    const int k = std::clamp(static_cast<int>((v - lo) * scale), 0, n_bins - 1);
    b.counts[static_cast<size_t>(k)] += 1;
  }
  return b;
}

PlotFrame Histogram(const char* id, const HistogramBins& bins, ImVec2 size, const HistogramMarker* markers,
                    int n_markers, const char* x_title, const char* y_title, const HistogramStyle& style) {
  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  auto ymap = [&](double c) { return style.log_counts ? std::log10(1.0 + c) : c; };
  const double ymax = std::max(ymap(bins.max_count()) * 1.08, 1e-9);
  PlotFrame f = LayoutPlotFrame(top_left, size, bins.lo, bins.hi, 0.0, ymax, false, x_title != nullptr,
                                y_title != nullptr);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(f.p0, f.p1, true);
  const size_t n = bins.counts.size();
  const double w = (bins.hi - bins.lo) / static_cast<double>(std::max<size_t>(n, 1));
  const bool band = style.band_lo < style.band_hi;
  for (size_t i = 0; i < n; ++i) {
    if (bins.counts[i] <= 0) continue;
    const double x0 = bins.lo + w * static_cast<double>(i), x1 = x0 + w, mid = 0.5 * (x0 + x1);
    const ImVec2 a = f.ToScreen(x0, ymap(bins.counts[i])), b = f.ToScreen(x1, 0.0);
    const bool in_band = band && mid > style.band_lo && mid < style.band_hi;
    // At least one pixel wide so that narrow bins stay visible.
    dl->AddRectFilled(a, ImVec2(std::max(b.x - 1.0f, a.x + 1.0f), b.y), in_band ? style.band_bar : style.bar);
  }
  for (int m = 0; m < n_markers; ++m) {
    if (markers[m].x < bins.lo || markers[m].x > bins.hi) continue;
    const ImVec2 top = f.ToScreen(markers[m].x, ymax), bottom = f.ToScreen(markers[m].x, 0.0);
    dl->AddLine(top, bottom, markers[m].color, 2.0f);
    if (markers[m].label) dl->AddText(ImVec2(top.x + 3.0f, top.y + 2.0f), markers[m].color, markers[m].label);
  }
  dl->PopClipRect();
  DrawPlotAxes(dl, f, x_title, y_title, true);
  return f;
}

}  // namespace Widgets
