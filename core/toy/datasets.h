// The article's synthetic tasks, drawn from a numpy-compatible RandomState so the
// same seed gives the article's exact data.
#pragma once

#include "core/rng.h"
#include "core/toy/logistic.h"

namespace mergelab::toy {

enum class Task2D { Horizontal, Vertical };

/// X = randn(n, 2); y = (X[:,0] > 0) for Horizontal, (X[:,1] > 0) for Vertical.
Dataset make_task_2d(RandomState& rng, int n, Task2D task);

/// X = randn(n, 4); task 0: x0 + x1 > 0; task 1: x2 - x3 > 0.5; task 2: sin(x0) + x2 > 0.
Dataset make_task_4d(RandomState& rng, int n, int task_id);

/// randn(rows) * scale, drawn in order (a column vector as numpy's randn(rows, 1) * scale).
Eigen::VectorXd randn_vector(RandomState& rng, Eigen::Index rows, double scale);

}  // namespace mergelab::toy
