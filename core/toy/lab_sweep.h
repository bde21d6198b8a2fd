// Sweep maps of the Merge Lab: the combined (mean) accuracy of one method over a grid of
// alpha x k (TIES kept fraction) or alpha x p (DARE drop rate), every other setting as given.
//
// Each cell is exactly what evaluate_lab_method(toy, method, settings') returns for `combined`,
// with settings' = settings except alpha and k (or p) set to the cell's values. The map is
// computed with a scorer that gives the same predictions as toy::accuracy but skips the sigmoid
// (see lab_sweep.cpp), so a 41 x 20 map takes a few milliseconds.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/toy/lab.h"

namespace mergelab::toy {

/// Which setting the rows of a sweep map vary.
enum class SweepAxis { K, P };

struct SweepMap {
  std::string method;          ///< registry name of the swept method
  SweepAxis axis = SweepAxis::K;
  std::vector<double> alphas;  ///< column values (left -> right)
  std::vector<double> values;  ///< row values of k or p (row 0 first)
  Eigen::MatrixXd combined;    ///< values.size() x alphas.size(), mean accuracy over all tasks
  Eigen::Index best_row = 0, best_col = 0;  ///< the first cell with the highest combined accuracy
};

/// n evenly spaced values lo, ..., hi (n >= 2; n == 1 gives {lo}).
std::vector<double> sweep_values(double lo, double hi, int n);

/// The default grids: alpha 0..2 in steps of 0.05 (41), k 0.05..1 in steps of 0.05 (20),
/// p 0..0.95 in steps of 0.05 (20).
std::vector<double> default_sweep_alphas();
std::vector<double> default_sweep_values(SweepAxis axis);

/// Whether the lab's mapping (core/toy/lab.h) feeds the k (or p) setting into this method:
/// k -> ties and dare_ties, p -> dare_linear and dare_ties.
bool lab_method_uses(const std::string& method, SweepAxis axis);

/// The method a map shows by default for an axis when the selected method does not use it:
/// TIES for k, DARE-TIES for p.
std::string default_sweep_method(SweepAxis axis);

/// Computes the map. Throws std::invalid_argument on an unknown method or an empty grid.
SweepMap sweep_lab_map(const LabToy& toy, const std::string& method, const LabSettings& settings, SweepAxis axis,
                       const std::vector<double>& alphas, const std::vector<double>& values);

/// Same predictions as toy::accuracy(data, w) (sigmoid(x.w) > 0.5), without evaluating the sigmoid
/// except for logits in [0, 1e-15] where rounding decides.
double fast_accuracy(const Dataset& data, const Eigen::VectorXd& w);

}  // namespace mergelab::toy
