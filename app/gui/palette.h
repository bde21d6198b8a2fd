// The explorer's colours: one per task (the endpoint trained on it shares it), one per path.
// Chosen to read on the Viridis heat map and on both themes.
#pragma once

#include <imgui.h>

namespace mergelab::app::palette {

inline constexpr ImU32 kTask1 = IM_COL32(255, 99, 71, 255);    ///< Task 1 and W_A (tomato red)
inline constexpr ImU32 kTask2 = IM_COL32(80, 170, 255, 255);   ///< Task 2 and W_B (sky blue)
inline constexpr ImU32 kInit = IM_COL32(210, 210, 210, 255);   ///< W_init (light grey)
inline constexpr ImU32 kLerp = IM_COL32(255, 255, 255, 255);   ///< LERP chord (white)
inline constexpr ImU32 kSlerp = IM_COL32(255, 64, 200, 255);   ///< SLERP arc (magenta)
inline constexpr ImU32 kPoint = IM_COL32(255, 215, 0, 255);    ///< the merge point (gold)
inline ImU32 combined(bool dark) { return dark ? IM_COL32(235, 235, 235, 255) : IM_COL32(40, 40, 40, 255); }
inline ImU32 lerp_on(bool dark) { return dark ? kLerp : IM_COL32(255, 255, 255, 255); }

}  // namespace mergelab::app::palette
