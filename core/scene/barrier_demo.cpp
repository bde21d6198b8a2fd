#include "core/scene/barrier_demo.h"

#include "core/rng.h"
#include "core/toy/datasets.h"

namespace mergelab::scene {

SameTaskPair train_same_task_pair(const toy::MlpSetup& s, const toy::Dataset& data_a, uint32_t data_seed,
                                  bool keep_trajectories) {
  SameTaskPair out;
  RandomState data_rng(data_seed);
  out.data_b = toy::make_task_2d(data_rng, static_cast<int>(data_a.X.rows()), toy::Task2D::Horizontal);
  RandomState rng(s.init_seed);
  out.toy.init_a = toy::mlp_init(rng, s.hidden, s.init_scale);
  out.toy.init_b = s.same_init ? out.toy.init_a : toy::mlp_init(rng, s.hidden, s.init_scale);
  out.toy.w_a = toy::train_mlp(data_a, out.toy.init_a, s.hidden, s.lr, s.steps,
                               keep_trajectories ? &out.toy.path_a : nullptr);
  out.toy.w_b = toy::train_mlp(out.data_b, out.toy.init_b, s.hidden, s.lr, s.steps,
                               keep_trajectories ? &out.toy.path_b : nullptr);
  return out;
}

}  // namespace mergelab::scene
