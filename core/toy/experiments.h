// The article's four experiments, computed exactly as its code does (results only; printing
// lives in the `article` command). Each takes the article's settings by default.
#pragma once

#include <string>
#include <vector>

#include "core/toy/article.h"
#include "core/toy/lab.h"

namespace mergelab::toy {

// 1. Walk the LERP path between W_A and W_B.
struct PathPoint {
  double t = 0, task1 = 0, task2 = 0, combined = 0;
};
struct InterpolationExperiment {
  InterpolationToy toy;
  std::vector<PathPoint> points;
};
InterpolationExperiment run_interpolation_experiment(const InterpolationSetup& setup = {},
                                                     const std::vector<double>& ts = {0.0, 0.25, 0.5, 0.75, 1.0});

// 2. Task arithmetic: addition of tasks 0 and 1 at alpha, then negation of task 1 at beta.
struct TaskArithmeticExperiment {
  LabToy toy;
  double alpha = 0.7, beta = 0.5;
  std::vector<double> specialist, merged;              ///< per task (3)
  std::vector<double> before_negation, after_negation;  ///< tasks 0 and 1
};
TaskArithmeticExperiment run_task_arithmetic_experiment(const LabSetup& setup = {}, double alpha = 0.7, double beta = 0.5);

// 3. TIES on three random 200-parameter task vectors.
struct TiesExperiment {
  int n_params = 0;
  long conflicts = 0;
  double average_agreement = 0, ties_agreement = 0, ties_sparsity = 0;
};
TiesExperiment run_ties_experiment(const TiesDemoSetup& setup = {}, double k = 0.2);

// 4. The Merge Lab table at the article's settings.
struct MergeLabExperiment {
  std::vector<LabRow> rows;  ///< linear, task_arithmetic, ties, dare_ties, slerp(0,1)
};
MergeLabExperiment run_merge_lab_experiment(const LabSetup& setup = {}, const LabSettings& settings = {});

}  // namespace mergelab::toy
