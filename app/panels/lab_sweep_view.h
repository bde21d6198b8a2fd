// The Merge Lab's sweep maps (combined accuracy over alpha x k and over alpha x p): the map on screen with its
// texture, and the newer map computed on a background thread while the settings change.
//
//   SweepView v;  v.axis = toy::SweepAxis::K;
//   update_sweep(toy, v, method, settings, key, in_frame);   // every frame; recomputes when `key` changed
//   Widgets::CanvasImage(canvas, v.texture.id(), ...);        // then draw v.map's texture and markers
#pragma once

#include <imgui.h>

#include <algorithm>
#include <future>
#include <string>
#include <vector>

#include "app/gui/texture.h"
#include "core/toy/article.h"
#include "core/toy/lab.h"
#include "core/toy/lab_sweep.h"
#include "widgets/plot_frame.h"

namespace mergelab::app {

/// A sweep map with its texture (cells drawn as blocks, so the linear filter only softens edges).
struct SweepView {
  toy::SweepAxis axis;
  toy::SweepMap map;
  std::string key;
  GlTexture texture;
  std::vector<ImU32> pixels;
  double compute_ms = 0.0;
  Widgets::PlotFrame frame;  ///< where the map was drawn this frame (for the state dump)
  /// The map being computed in the background for `job_key` (at most one per map; the frame keeps
  /// showing the last finished map until it arrives).
  std::future<toy::SweepMap> job;
  std::string job_key;
  double job_ms = 0.0;
  bool constant = false;  ///< every cell the same value (said on the map)
  bool pending() const { return job.valid(); }
  /// The colour range of the map: its lowest and highest cell (never an empty range).
  double vmin() const { return map.combined.minCoeff(); }
  double vmax() const { return std::max(map.combined.maxCoeff(), map.combined.minCoeff() + 1e-6); }
};

/// Brings the map up to date with the settings. The first map and screenshots are computed in the
/// frame; later maps on a background thread (a k or p drag changes the other map on every frame,
/// ~2 ms that would otherwise sit in the frame next to the software rasteriser).
void update_sweep(const toy::LabToy& toy, SweepView& v, const std::string& method, const toy::LabSettings& settings,
                  const std::string& key, bool in_frame);

}  // namespace mergelab::app
