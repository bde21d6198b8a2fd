// Checkpoints panel internals shared by its source files, not part of its interface:
//   checkpoints_panel.cpp        the panel: recipe hand-over, recipe, saved settings, state dump, error popup, the frame
//   checkpoints_panel_jobs.cpp   worker side (no ImGui): loading, diagnostics, histogram, merge and export jobs
//   checkpoints_panel_views.cpp  the inputs, compatibility report, method, actions, tensor table and histogram
#pragma once

#include <imgui.h>

#include "app/gui/palette.h"

namespace mergelab::app::checkpoints_detail {

using palette::kBad;
using palette::kGood;
using palette::to_vec4;
inline constexpr ImU32 kMarker = palette::kCurrent;

}  // namespace mergelab::app::checkpoints_detail
