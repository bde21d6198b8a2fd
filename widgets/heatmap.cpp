#include "widgets/heatmap.h"

#include <cmath>
#include <cstdio>

#include "widgets/colormap.h"
#include "widgets/imgui_compat.h"
#include "widgets/plot_frame.h"

namespace Widgets {

using ImGuiCompat::em;

void CanvasContours(Canvas2D& c, const std::vector<ContourSegment>& segs, int cols, int rows, double x0, double x1,
                    double y0, double y1, ImU32 color) {
  const double sx = (x1 - x0) / (cols - 1), sy = (y1 - y0) / (rows - 1);
  for (const auto& s : segs)
    c.dl->AddLine(c.frame.ToScreen(x0 + s.x0 * sx, y0 + s.y0 * sy), c.frame.ToScreen(x0 + s.x1 * sx, y0 + s.y1 * sy),
                  color, 1.0f);
}

void ColorBar(const char* id, ImVec2 size, double vmin, double vmax, bool log_scale, const char* title) {
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float top = tl.y + em(1.6f), bottom = tl.y + size.y - em(0.8f);
  const float x0 = tl.x + em(0.2f), x1 = x0 + em(1.0f);
  if (title) dl->AddText(ImVec2(tl.x, tl.y), ImGui::GetColorU32(ImGuiCol_Text), title);
  // 32 stacked gradient strips: cheap and smooth enough.
  const int strips = 32;
  for (int k = 0; k < strips; ++k) {
    const float ya = bottom - (bottom - top) * k / strips, yb = bottom - (bottom - top) * (k + 1) / strips;
    const ImU32 ca = Viridis(static_cast<float>(k) / strips), cb = Viridis(static_cast<float>(k + 1) / strips);
    dl->AddRectFilledMultiColor(ImVec2(x0, yb), ImVec2(x1, ya), cb, cb, ca, ca);
  }
  dl->AddRect(ImVec2(x0, top), ImVec2(x1, bottom), ImGui::GetColorU32(ImGuiCol_Text, 0.55f));
  const double lo = log_scale ? std::log10(vmin) : vmin, hi = log_scale ? std::log10(vmax) : vmax;
  if (!(hi > lo)) return;
  std::vector<double> ticks;
  if (log_scale && hi - lo < 1.2) {
    // Less than ~1 decade: round values, placed on the log axis.
    for (double v : NiceTicks(vmin, vmax, 6))
      if (v > 0) ticks.push_back(std::log10(v));
  } else if (log_scale) {
    for (double d = std::floor(lo); d <= std::ceil(hi); d += 1.0)
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = std::log10(m) + d;
        if (v >= lo && v <= hi) ticks.push_back(v);
      }
  } else {
    ticks = NiceTicks(lo, hi, 5);
  }
  for (double v : ticks) {
    const float y = bottom - static_cast<float>((v - lo) / (hi - lo)) * (bottom - top);
    dl->AddLine(ImVec2(x1, y), ImVec2(x1 + em(0.3f), y), ImGui::GetColorU32(ImGuiCol_Text));
    char buf[32];
    const double value = log_scale ? std::pow(10.0, v) : v;
    // Linear ticks get the decimals their step needs (0.65, 0.70, 0.75 rather than 0.7, 0.7, 0.8).
    if (!log_scale && ticks.size() > 1)
      std::snprintf(buf, sizeof buf, "%s", TickLabel(value, ticks[1] - ticks[0]).c_str());
    else
      std::snprintf(buf, sizeof buf, value < 0.1 ? "%.2f" : (value < 10 ? "%.1f" : "%.0f"), value);
    dl->AddText(ImVec2(x1 + em(0.4f), y - ImGui::GetTextLineHeight() * 0.5f), ImGui::GetColorU32(ImGuiCol_Text), buf);
  }
}

}  // namespace Widgets
