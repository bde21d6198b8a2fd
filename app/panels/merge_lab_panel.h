// Pieces shared by the Merge Lab, Task Arithmetic and TIES Anatomy panels: the colours of the
// three tasks/specialists and of the methods, and the toy they all merge (the article's lab toy).
#pragma once

#include <imgui.h>

#include <string>

#include "core/toy/article.h"

namespace mergelab::app::lab_palette {

inline constexpr ImU32 kTask[3] = {IM_COL32(255, 99, 71, 255), IM_COL32(80, 170, 255, 255),
                                   IM_COL32(110, 200, 120, 255)};  ///< Task 0, 1, 2 and their specialists
inline constexpr ImU32 kPretrained = IM_COL32(150, 150, 150, 255);
inline constexpr ImU32 kMerged = IM_COL32(255, 215, 0, 255);  ///< the merged model (gold, as the merge point)

/// A distinct colour per method index (registry order), for curves.
inline ImU32 method_color(size_t i) {
  static constexpr ImU32 c[] = {IM_COL32(230, 230, 230, 255), IM_COL32(255, 64, 200, 255), IM_COL32(255, 215, 0, 255),
                                IM_COL32(80, 170, 255, 255),  IM_COL32(255, 140, 60, 255), IM_COL32(110, 220, 120, 255),
                                IM_COL32(190, 140, 255, 255), IM_COL32(0, 210, 210, 255),  IM_COL32(255, 99, 71, 255),
                                IM_COL32(160, 160, 100, 255), IM_COL32(140, 190, 255, 255)};
  return c[i % (sizeof c / sizeof c[0])];
}

}  // namespace mergelab::app::lab_palette

namespace mergelab::app {

/// The article's Merge Lab toy (seed 7: three 4-D tasks, three specialists), trained once.
const toy::LabToy& article_lab_toy();

/// "75.7%".
std::string percent(double fraction);

}  // namespace mergelab::app
