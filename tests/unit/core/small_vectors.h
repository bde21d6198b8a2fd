// Small hand-written vectors for the method tests.
#pragma once

#include <Eigen/Dense>
#include <initializer_list>

namespace mergelab::testing {

inline Eigen::VectorXd dvec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out[i++] = x;
  return out;
}

inline Eigen::VectorXf fvec(std::initializer_list<float> v) {
  Eigen::VectorXf out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (float x : v) out[i++] = x;
  return out;
}

}  // namespace mergelab::testing

/// Every entry of `got` within `tol` of `want`.
#define EXPECT_VEC_NEAR(got, want, tol)                                                 \
  do {                                                                                  \
    const Eigen::VectorXd g_ = (got).template cast<double>(), w_ = (want);             \
    ASSERT_EQ(g_.size(), w_.size());                                                    \
    for (Eigen::Index i_ = 0; i_ < g_.size(); ++i_) EXPECT_NEAR(g_[i_], w_[i_], tol) << "entry " << i_; \
  } while (0)
