// The classic loss-barrier demo on the 2-h-1 MLP toy: A and B learn the SAME task (the article's
// Task 1, label x1 > 0), A on the article's data and B on its own draw of the same task, either from
// one shared init or from two different inits.
//
// Why: in the article's setting A and B learn different tasks, so each endpoint is bad on the other
// task and that, not a ridge, dominates the curves. With one task both endpoints are good, and the
// straight path between them shows what non-convexity does: from one init both runs stay in one basin
// (no barrier); from two inits the nets solve the task with unrelated hidden units (any permutation of
// the units is an equally good net), and averaging them cancels the units, so the loss climbs a ridge
// half-way. The logistic loss is convex in w: it can never show this.
#pragma once

#include <cstdint>

#include "core/toy/mlp.h"

namespace mergelab::scene {

struct SameTaskPair {
  toy::Dataset data_b;  ///< B's draw of Task 1: n rows from RandomState(data_seed)
  toy::MlpToy toy;      ///< init_a, init_b, w_a (trained on data_a), w_b (trained on data_b)
};

/// A's init = mlp_init(RandomState(setup.init_seed)); B's = A's when setup.same_init, else the next
/// draw of that stream (as toy::train_mlp_toy). B's data: make_task_2d(RandomState(data_seed), n,
/// Horizontal) with n = data_a.rows.
SameTaskPair train_same_task_pair(const toy::MlpSetup& setup, const toy::Dataset& data_a, uint32_t data_seed,
                                  bool keep_trajectories = false);

/// B's data seed for an article seed (a fixed offset, so B's draw never equals A's).
inline uint32_t same_task_data_seed(uint32_t article_seed) { return article_seed + 1000u; }

}  // namespace mergelab::scene

namespace mergelab::scene {

/// The demo's settings: the MLP defaults (h 8, init scale 3, lr 0.5, 300 steps) with init seed 3,
/// where two inits land in clearly different basins (barrier ~1 nat against endpoint losses ~0.04).
inline toy::MlpSetup same_task_demo_setup() {
  toy::MlpSetup s;
  s.init_seed = 3;
  return s;
}

}  // namespace mergelab::scene
