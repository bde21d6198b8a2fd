// Tune panel internals shared by its source files, not part of its interface:
//   tune_panel.cpp           the panel: settings -> recipes, the recipe hand-over, state dump, the frame's layout
//   tune_panel_jobs.cpp      worker side (no ImGui): loading the inputs, scoring points, sweep / CMA-ES / reports
//   tune_panel_settings.cpp  the left column's controls and the saved settings
//   tune_panel_plots.cpp     the sweep curve / heat map, the CMA-ES fitness plot, the per-task bars
#pragma once

#include <imgui.h>

#include <limits>
#include <string>

#include "app/gui/palette.h"
#include "app/panels/text.h"
#include "app/panels/tune_panel.h"

namespace mergelab::app::tune_detail {

using palette::kBad;
using palette::kBase;
using palette::kCurrent;
using palette::kModels;
using palette::to_vec4;
inline constexpr ImU32 kBest = palette::kGood;  // the best recipe
inline constexpr int kMaxSteps = 41;  ///< grid steps per sweep axis
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// "lambda=0.6, weight@1=0.35"
inline std::string point_text(const TunePoint& p) {
  std::string out;
  for (size_t i = 0; i < p.space.size() && i < p.values.size(); ++i)
    out += (out.empty() ? "" : ", ") + p.space[i].label() + "=" + text::fmt("%.4g", p.values[i]);
  return out.empty() ? "the settings above" : out;
}

}  // namespace mergelab::app::tune_detail
