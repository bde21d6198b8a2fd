// Python/numpy-style number formatting, so headless commands print exactly what the article's
// Python code prints.
#pragma once

#include <Eigen/Dense>
#include <string>

namespace mergelab::app {

/// Python f"{x:.{digits}f}".
std::string py_fixed(double x, int digits);
/// Python f"{x:.{digits}%}" (x * 100, fixed, then '%').
std::string py_percent(double x, int digits);
/// str(numpy_array) for a 1-D float64 array with numpy's default print options
/// (precision 8, floatmode 'maxprec', sign '-'), e.g. "[ 0.24835708 -0.06913215]".
std::string numpy_array_str(const Eigen::VectorXd& v);

}  // namespace mergelab::app
