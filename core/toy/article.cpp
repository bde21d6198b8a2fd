#include "core/toy/article.h"

namespace mergelab::toy {

InterpolationToy train_interpolation_toy(const InterpolationSetup& s, bool keep_trajectories) {
  RandomState rng(s.seed);
  InterpolationToy toy;
  toy.w_init_a = randn_vector(rng, 2, s.init_scale);
  toy.task1 = make_task_2d(rng, s.samples, Task2D::Horizontal);
  toy.task2 = make_task_2d(rng, s.samples, Task2D::Vertical);
  toy.w_init_b = s.same_init ? toy.w_init_a : randn_vector(rng, 2, s.init_scale);
  toy.w_a = train_logistic(toy.task1, toy.w_init_a, s.lr, s.steps, keep_trajectories ? &toy.path_a : nullptr);
  toy.w_b = train_logistic(toy.task2, toy.w_init_b, s.lr, s.steps, keep_trajectories ? &toy.path_b : nullptr);
  return toy;
}

LabToy train_lab_toy(const LabSetup& s) {
  RandomState rng(s.seed);
  LabToy toy;
  toy.pretrained = randn_vector(rng, 4, s.init_scale);
  for (int i = 0; i < 3; ++i) toy.tasks.push_back(make_task_4d(rng, s.samples, i));
  for (const auto& task : toy.tasks) {
    toy.finetuned.push_back(train_logistic(task, toy.pretrained, s.lr, s.steps));
    toy.task_vectors.push_back(toy.finetuned.back() - toy.pretrained);
  }
  return toy;
}

std::vector<Eigen::VectorXd> make_ties_demo_vectors(const TiesDemoSetup& s) {
  RandomState rng(s.seed);
  std::vector<Eigen::VectorXd> out;
  for (int i = 0; i < 3; ++i) out.push_back(randn_vector(rng, s.n_params, s.scale));
  return out;
}

}  // namespace mergelab::toy
