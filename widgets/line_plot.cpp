#include "widgets/line_plot.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "widgets/imgui_compat.h"

namespace Widgets {

using ImGuiCompat::em;

double SampleSeries(const PlotSeries& s, double x) {
  if (s.n <= 0) return NAN;
  if (x <= s.x[0]) return s.y[0];
  if (x >= s.x[s.n - 1]) return s.y[s.n - 1];
  const int k = static_cast<int>(std::upper_bound(s.x, s.x + s.n, x) - s.x) - 1;
  const double f = (x - s.x[k]) / (s.x[k + 1] - s.x[k]);
  return s.y[k] + f * (s.y[k + 1] - s.y[k]);
}

LinePlotResult LinePlot(const char* id, ImVec2 size, const LinePlotSpec& spec, const PlotSeries* series, int count) {
  LinePlotResult res;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  res.hovered = ImGui::IsItemHovered();
  double y0 = spec.y0, y1 = spec.y1;
  if (!(y1 > y0)) {
    y0 = std::numeric_limits<double>::infinity(), y1 = -y0;
    for (int s = 0; s < count; ++s)
      for (int k = 0; k < series[s].n; ++k)
        if (std::isfinite(series[s].y[k])) y0 = std::min(y0, series[s].y[k]), y1 = std::max(y1, series[s].y[k]);
    if (!(y1 > y0)) y0 = 0, y1 = 1;
    const double pad = 0.06 * (y1 - y0);
    y0 -= pad, y1 += pad;
  }
  const bool has_x = spec.x_title && *spec.x_title, has_y = spec.y_title && *spec.y_title;
  res.frame = LayoutPlotFrame(tl, size, spec.x0, spec.x1, y0, y1, false, has_x, has_y);
  const PlotFrame& f = res.frame;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  DrawPlotAxes(dl, f, spec.x_title, spec.y_title, true);

  for (int s = 0; s < count; ++s)
    DrawDataPolyline(dl, f, series[s].x, series[s].y, series[s].n, series[s].color, series[s].thickness,
                     series[s].dashed);

  if (std::isfinite(spec.marker_x)) {
    const float x = std::round(f.ToScreen(spec.marker_x, y0).x);
    const ImU32 c = spec.marker_color ? spec.marker_color : ImGui::GetColorU32(ImGuiCol_Text, 0.8f);
    dl->AddLine(ImVec2(x, f.p0.y), ImVec2(x, f.p1.y), c, 1.0f);
  }
  dl->PushClipRect(f.p0, f.p1, true);
  for (int p = 0; p < spec.point_count; ++p) {
    const PlotPoint& pt = spec.points[p];
    const ImVec2 s = f.ToScreen(pt.x, pt.y);
    dl->AddCircleFilled(s, em(0.32f), pt.color, 12);
    dl->AddCircle(s, em(0.32f), ImGui::GetColorU32(ImGuiCol_WindowBg), 12, 1.0f);
    if (pt.label) dl->AddText(ImVec2(s.x + em(0.4f), s.y - em(1.3f)), ImGui::GetColorU32(ImGuiCol_Text), pt.label);
  }
  dl->PopClipRect();

  if (spec.legend) {
    // Legend box in the top-right corner: a line sample (dashed or not) and the label.
    float w = 0.0f;
    int rows = 0;
    for (int s = 0; s < count; ++s)
      if (series[s].in_legend) w = std::max(w, ImGui::CalcTextSize(series[s].label).x), ++rows;
    const float item_w = w + em(2.6f), line_h = ImGui::GetTextLineHeight();
    // As many columns as asked for, but no more than fit inside the plot (never over the tick labels).
    const int fit = static_cast<int>((f.p1.x - f.p0.x - em(1.2f)) / item_w);
    const int cols = std::max(1, std::min(spec.legend_columns, fit));
    const int lines = (rows + cols - 1) / cols;
    const ImVec2 b1(f.p1.x - em(0.4f), f.p0.y + em(0.4f) + lines * line_h + em(0.4f));
    const ImVec2 b0(b1.x - cols * item_w - em(0.4f), f.p0.y + em(0.4f));
    if (rows > 0) {
      dl->AddRectFilled(b0, b1, ImGui::GetColorU32(ImGuiCol_WindowBg, 0.85f), em(0.2f));
      dl->AddRect(b0, b1, ImGui::GetColorU32(ImGuiCol_Border), em(0.2f));
      int k = 0;
      for (int s = 0; s < count; ++s) {
        if (!series[s].in_legend) continue;
        const float x = b0.x + em(0.4f) + (k % cols) * item_w, y = b0.y + em(0.2f) + (k / cols) * line_h;
        const float ym = y + line_h * 0.5f;
        if (series[s].dashed) {
          for (int d = 0; d < 3; ++d)
            dl->AddLine(ImVec2(x + d * em(0.7f), ym), ImVec2(x + d * em(0.7f) + em(0.4f), ym), series[s].color,
                        series[s].thickness);
        } else {
          dl->AddLine(ImVec2(x, ym), ImVec2(x + em(1.8f), ym), series[s].color, series[s].thickness);
        }
        dl->AddText(ImVec2(x + em(2.2f), y), ImGui::GetColorU32(ImGuiCol_Text), series[s].label);
        ++k;
      }
    }
  }

  if (res.hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    if (f.Contains(m)) {
      double x, y;
      f.ToData(m, &x, &y);
      res.hover_x = x;
      dl->AddLine(ImVec2(m.x, f.p0.y), ImVec2(m.x, f.p1.y), ImGui::GetColorU32(ImGuiCol_Text, 0.35f), 1.0f);
      ImGui::BeginTooltip();
      ImGui::Text("%s = %.3f", has_x ? spec.x_title : "x", x);
      for (int s = 0; s < count; ++s) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(series[s].color), "%s%s: %.3f", series[s].label,
                           series[s].dashed ? " (dashed)" : "", SampleSeries(series[s], x));
      }
      ImGui::EndTooltip();
    }
  }
  return res;
}

}  // namespace Widgets
