#include "core/toy/datasets.h"

#include <cmath>
#include <stdexcept>

namespace mergelab::toy {

namespace {
Eigen::MatrixXd randn_matrix(RandomState& rng, int rows, int cols) {
  Eigen::MatrixXd X(rows, cols);
  for (int i = 0; i < rows; ++i)  // numpy fills in C (row-major) order
    for (int j = 0; j < cols; ++j) X(i, j) = rng.standard_normal();
  return X;
}
}  // namespace

Eigen::VectorXd randn_vector(RandomState& rng, Eigen::Index rows, double scale) {
  Eigen::VectorXd v(rows);
  for (Eigen::Index i = 0; i < rows; ++i) v[i] = rng.standard_normal() * scale;
  return v;
}

Dataset make_task_2d(RandomState& rng, int n, Task2D task) {
  Dataset d{randn_matrix(rng, n, 2), Eigen::VectorXd(n)};
  const int col = task == Task2D::Horizontal ? 0 : 1;
  for (int i = 0; i < n; ++i) d.y[i] = d.X(i, col) > 0 ? 1.0 : 0.0;
  return d;
}

Dataset make_task_4d(RandomState& rng, int n, int task_id) {
  if (task_id < 0 || task_id > 2) throw std::invalid_argument("make_task_4d: task_id must be 0, 1 or 2");
  Dataset d{randn_matrix(rng, n, 4), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    const auto x = d.X.row(i);
    bool label = false;
    if (task_id == 0) label = x[0] + x[1] > 0;
    else if (task_id == 1) label = x[2] - x[3] > 0.5;
    else label = std::sin(x[0]) + x[2] > 0;
    d.y[i] = label ? 1.0 : 0.0;
  }
  return d;
}

}  // namespace mergelab::toy
