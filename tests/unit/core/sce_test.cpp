// sce on hand-computed cases: select by variance (ties by index), weights from mean squared task vectors
// (uniform below 1e-6), sign erasure by the sum; a zero task vector and a single model.
#include "core/merge/sce.h"

#include <gtest/gtest.h>

#include "core/merge/registry.h"
#include "tests/unit/core/small_vectors.h"

using namespace mergelab::merge;
using mergelab::testing::dvec;

namespace {
Eigen::VectorXd sce(const std::vector<Eigen::VectorXd>& tvs, double topk) {
  const Eigen::VectorXd base = Eigen::VectorXd::Zero(tvs[0].size());
  return sce_merge<double>(base, VecViews<double>(tvs.begin(), tvs.end()), topk);
}
}  // namespace

TEST(Sce, WeightsFromMeanSquaresAndSignErasure) {
  const std::vector<Eigen::VectorXd> tvs = {dvec({1, 2, 0, -1}), dvec({3, -2, 0, 1})};
  // mean squares 6/4 and 14/4 -> w = 0.3, 0.7; sums 4, 0, 0, 0 all elect +.
  const auto w = sce_weights<double>(VecViews<double>(tvs.begin(), tvs.end()));
  EXPECT_NEAR(w[0], 0.3, 1e-15);
  EXPECT_NEAR(w[1], 0.7, 1e-15);
  // e0: (0.3*1 + 0.7*3)/1; e1: only the + entry (2); e2: no sign, 0; e3: only model 1's +1.
  EXPECT_VEC_NEAR(sce(tvs, 1.0), dvec({2.4, 2, 0, 1}), 1e-12);
}

TEST(Sce, SelectsTheHighestVarianceEntries) {
  const std::vector<Eigen::VectorXd> tvs = {dvec({1, 2, 0, -1}), dvec({3, -2, 0, 1})};
  // Variances 1, 4, 0, 1: three nonzero. topk 0.5 keeps int(1.5) = 1 entry: e1.
  const auto mask = sce_select_mask<double>(VecViews<double>(tvs.begin(), tvs.end()), 0.5);
  EXPECT_EQ(mask.cast<int>(), (Eigen::VectorXi(4) << 0, 1, 0, 0).finished());
  // Then w = 0.5, 0.5; e1 sums to 0, elects +: model 0's 2.
  EXPECT_VEC_NEAR(sce(tvs, 0.5), dvec({0, 2, 0, 0}), 1e-12);
  // topk 0.7 keeps int(2.1) = 2: e1, then e0 before e3 (equal variance, lower index). Mean squares 5/4 and
  // 13/4: e0 = (1.25*1 + 3.25*3)/4.5.
  EXPECT_VEC_NEAR(sce(tvs, 0.7), dvec({11.0 / 4.5, 2, 0, 0}), 1e-12);
  EXPECT_VEC_NEAR(sce(tvs, 0.0), dvec({0, 0, 0, 0}), 0);
}

TEST(Sce, ZeroTaskVectorsSmallTaskVectorsAndASingleModel) {
  // A zero task vector has weight 0: the other model's entries come through whole.
  EXPECT_VEC_NEAR(sce({dvec({0, 0, 0}), dvec({1, -2, 3})}, 1.0), dvec({1, -2, 3}), 1e-12);
  // All zero: the base.
  EXPECT_VEC_NEAR(sce({dvec({0, 0, 0}), dvec({0, 0, 0})}, 1.0), dvec({0, 0, 0}), 0);
  // Mean squares 1.25e-7 and 5e-7 sum below 1e-6: uniform weights give (0.0005 + 0.001)/2, where the
  // mean-square weights would give 0.0009.
  EXPECT_VEC_NEAR(sce({dvec({0.0005, 0}), dvec({0.001, 0})}, 1.0), dvec({0.00075, 0}), 1e-15);
  // One model: every nonzero entry agrees with its own sign.
  EXPECT_VEC_NEAR(sce({dvec({1, -2, 0, 3})}, 1.0), dvec({1, -2, 0, 3}), 1e-12);
}

TEST(Sce, SelectTopkIsAFraction) {
  const MethodSpec& spec = *find_method("sce");
  const Eigen::VectorXd base = dvec({0, 0}), a = dvec({1, 2});
  MergeInputs<double> in{base.data(), {a.data()}, 2, {}};
  Params p = make_params(spec);
  p.set("select_topk", 1.5);
  try {
    run_merge(spec, in, p);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "sce: parameter select_topk is 1.5, outside [0, 1]");
  }
  MergeInputs<double> no_base{nullptr, {a.data()}, 2, {}};
  EXPECT_THROW(run_merge(spec, no_base, make_params(spec)), std::invalid_argument);
}
