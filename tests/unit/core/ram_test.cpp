// ram and ramplus_tl on hand-computed cases: unique changes kept whole, shared ones averaged, changes within
// epsilon ignored; ramplus_tl's per-model scale of the unique changes.
#include "core/merge/ram.h"

#include <gtest/gtest.h>

#include "core/merge/registry.h"
#include "tests/unit/core/small_vectors.h"

using namespace mergelab::merge;
using mergelab::testing::dvec;

namespace {
const std::vector<Eigen::VectorXd> kTvs = {dvec({1, 0.05, 2, 0, 0}), dvec({3, 0, 0, -0.5, 0.7}),
                                           dvec({0, 0, 4, -0.5, 0})};

Eigen::VectorXd run(const std::string& method, const std::vector<Eigen::VectorXd>& tvs,
                    const std::map<std::string, double>& params) {
  const MethodSpec& spec = *find_method(method);
  Params p = make_params(spec);
  for (const auto& [k, v] : params) p.set(k, v);
  const Eigen::VectorXd base = Eigen::VectorXd::Zero(tvs[0].size());
  MergeInputs<double> in{base.data(), {}, base.size(), {}};
  for (const auto& t : tvs) in.models.push_back(t.data());
  return run_merge(spec, in, p);
}
}  // namespace

TEST(Ram, UniqueChangesWholeSharedOnesAveraged) {
  // epsilon 0.1: e0 changed by models 0, 1 -> (1+3)/2; e1's 0.05 is no change; e2 -> (2+4)/2; e3 -> -0.5;
  // e4 only model 1 -> 0.7.
  EXPECT_VEC_NEAR(run("ram", kTvs, {{"epsilon", 0.1}}), dvec({2, 0, 3, -0.5, 0.7}), 1e-12);
  // The default epsilon 1e-5 counts e1 as model 0's unique change.
  EXPECT_VEC_NEAR(run("ram", kTvs, {}), dvec({2, 0.05, 3, -0.5, 0.7}), 1e-12);
  // Zero task vectors: the base; one model: its changes above epsilon.
  EXPECT_VEC_NEAR(run("ram", {dvec({0, 0}), dvec({0, 0})}, {}), dvec({0, 0}), 0);
  EXPECT_VEC_NEAR(run("ram", {dvec({0.05, -1})}, {{"epsilon", 0.1}}), dvec({0, -1}), 0);
}

TEST(Ram, PlusScalesEachModelsUniqueChanges) {
  // Model 1 changes e0, e3 (shared) and e4 (unique): rho = 2/1 = 2. r 0.5, alpha 0.8: lambda 1 + 0.5*0.8 = 1.4.
  const auto views = VecViews<double>(kTvs.begin(), kTvs.end());
  const auto lambdas = ramplus_lambdas<double>(views, 0.1, 0.5, 0.8);
  EXPECT_NEAR(lambdas[1], 1.4, 1e-15);
  // Models 0 and 2 have no unique change: rho = 2 / epsilon, capped at alpha.
  EXPECT_NEAR(lambdas[0], 1.4, 1e-15);
  EXPECT_VEC_NEAR(run("ramplus_tl", kTvs, {{"epsilon", 0.1}, {"r", 0.5}, {"alpha", 0.8}}), dvec({2, 0, 3, -0.5, 0.98}),
                  1e-12);
  // alpha 3 does not cap rho 2: lambda 2.
  EXPECT_VEC_NEAR(run("ramplus_tl", kTvs, {{"epsilon", 0.1}, {"r", 0.5}, {"alpha", 3}}), dvec({2, 0, 3, -0.5, 1.4}),
                  1e-12);
  // r 0 is plain RAM.
  EXPECT_VEC_NEAR(run("ramplus_tl", kTvs, {{"epsilon", 0.1}, {"r", 0}}), run("ram", kTvs, {{"epsilon", 0.1}}), 0);
}

TEST(Ram, EpsilonAndAlphaMayNotBeNegative) {
  EXPECT_THROW(run("ram", kTvs, {{"epsilon", -1}}), std::invalid_argument);
  EXPECT_THROW(run("ramplus_tl", kTvs, {{"alpha", -0.1}}), std::invalid_argument);
}
