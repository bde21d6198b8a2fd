// A small SVG writer (no dependency) and the explorer's plots as SVG, drawn from the same data as
// the panels: the weight-space heat map (an embedded PNG) with paths and markers, the interpolation
// curves, and the Merge Lab leaderboard as grouped bars.
#pragma once

#include <imgui.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/palette.h"
#include "app/gui/scene.h"

namespace mergelab::app {

class Svg {
 public:
  Svg(double width, double height);
  void rect(double x, double y, double w, double h, ImU32 fill, ImU32 stroke = 0, double stroke_width = 0);
  void line(double x0, double y0, double x1, double y1, ImU32 color, double width, bool dashed = false);
  void polyline(const std::vector<std::pair<double, double>>& pts, ImU32 color, double width, bool dashed = false);
  void circle(double cx, double cy, double r, ImU32 fill, ImU32 stroke = 0);
  /// anchor: "start", "middle" or "end"; rotate: degrees about (x, y).
  void text(double x, double y, const std::string& s, double size, ImU32 color, const char* anchor = "start",
            double rotate = 0);
  /// An RGBA image (row 0 on top) embedded as a PNG data URI.
  void image(double x, double y, double w, double h, const std::vector<ImU32>& rgba, int width, int height);
  std::string str() const;

  static std::string color(ImU32 c);   ///< "#rrggbb"
  static std::string escape(const std::string& s);

 private:
  double w_, h_;
  std::string body_;
};

/// A plot area with axes for the exports: data -> SVG coordinates, ticks and titles.
struct SvgAxes {
  double x, y, w, h;           ///< plot rect in SVG units
  double x0, x1, y0, y1;       ///< data ranges
  double sx(double v) const { return x + (v - x0) / (x1 - x0) * w; }
  double sy(double v) const { return y + h - (v - y0) / (y1 - y0) * h; }
  void draw(Svg& svg, const char* x_title, const char* y_title, ImU32 ink) const;
};

/// The Weight Space Explorer's canvas: heat map of `field`, both paths, endpoints, merge point.
std::string svg_weight_space(const ToyScene& toy, const SceneParams& s, const ToyScene::Point& pt,
                             const palette::Palette& pal);
/// The Interpolation Curves: loss of both tasks and the combined loss, LERP solid and SLERP dashed,
/// the current t, beside the norm |w(t)|.
std::string svg_curves(const ToyScene& toy, const SceneParams& s, const palette::Palette& pal);
/// The Merge Lab leaderboard (its state(): leaderboard[].accuracy) as grouped bars per method.
std::string svg_leaderboard_bars(const nlohmann::json& merge_lab_state);

}  // namespace mergelab::app
