#include "widgets/plot_frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"

namespace Widgets {

using ImGuiCompat::em;

std::vector<double> NiceTicks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo) || target < 1) return ticks;
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return ticks;
}

std::string TickLabel(double v, double step) {
  // As many decimals as the step needs: 0.25 -> 2 (0.25, 0.50, 0.75), 2.5 -> 1, 0.1 -> 1, 5 -> 0.
  char buf[32];
  const double a = std::abs(step);
  int decimals = 0;
  while (a > 0.0 && decimals <= 6) {
    const double scaled = a * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) <= 1e-6 * scaled) break;
    ++decimals;
  }
  if (decimals > 6)
    std::snprintf(buf, sizeof buf, "%.1e", v);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  const std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos) return decimals > 0 ? s.substr(s[0] == '-' ? 1 : 0) : "0";
  return s;
}

PlotFrame LayoutPlotFrame(ImVec2 tl, ImVec2 size, double x0, double x1, double y0, double y1, bool equal_aspect,
                          bool has_x_title, bool has_y_title) {
  PlotFrame f;
  const float left = em(3.0f), bottom = em(has_x_title ? 2.6f : 1.5f);
  f.p0 = ImVec2(tl.x + left, tl.y + em(has_y_title ? 1.4f : 0.6f));
  f.p1 = ImVec2(tl.x + size.x - em(0.8f), tl.y + size.y - bottom);
  f.p1.x = std::max(f.p1.x, f.p0.x + 10.0f);
  f.p1.y = std::max(f.p1.y, f.p0.y + 10.0f);
  f.x0 = x0, f.x1 = x1, f.y0 = y0, f.y1 = y1;
  if (equal_aspect) {
    const double w = f.p1.x - f.p0.x, h = f.p1.y - f.p0.y;
    const double sx = (x1 - x0) / w, sy = (y1 - y0) / h;  // data units per pixel
    const double s = std::max(sx, sy);
    const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    f.x0 = cx - 0.5 * s * w, f.x1 = cx + 0.5 * s * w;
    f.y0 = cy - 0.5 * s * h, f.y1 = cy + 0.5 * s * h;
  }
  return f;
}

void DrawPlotAxes(ImDrawList* dl, const PlotFrame& f, const char* x_title, const char* y_title, bool grid_lines) {
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_Text, 0.12f);
  const ImU32 border = ImGui::GetColorU32(ImGuiCol_Text, 0.55f);
  const float tick = em(0.3f);
  const int nx = std::max(2, static_cast<int>((f.p1.x - f.p0.x) / em(5.0f)));
  const int ny = std::max(2, static_cast<int>((f.p1.y - f.p0.y) / em(3.0f)));
  const auto xt = NiceTicks(f.x0, f.x1, nx), yt = NiceTicks(f.y0, f.y1, ny);
  // Labels must stay inside what the panel shows (its clip rectangle).
  const ImVec2 c0 = dl->GetClipRectMin(), c1 = dl->GetClipRectMax();
  const double xs = xt.size() > 1 ? xt[1] - xt[0] : 1.0, ys = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
  for (double v : xt) {
    const float x = std::round(f.ToScreen(v, f.y0).x);
    if (grid_lines) dl->AddLine(ImVec2(x, f.p0.y), ImVec2(x, f.p1.y), faint, 1.0f);
    dl->AddLine(ImVec2(x, f.p1.y), ImVec2(x, f.p1.y + tick), border, 1.0f);
    const std::string s = TickLabel(v, xs);
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    dl->AddText(ImVec2(x - ts.x * 0.5f, f.p1.y + tick), text, s.c_str());
    LayoutAudit::CheckTextInside("plot x tick", s.c_str(), ImVec2(x - ts.x * 0.5f, f.p1.y + tick), c0, c1);
  }
  for (double v : yt) {
    const float y = std::round(f.ToScreen(f.x0, v).y);
    if (grid_lines) dl->AddLine(ImVec2(f.p0.x, y), ImVec2(f.p1.x, y), faint, 1.0f);
    dl->AddLine(ImVec2(f.p0.x - tick, y), ImVec2(f.p0.x, y), border, 1.0f);
    const std::string s = TickLabel(v, ys);
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    dl->AddText(ImVec2(f.p0.x - tick - ts.x - em(0.15f), y - ts.y * 0.5f), text, s.c_str());
    LayoutAudit::CheckTextInside("plot y tick", s.c_str(), ImVec2(f.p0.x - tick - ts.x - em(0.15f), y - ts.y * 0.5f), c0, c1);
  }
  dl->AddRect(f.p0, f.p1, border, 0.0f, 0, 1.0f);
  if (x_title && *x_title) {
    const ImVec2 ts = ImGui::CalcTextSize(x_title);
    const ImVec2 at(0.5f * (f.p0.x + f.p1.x) - ts.x * 0.5f, f.p1.y + tick + em(1.15f));
    dl->AddText(at, text, x_title);
    LayoutAudit::CheckTextInside("plot x title", x_title, at, c0, c1);
  }
  if (y_title && *y_title) {
    // 1.86 has no rotated text: the y title sits above the axis, left-aligned.
    dl->AddText(ImVec2(f.p0.x - em(0.2f), f.p0.y - em(1.3f)), text, y_title);
    LayoutAudit::CheckTextInside("plot y title", y_title, ImVec2(f.p0.x - em(0.2f), f.p0.y - em(1.3f)), c0, c1);
  }
}

void DrawDataPolyline(ImDrawList* dl, const PlotFrame& f, const double* xs, const double* ys, int n, ImU32 color,
                      float thickness, bool dashed, float dash) {
  if (n < 2) return;
  dl->PushClipRect(f.p0, f.p1, true);
  if (!dashed) {
    ImVector<ImVec2> pts;
    pts.resize(n);
    for (int k = 0; k < n; ++k) pts[k] = f.ToScreen(xs[k], ys[k]);
    dl->AddPolyline(pts.Data, n, color, 0, thickness);
  } else {
    // Walk the polyline and emit pieces of length `dash`, skipping every other one.
    bool on = true;
    float left = dash;
    ImVec2 a = f.ToScreen(xs[0], ys[0]);
    for (int k = 1; k < n; ++k) {
      const ImVec2 b = f.ToScreen(xs[k], ys[k]);
      float seg = std::sqrt((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y));
      ImVec2 p = a;
      while (seg > 0.0f) {
        const float step = std::min(left, seg);
        const float r = step / seg;
        const ImVec2 q(p.x + (b.x - p.x) * r, p.y + (b.y - p.y) * r);
        if (on) dl->AddLine(p, q, color, thickness);
        p = q;
        seg -= step;
        left -= step;
        if (left <= 0.0f) {
          on = !on;
          left = dash;
        }
      }
      a = b;
    }
  }
  dl->PopClipRect();
}

}  // namespace Widgets
