// The explorer's colours: one per task (the endpoint trained on it shares it), one per path.
// Chosen to read on the Viridis heat map and on both themes. The high-contrast set (presentation
// view) uses the Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
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

/// One set of the explorer's colours.
struct Palette {
  ImU32 task1, task2, init, lerp, slerp, point;
};

inline constexpr Palette kDefault{kTask1, kTask2, kInit, kLerp, kSlerp, kPoint};
/// Okabe-Ito: vermillion, sky blue, grey, white, reddish purple, yellow.
inline constexpr Palette kHighContrast{IM_COL32(230, 97, 0, 255),   IM_COL32(86, 180, 233, 255),
                                       IM_COL32(200, 200, 200, 255), IM_COL32(255, 255, 255, 255),
                                       IM_COL32(204, 121, 167, 255), IM_COL32(240, 228, 66, 255)};

inline const Palette& get(bool high_contrast) { return high_contrast ? kHighContrast : kDefault; }

// Semantic roles of the practitioner's panels (Checkpoints, Tune, Weight space, the folder browser), Okabe-Ito
// colours that read on the dark, light and high-contrast themes alike.
inline constexpr ImU32 kGood = IM_COL32(0, 158, 115, 255);      ///< ok, done; the best recipe (bluish green)
inline constexpr ImU32 kBad = IM_COL32(230, 97, 0, 255);        ///< errors, refusals (vermillion)
inline constexpr ImU32 kCurrent = IM_COL32(240, 228, 66, 255);  ///< the current recipe, markers (yellow)
inline constexpr ImU32 kBase = IM_COL32(150, 150, 150, 255);    ///< the base model (grey)
/// Fine-tune i (cycled): sky blue, blue, reddish purple, orange.
inline constexpr ImU32 kModels[4] = {IM_COL32(86, 180, 233, 255), IM_COL32(0, 114, 178, 255),
                                     IM_COL32(204, 121, 167, 255), IM_COL32(230, 159, 0, 255)};

inline ImVec4 to_vec4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

}  // namespace mergelab::app::palette
