// The article's toy experiments as plain setups and the models they train.
// Defaults are the article's exact settings; the same seed gives the article's numbers.
#pragma once

#include <cstdint>
#include <vector>

#include "core/toy/datasets.h"

namespace mergelab::toy {

/// Experiment 1: two 2-D tasks, two logistic models A (horizontal) and B (vertical).
struct InterpolationSetup {
  uint32_t seed = 42;       ///< np.random.seed
  int samples = 200;        ///< rows per task
  double init_scale = 0.5;  ///< W_init = randn(2, 1) * init_scale
  double lr = 0.1;          ///< gradient-descent step
  int steps = 300;          ///< gradient-descent steps
  /// true: B starts from W_init (the article). false: B starts from its own draw
  /// randn(2, 1) * init_scale, taken after the data so the data stay the article's.
  bool same_init = true;
};

struct InterpolationToy {
  Dataset task1, task2;                          ///< horizontal, vertical
  Eigen::VectorXd w_init_a, w_init_b;            ///< 2
  Eigen::VectorXd w_a, w_b;                      ///< 2, trained
  std::vector<Eigen::VectorXd> path_a, path_b;   ///< gradient-descent trajectories (if asked)
};

InterpolationToy train_interpolation_toy(const InterpolationSetup& setup, bool keep_trajectories = false);

/// Experiments 2 and 4: three 4-D tasks, specialists fine-tuned from one pretrained vector.
struct LabSetup {
  uint32_t seed = 7;        ///< np.random.seed
  int samples = 300;        ///< rows per task
  double init_scale = 0.3;  ///< W_pretrained = randn(4, 1) * init_scale
  double lr = 0.2;
  int steps = 500;
};

struct LabToy {
  std::vector<Dataset> tasks;                 ///< 3 tasks, n x 4 each
  Eigen::VectorXd pretrained;                 ///< 4
  std::vector<Eigen::VectorXd> finetuned;     ///< 3 specialists
  std::vector<Eigen::VectorXd> task_vectors;  ///< finetuned[i] - pretrained
};

LabToy train_lab_toy(const LabSetup& setup);

/// Experiment 3: three random task vectors randn(n) * scale drawn in order from one seed.
struct TiesDemoSetup {
  uint32_t seed = 42;
  int n_params = 200;
  double scale = 0.3;
};

std::vector<Eigen::VectorXd> make_ties_demo_vectors(const TiesDemoSetup& setup);

}  // namespace mergelab::toy
