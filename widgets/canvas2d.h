// A 2-D canvas in data coordinates: axes, a heat-map image, polylines, labelled markers and one point
// the mouse can drag (free, or snapped to a polyline, reporting the parameter along it).
//
//   Widgets::Canvas2D c = Widgets::BeginCanvas2D("##plane", size, x0, x1, y0, y1, "w1", "w2");
//   Widgets::CanvasImage(c, texture, gx0, gx1, gy0, gy1);
//   Widgets::CanvasPolyline(c, xs, ys, n, color, 2.0f, false);
//   Widgets::CanvasMarker(c, x, y, color, "W_A");
//   Widgets::CanvasDragPoint(c, drag);   // moves drag.x/y (and drag.param) while the mouse drags
//   Widgets::EndCanvas2D(c);
#pragma once

#include <imgui.h>

#include "widgets/plot_frame.h"

namespace Widgets {

struct Canvas2D {
  PlotFrame frame;
  ImDrawList* dl = nullptr;
  bool hovered = false;  ///< mouse over the canvas item
  bool active = false;   ///< mouse button held after a press on the canvas
};

/// Reserves `size` and draws the axes. equal_aspect widens the ranges so one unit is the same on both axes.
Canvas2D BeginCanvas2D(const char* id, ImVec2 size, double x0, double x1, double y0, double y1, const char* x_title,
                       const char* y_title, bool equal_aspect = true);
void EndCanvas2D(Canvas2D& c);

/// An image (e.g. a heat-map texture) stretched over the data box [x0, x1] x [y0, y1]; texture row 0 is y1.
void CanvasImage(Canvas2D& c, ImTextureID tex, double x0, double x1, double y0, double y1);

void CanvasPolyline(Canvas2D& c, const double* xs, const double* ys, int n, ImU32 color, float thickness, bool dashed);

/// A filled circle with an outline and an optional label (with a dark halo so it reads on any colour).
void CanvasMarker(Canvas2D& c, double x, double y, ImU32 color, const char* label, float radius_em = 0.45f);

/// Text with a one-pixel halo, for labels over heat maps.
void HaloText(ImDrawList* dl, ImVec2 pos, ImU32 color, ImU32 halo, const char* text);

/// The draggable point. With snap_x/snap_y set (n >= 2) the point snaps to the nearest spot on
/// that polyline when within snap_radius_em of it (always when snap_always), and `param` becomes
/// (segment + fraction) / (n - 1) in [0, 1]; otherwise it moves freely and `snapped` is false.
struct DragPoint {
  double x = 0, y = 0;
  double param = 0;
  bool snapped = false;
  const double* snap_x = nullptr;
  const double* snap_y = nullptr;
  int snap_n = 0;
  bool snap_always = true;
  float snap_radius_em = 1.0f;
  ImU32 color = IM_COL32(255, 255, 255, 255);
  float radius_em = 0.55f;
};

/// Draws the point; while the canvas is being dragged (a press anywhere on it), the point follows the
/// mouse. Returns true when x/y/param changed this frame.
bool CanvasDragPoint(Canvas2D& c, DragPoint& p);

/// Nearest point of a polyline to (x, y) in screen space; returns the parameter (segment + f) / (n - 1).
double NearestOnPolyline(const PlotFrame& f, const double* xs, const double* ys, int n, ImVec2 s, ImVec2* nearest,
                         float* dist_px);

}  // namespace Widgets
