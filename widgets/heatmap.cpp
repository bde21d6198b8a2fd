#include "widgets/heatmap.h"

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <string>

#include "widgets/colormap.h"
#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"
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

namespace {

/// Tick labels that differ from each other: the step's decimals, one more when two would read the same.
std::vector<std::string> distinct_labels(const std::vector<double>& values, bool log_scale, double step) {
  std::vector<std::string> out;
  for (int extra = 0; extra < 4; ++extra) {
    out.clear();
    for (double v : values) {
      char buf[32];
      if (!log_scale && values.size() > 1 && extra == 0)
        std::snprintf(buf, sizeof buf, "%s", TickLabel(v, step).c_str());
      else
        std::snprintf(buf, sizeof buf, "%.*g", 2 + extra, v);
      out.emplace_back(buf);
    }
    bool same = false;
    for (size_t k = 1; k < out.size(); ++k) same |= out[k] == out[k - 1];
    if (!same) break;
  }
  return out;
}

}  // namespace

bool ColorBar(const char* id, ImVec2 size, double vmin, double vmax, bool log_scale, const char* title) {
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)));
  const ImVec2 br(tl.x + size.x, tl.y + size.y);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float top = tl.y + em(1.6f), bottom = tl.y + size.y - em(0.8f);
  const float x0 = tl.x + em(0.2f), x1 = x0 + em(1.0f);
  const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
  if (title) {
    dl->AddText(ImVec2(tl.x, tl.y), ink, title);
    LayoutAudit::CheckTextInside((std::string(id) + " title").c_str(), title, tl, tl, br);
  }
  const double lo = log_scale ? std::log10(vmin) : vmin, hi = log_scale ? std::log10(vmax) : vmax;
  // A constant field (or one whose spread is below what a label can show) gets one colour and one
  // label, never a ladder of identical ticks.
  const bool constant = !(hi > lo) || (!log_scale && hi - lo <= 1e-4 * std::max(std::abs(hi), std::abs(lo)));
  if (constant) {
    const ImU32 c = Viridis(0.5f);
    dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, bottom), c);
    dl->AddRect(ImVec2(x0, top), ImVec2(x1, bottom), ImGui::GetColorU32(ImGuiCol_Text, 0.55f));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", vmin);
    const ImVec2 at(x1 + em(0.35f), 0.5f * (top + bottom) - ImGui::GetTextLineHeight());
    dl->AddText(at, ink, "all");
    dl->AddText(ImVec2(at.x, at.y + ImGui::GetTextLineHeight()), ink, buf);
    LayoutAudit::CheckTextInside((std::string(id) + " value").c_str(), buf, ImVec2(at.x, at.y + ImGui::GetTextLineHeight()), tl, br);
    return true;
  }
  // 32 stacked gradient strips: cheap and smooth enough.
  const int strips = 32;
  for (int k = 0; k < strips; ++k) {
    const float ya = bottom - (bottom - top) * k / strips, yb = bottom - (bottom - top) * (k + 1) / strips;
    const ImU32 ca = Viridis(static_cast<float>(k) / strips), cb = Viridis(static_cast<float>(k + 1) / strips);
    dl->AddRectFilledMultiColor(ImVec2(x0, yb), ImVec2(x1, ya), cb, cb, ca, ca);
  }
  dl->AddRect(ImVec2(x0, top), ImVec2(x1, bottom), ImGui::GetColorU32(ImGuiCol_Text, 0.55f));
  // As many ticks as fit with a line and a half between labels.
  const int target = std::clamp(static_cast<int>((bottom - top) / (ImGui::GetTextLineHeight() * 2.2f)), 2, 6);
  std::vector<double> ticks;
  if (log_scale && hi - lo < 1.2) {
    // Less than ~1 decade: round values, placed on the log axis.
    for (double v : NiceTicks(vmin, vmax, target))
      if (v > 0) ticks.push_back(std::log10(v));
  } else if (log_scale) {
    const double per_decade = (target + 0.5) / (hi - lo);
    for (double d = std::floor(lo); d <= std::ceil(hi); d += 1.0)
      for (double m : {1.0, 2.0, 5.0}) {
        if (m != 1.0 && per_decade < (m == 2.0 ? 3.0 : 2.0)) continue;  // crowded: fewer per decade
        const double v = std::log10(m) + d;
        if (v >= lo && v <= hi) ticks.push_back(v);
      }
  } else {
    ticks = NiceTicks(lo, hi, target);
  }
  std::vector<double> values;
  for (double v : ticks) values.push_back(log_scale ? std::pow(10.0, v) : v);
  const auto labels = distinct_labels(values, log_scale, ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0);
  const float lh = ImGui::GetTextLineHeight();
  float last_y = 1e9f;
  for (size_t k = 0; k < ticks.size(); ++k) {
    const float y = bottom - static_cast<float>((ticks[k] - lo) / (hi - lo)) * (bottom - top);
    if (last_y - y < lh) continue;  // would touch the label below
    last_y = y;
    // The tick crosses the bar's right edge (inside it), so no dash sits in front of the number.
    dl->AddLine(ImVec2(x1 - em(0.35f), y), ImVec2(x1, y), ImGui::GetColorU32(ImGuiCol_WindowBg));
    const ImVec2 at(x1 + em(0.35f), y - lh * 0.5f);
    dl->AddText(at, ink, labels[k].c_str());
    LayoutAudit::CheckTextInside((std::string(id) + " tick").c_str(), labels[k].c_str(), at, ImVec2(tl.x, tl.y - lh), ImVec2(br.x, br.y + lh));
  }
  return false;
}

}  // namespace Widgets
