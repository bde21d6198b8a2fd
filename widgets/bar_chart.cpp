#include "widgets/bar_chart.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"
#include "widgets/plot_frame.h"

namespace Widgets {

using ImGuiCompat::em;

BarChartResult BarChart(const char* id, ImVec2 size, const BarChartSpec& spec, const BarSeries* series, int series_count) {
  BarChartResult res;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  res.hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_Text, 0.12f);
  const ImU32 border = ImGui::GetColorU32(ImGuiCol_Text, 0.55f);
  const float line_h = ImGui::GetTextLineHeight();

  // Legend on top, the plot below it, group labels under the x axis.
  // The legend wraps onto as many lines as it needs: a label is never cut by the plot's edge.
  const float sw = line_h * 0.8f;
  std::vector<ImVec2> legend_at(static_cast<size_t>(std::max(series_count, 0)));
  float legend_h = 0.0f;
  if (spec.legend && series_count > 0) {
    float x = tl.x + em(3.0f), y = tl.y;
    for (int s = 0; s < series_count; ++s) {
      const float w = sw + em(0.3f) + ImGui::CalcTextSize(series[s].label).x;
      if (x + w > tl.x + size.x && x > tl.x + em(3.0f) + 1.0f) x = tl.x + em(3.0f), y += line_h * 1.15f;
      legend_at[static_cast<size_t>(s)] = ImVec2(x, y);
      x += w + em(1.0f);
    }
    legend_h = y - tl.y + line_h * 1.4f;
  }
  const ImVec2 plot_tl(tl.x, tl.y + legend_h);
  const ImVec2 plot_size(size.x, std::max(size.y - legend_h, em(4.0f)));
  PlotFrame f = LayoutPlotFrame(plot_tl, plot_size, 0.0, std::max(1, spec.group_count), spec.y0, spec.y1, false, false,
                                spec.y_title && *spec.y_title);
  LayoutAudit::CheckPlotSize(id, f.p0, f.p1, em(4.0f));
  dl->PushClipRect(tl, ImVec2(tl.x + size.x, tl.y + size.y), true);

  for (int s = 0; s < series_count && spec.legend; ++s) {
    const ImVec2 at = legend_at[static_cast<size_t>(s)];
    dl->AddRectFilled(ImVec2(at.x, at.y + line_h * 0.15f), ImVec2(at.x + sw, at.y + line_h * 0.15f + sw), series[s].color);
    if (series[s].outlined)
      dl->AddRect(ImVec2(at.x, at.y + line_h * 0.15f), ImVec2(at.x + sw, at.y + line_h * 0.15f + sw), text, 0.0f, 0, 1.0f);
    const ImVec2 lp(at.x + sw + em(0.3f), at.y);
    dl->AddText(lp, text, series[s].label);
    LayoutAudit::CheckTextInside("bar legend", series[s].label, lp, tl, ImVec2(tl.x + size.x, tl.y + size.y));
  }

  // y axis: ticks and grid lines only (the x axis is categorical).
  const int ny = std::max(2, static_cast<int>((f.p1.y - f.p0.y) / em(2.5f)));
  const auto yt = NiceTicks(f.y0, f.y1, ny);
  const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
  for (double v : yt) {
    const float y = std::round(f.ToScreen(0, v).y);
    dl->AddLine(ImVec2(f.p0.x, y), ImVec2(f.p1.x, y), faint, 1.0f);
    const std::string s = TickLabel(v * spec.value_scale, ystep * spec.value_scale);
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    dl->AddText(ImVec2(f.p0.x - em(0.3f) - ts.x, y - ts.y * 0.5f), text, s.c_str());
  }
  if (spec.y_title && *spec.y_title) dl->AddText(ImVec2(f.p0.x - em(0.2f), f.p0.y - em(1.3f)), text, spec.y_title);
  dl->AddLine(ImVec2(f.p0.x, f.p1.y), ImVec2(f.p1.x, f.p1.y), border, 1.0f);
  dl->AddLine(ImVec2(f.p0.x, f.p0.y), ImVec2(f.p0.x, f.p1.y), border, 1.0f);

  // Bars: each group is one unit wide; bars fill 80% of it.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const float unit = (f.p1.x - f.p0.x) / static_cast<float>(std::max(1, spec.group_count));
  const float bar_w = series_count > 0 ? unit * 0.8f / static_cast<float>(series_count) : 0.0f;
  for (int g = 0; g < spec.group_count; ++g) {
    const float gx = f.p0.x + unit * g + unit * 0.1f;
    for (int s = 0; s < series_count; ++s) {
      const double v = series[s].values ? series[s].values[g] : NAN;
      if (std::isnan(v)) continue;
      const float x0 = gx + bar_w * s, x1 = x0 + bar_w - std::max(1.0f, bar_w * 0.08f);
      const float ybase = f.ToScreen(0, std::clamp(0.0, f.y0, f.y1)).y;
      const float yv = f.ToScreen(0, std::clamp(v, f.y0, f.y1)).y;
      const ImVec2 a(x0, std::min(ybase, yv)), b(x1, std::max(ybase, yv));
      dl->AddRectFilled(a, b, series[s].color);
      if (series[s].outlined) dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), text, 0.0f, 0, 2.0f);
      if (res.hovered && mouse.x >= x0 && mouse.x < x1 && mouse.y >= f.p0.y && mouse.y <= f.p1.y) {
        res.group = g;
        res.series = s;
      }
      if (spec.value_format && *spec.value_format) {
        char buf[32];
        std::snprintf(buf, sizeof buf, spec.value_format, v * spec.value_scale);
        const ImVec2 ts = ImGui::CalcTextSize(buf);
        if (ts.x <= bar_w * 1.05f) dl->AddText(ImVec2(0.5f * (x0 + x1) - ts.x * 0.5f, a.y - ts.y - 1.0f), text, buf);
      }
    }
    if (spec.group_labels) {
      const char* label = spec.group_labels[g];
      const ImVec2 ts = ImGui::CalcTextSize(label);
      dl->AddText(ImVec2(f.p0.x + unit * (g + 0.5f) - ts.x * 0.5f, f.p1.y + em(0.2f)), text, label);
    }
  }
  for (int r = 0; r < spec.reference_count; ++r) {
    const float y = std::round(f.ToScreen(0, spec.reference_lines[r]).y);
    for (float x = f.p0.x; x < f.p1.x; x += em(0.8f))
      dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + em(0.4f), f.p1.x), y), text, 1.0f);
    if (spec.reference_labels && spec.reference_labels[r]) {
      const ImVec2 ts = ImGui::CalcTextSize(spec.reference_labels[r]);
      dl->AddText(ImVec2(f.p1.x - ts.x - em(0.2f), y - ts.y - 1.0f), text, spec.reference_labels[r]);
    }
  }
  dl->PopClipRect();

  if (res.series >= 0 && spec.tooltip) {
    ImGui::BeginTooltip();
    ImGui::Text("%s, %s: %.1f", spec.group_labels ? spec.group_labels[res.group] : "", series[res.series].label,
                series[res.series].values[res.group] * spec.value_scale);
    ImGui::EndTooltip();
  }
  return res;
}

}  // namespace Widgets
