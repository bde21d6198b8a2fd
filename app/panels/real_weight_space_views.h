// The real-checkpoint Weight space view's results and their drawing: Path, Task plane, Landscape, Maps.
//
// The panel (real_weight_space_panel.cpp) owns the inputs and the background jobs; the jobs fill the structs
// below (partially while they run, through Live<T>), and the draw_* functions here turn one snapshot into the
// explorer's widgets (line plots, heat map + contours + markers, grids). svg_* write the same pictures as SVG.
#pragma once

#include <imgui.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/gui/texture.h"
#include "core/analysis/family.h"
#include "core/analysis/landscape.h"
#include "core/analysis/maps.h"
#include "core/analysis/path.h"
#include "core/analysis/plane.h"

namespace mergelab::app::rws {

/// Results a worker publishes while it runs: the UI thread copies a snapshot under the lock each frame.
template <class T>
struct Live {
  std::mutex mutex;
  T value;
  int version = 0;
  T snapshot(int* v = nullptr) {
    std::lock_guard<std::mutex> lock(mutex);
    if (v) *v = version;
    return value;
  }
};

/// The loaded family, shared read-only with the jobs.
struct Family {
  analysis::ScoredFamily scored;
  std::vector<std::string> names;  ///< short names: base, A, B (folder names)
};
using FamilyPtr = std::shared_ptr<const Family>;

/// The curves of the metrics the barrier is about: every "<task>.<suffix>" of the combined value's suffix
/// (".loss" / ".nll") and the combined value itself; indices into PointScore::metrics (-1 = combined).
std::vector<int> curve_metrics(const analysis::Scorer& s);
/// The label of a metric index of curve_metrics.
std::string metric_label(const analysis::Scorer& s, int index);
double metric_value(const analysis::PointScore& p, int index);

struct PathData {
  analysis::PathResult lerp, slerp;  ///< points as they arrive (grid only while running), then the full result
  bool done = false;
};

struct PlaneData {
  analysis::PlaneResult grid;                ///< cells as they arrive
  std::vector<analysis::PlaneMarker> markers;
  bool done = false;
};

struct LandscapeData {
  analysis::LandscapeResult result;
  bool done = false;
};

struct MapsData {
  analysis::TaskVectorMaps maps;
  bool done = false;
};

/// The merge point of the Path view: t dragged on the curves, and its exact metrics once scored.
struct MergePoint {
  double t = 0.5;
  bool scored = false;
  double scored_t = -1;
  analysis::PointScore score;
};

/// What the plot reports back for the state dump and the drag.
struct PathDraw {
  ImVec4 plot_rect{0, 0, 0, 0};  ///< screen rect of the plot area
  bool t_changed = false;
  bool released = false;  ///< the drag ended this frame
};

PathDraw draw_path(const Family& f, const PathData& d, MergePoint& mp, ImVec2 size, bool dark, float lw);
/// A heat map (b-major values, NaN = not yet) with contours in a texture; markers with labels; returns the clicked
/// cell (-1 none) and the plot rect.
struct HeatDraw {
  ImVec4 plot_rect{0, 0, 0, 0};
  int clicked = -1;
};
struct HeatMarker {
  double x, y;
  ImU32 color;
  std::string label;
};
struct HeatCache {
  GlTexture texture;
  int version = -1;
  double vmin = 0, vmax = 1;
  std::vector<ImU32> pixels;
  int w = 0, h = 0;
};
HeatDraw draw_heat(const char* id, const std::vector<double>& xs, const std::vector<double>& ys,
                   const std::vector<double>& values, int version, HeatCache& cache, const std::vector<HeatMarker>& markers,
                   int selected, ImVec2 size, const char* x_title, const char* y_title, const char* bar_title);
/// The combined values of scored cells (NaN where not evaluated).
std::vector<double> combined_values(const std::vector<analysis::PointScore>& cells, const std::vector<bool>& evaluated);

void draw_landscape_1d(const Family& f, const LandscapeData& d, ImVec2 size, bool dark, float lw);
/// Cosine matrix (whole model) and the layers × kinds grid of statistic `stat` (0 norm, 1 cosine, 2 sign
/// conflict, 3 kept).
void draw_maps(const Family& f, const MapsData& d, int stat, ImVec2 size);

/// SVG of the path curves / a heat map with markers (the texture pixels embedded).
std::string svg_path(const Family& f, const PathData& d, double merge_t);
std::string svg_heat(const std::vector<double>& xs, const std::vector<double>& ys, const HeatCache& cache,
                     const std::vector<HeatMarker>& markers, const char* x_title, const char* y_title, const char* title);

/// PNG bytes of RGBA pixels (row 0 on top).
std::string png_of(const std::vector<ImU32>& pixels, int w, int h);

}  // namespace mergelab::app::rws
