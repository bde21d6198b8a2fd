// A sign/magnitude matrix: rows x columns cells, red for positive and blue for negative values with
// the colour's strength following |value|, zeros dark, "greyed" cells (e.g. removed by a step) in
// neutral grey with a faint tint of their sign, one highlighted row, row labels on the left,
// column ticks below, optional gaps between row blocks, and a hover read-out.
#pragma once

#include <imgui.h>

namespace Widgets {

struct SignMatrixSpec {
  const double* values = nullptr;          ///< rows x cols, row-major
  int rows = 0, cols = 0;
  const char* const* row_labels = nullptr; ///< rows labels (optional)
  const unsigned char* greyed = nullptr;   ///< rows x cols, non-zero = greyed (optional)
  double vmax = 0.0;                       ///< |value| drawn at full colour; <= 0: the largest |value|
  int highlight_row = -1;                  ///< outlined row (-1: none)
  const int* gap_before_rows = nullptr;    ///< a small vertical gap is left before each of these rows
  int gap_count = 0;
  const char* x_title = "parameter";
  bool tooltip = true;                     ///< hover read-out (off for deterministic screenshots)
};

struct SignMatrixResult {
  bool hovered = false;
  int row = -1, col = -1;  ///< cell under the mouse
};

/// Red/blue of a signed value at strength s in [0, 1] over a neutral background (dark or light theme).
ImU32 SignColor(double value, float strength, bool dark);

SignMatrixResult SignMatrix(const char* id, ImVec2 size, const SignMatrixSpec& spec);

}  // namespace Widgets
