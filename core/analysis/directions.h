// Filter-normalised random directions (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets").
//
//   std::vector<Eigen::VectorXf> d = filter_normalized_directions(layout, theta, /*count=*/2, /*seed=*/0);
//
// For each tensor with two or more dimensions, a direction draws one standard normal per value (the project's
// numpy-compatible RandomState, C order, tensors in layout order) and rescales each output row — row r of the
// tensor seen as shape[0] × (numel / shape[0]), the values that feed output unit r — to the norm of the same row
// of θ:  d_r ← d_r · |θ_r| / |d_r|  (norms in double; a zero row of θ gives a zero row of d).
// One-dimensional tensors (biases, norm weights) and scalars draw nothing and stay 0, as Li et al. leave them out.
// All directions come from one RandomState(seed), drawn one after another: direction 0 of a 2-D run is the 1-D
// run's direction for the same seed.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/analysis/flat_models.h"

namespace mergelab::analysis {

/// `count` directions the size of `theta` (layout-sized). Throws std::invalid_argument when the sizes differ.
std::vector<Eigen::VectorXf> filter_normalized_directions(const Layout& layout, const Eigen::VectorXf& theta,
                                                          int count, std::uint32_t seed);

}  // namespace mergelab::analysis
