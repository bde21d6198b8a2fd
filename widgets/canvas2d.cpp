#include "widgets/canvas2d.h"

#include <cmath>

#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"

namespace Widgets {

using ImGuiCompat::em;

Canvas2D BeginCanvas2D(const char* id, ImVec2 size, double x0, double x1, double y0, double y1, const char* x_title,
                       const char* y_title, bool equal_aspect) {
  Canvas2D c;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  c.hovered = ImGui::IsItemHovered();
  c.active = ImGui::IsItemActive();
  c.frame = LayoutPlotFrame(tl, size, x0, x1, y0, y1, equal_aspect, x_title && *x_title, y_title && *y_title);
  c.dl = ImGui::GetWindowDrawList();
  DrawPlotAxes(c.dl, c.frame, x_title, y_title, false);
  c.dl->PushClipRect(c.frame.p0, c.frame.p1, true);
  return c;
}

void EndCanvas2D(Canvas2D& c) {
  c.dl->PopClipRect();
  // Redraw the border on top of the content.
  c.dl->AddRect(c.frame.p0, c.frame.p1, ImGui::GetColorU32(ImGuiCol_Text, 0.55f), 0.0f, 0, 1.0f);
}

void CanvasImage(Canvas2D& c, ImTextureID tex, double x0, double x1, double y0, double y1) {
  c.dl->AddImage(tex, c.frame.ToScreen(x0, y1), c.frame.ToScreen(x1, y0), ImVec2(0, 0), ImVec2(1, 1));
}

void CanvasPolyline(Canvas2D& c, const double* xs, const double* ys, int n, ImU32 color, float thickness,
                    bool dashed) {
  c.dl->PopClipRect();  // DrawDataPolyline pushes the same clip itself
  DrawDataPolyline(c.dl, c.frame, xs, ys, n, color, thickness, dashed);
  c.dl->PushClipRect(c.frame.p0, c.frame.p1, true);
}

void HaloText(ImDrawList* dl, ImVec2 pos, ImU32 color, ImU32 halo, const char* text) {
  for (int dx = -1; dx <= 1; ++dx)
    for (int dy = -1; dy <= 1; ++dy)
      if (dx || dy) dl->AddText(ImVec2(pos.x + dx, pos.y + dy), halo, text);
  dl->AddText(pos, color, text);
}

void CanvasMarker(Canvas2D& c, double x, double y, ImU32 color, const char* label, float radius_em) {
  const ImVec2 s = c.frame.ToScreen(x, y);
  const float r = em(radius_em);
  c.dl->AddCircleFilled(s, r, color, 16);
  c.dl->AddCircle(s, r, IM_COL32(0, 0, 0, 255), 16, 2.0f);
  if (!label || !*label) return;
  // Right and above the marker, or mirrored where that would leave the canvas.
  const ImVec2 ts = ImGui::CalcTextSize(label);
  ImVec2 at(s.x + r + em(0.2f), s.y - em(1.2f));
  if (at.x + ts.x > c.frame.p1.x) at.x = s.x - r - em(0.2f) - ts.x;
  if (at.y < c.frame.p0.y) at.y = s.y + r * 0.5f;
  if (at.y + ts.y > c.frame.p1.y) at.y = c.frame.p1.y - ts.y;
  HaloText(c.dl, at, color, IM_COL32(0, 0, 0, 255), label);
  LayoutAudit::CheckTextInside("canvas marker label", label, at, c.frame.p0, c.frame.p1);
}

double NearestOnPolyline(const PlotFrame& f, const double* xs, const double* ys, int n, ImVec2 s, ImVec2* nearest,
                         float* dist_px) {
  double best_param = 0.0;
  float best = INFINITY;
  ImVec2 best_pt = s;
  ImVec2 a = f.ToScreen(xs[0], ys[0]);
  for (int k = 1; k < n; ++k) {
    const ImVec2 b = f.ToScreen(xs[k], ys[k]);
    const float dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    float u = len2 > 0 ? ((s.x - a.x) * dx + (s.y - a.y) * dy) / len2 : 0.0f;
    u = u < 0 ? 0 : (u > 1 ? 1 : u);
    const ImVec2 q(a.x + u * dx, a.y + u * dy);
    const float d = std::sqrt((q.x - s.x) * (q.x - s.x) + (q.y - s.y) * (q.y - s.y));
    if (d < best) best = d, best_pt = q, best_param = (k - 1 + u) / static_cast<double>(n - 1);
    a = b;
  }
  if (nearest) *nearest = best_pt;
  if (dist_px) *dist_px = best;
  return best_param;
}

bool CanvasDragPoint(Canvas2D& c, DragPoint& p) {
  bool changed = false;
  if (c.active) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    double x, y;
    c.frame.ToData(m, &x, &y);
    bool snapped = false;
    if (p.snap_x && p.snap_n >= 2) {
      ImVec2 q;
      float d;
      const double param = NearestOnPolyline(c.frame, p.snap_x, p.snap_y, p.snap_n, m, &q, &d);
      if (p.snap_always || d <= em(p.snap_radius_em)) {
        snapped = true;
        if (param != p.param || !p.snapped) changed = true;
        p.param = param;
        c.frame.ToData(q, &x, &y);
      }
    }
    if (x != p.x || y != p.y || snapped != p.snapped) changed = true;
    p.x = x, p.y = y, p.snapped = snapped;
  }
  const ImVec2 s = c.frame.ToScreen(p.x, p.y);
  const float r = em(p.radius_em);
  c.dl->AddCircleFilled(s, r, p.color, 20);
  c.dl->AddCircle(s, r, IM_COL32(0, 0, 0, 255), 20, 2.0f);
  c.dl->AddCircle(s, r + 2.0f, IM_COL32(255, 255, 255, 200), 20, 1.0f);
  return changed;
}

}  // namespace Widgets
