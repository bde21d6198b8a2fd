// The packed SGEMM kernels (every implementation the processor runs) against a double-precision product.
#include "core/lm/sgemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace mergelab::lm {
namespace {

struct IsaGuard {
  std::string saved = sgemm_isa();
  ~IsaGuard() { set_sgemm_isa(saved.c_str()); }
};

// Every shape class: row tails (M not a multiple of 6 or 8), column tails (N mod 16, 32), K across the K block.
TEST(Sgemm, EveryImplementationMatchesADoubleProduct) {
  IsaGuard guard;
  std::mt19937 gen(11);
  std::normal_distribution<float> normal;
  for (const char* isa : {"generic", "avx2", "avx512"}) {
    if (!set_sgemm_isa(isa)) continue;
    SCOPED_TRACE(isa);
    for (int M : {1, 5, 8, 13, 70})
      for (int N : {1, 15, 16, 17, 33, 100, 530})
        for (int K : {1, 7, 96, 300, 600}) {
          std::vector<float> A(M * K), W(N * K), C(M * N, 0.5f), Wt(K * N), Ct(M * N, 0.5f);
          for (auto& x : A) x = normal(gen);
          for (auto& x : W) x = normal(gen);
          for (int n = 0; n < N; ++n)
            for (int k = 0; k < K; ++k) Wt[k * N + n] = W[n * K + k];
          std::vector<float> P(packed_size(K, N)), Pt(packed_size(K, N));
          pack_nk(W.data(), N, K, K, P.data());
          pack_kn(Wt.data(), K, N, N, Pt.data());
          ASSERT_EQ(P, Pt);  // both packings give the same panels
          sgemm(M, N, K, A.data(), K, P.data(), C.data(), N, /*accumulate=*/true);
          sgemm(M, N, K, A.data(), K, P.data(), Ct.data(), N, /*accumulate=*/false);
          for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
              double s = 0, mag = 0;
              for (int k = 0; k < K; ++k) {
                s += double(A[m * K + k]) * W[n * K + k];
                mag += std::abs(double(A[m * K + k]) * W[n * K + k]);
              }
              // f32 accumulation of K products: error bounded by ~K·eps·Σ|a·b|; sqrt(K) is typical.
              const double tol = 4e-7 * std::sqrt(double(K)) * (mag + 1);
              ASSERT_NEAR(Ct[m * N + n], s, tol) << M << "x" << N << "x" << K;
              ASSERT_NEAR(C[m * N + n], s + 0.5, tol) << M << "x" << N << "x" << K;
            }
        }
  }
}

TEST(Sgemm, StridedUsesAPrefixOfALargerPacking) {
  IsaGuard guard;
  for (const char* isa : {"generic", "avx2", "avx512"}) {
    if (!set_sgemm_isa(isa)) continue;
    const int K = 40, N = 20, Kuse = 23, M = 9;
    std::vector<float> B(K * N), A(M * Kuse);
    for (int i = 0; i < K * N; ++i) B[i] = float((i * 7) % 13) - 6;
    for (int i = 0; i < M * Kuse; ++i) A[i] = float((i * 5) % 11) - 5;
    std::vector<float> P(packed_size(K, N)), C(M * N);
    pack_kn(B.data(), K, N, N, P.data());
    sgemm_strided(M, N, Kuse, A.data(), Kuse, P.data(), std::size_t(K) * kPanel, C.data(), N, false);
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        float s = 0;  // small integers: every sum is exact in f32
        for (int k = 0; k < Kuse; ++k) s += A[m * Kuse + k] * B[k * N + n];
        ASSERT_EQ(C[m * N + n], s) << isa;
      }
  }
}

TEST(Sgemm, ChoosesTheWidestImplementationTheProcessorRuns) {
  const std::string isa = sgemm_isa();
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) EXPECT_EQ(isa, "avx512");
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) EXPECT_EQ(isa, "avx2");
  else EXPECT_EQ(isa, "generic");
#else
  EXPECT_EQ(isa, "generic");
#endif
  EXPECT_FALSE(set_sgemm_isa("sse9"));
}

}  // namespace
}  // namespace mergelab::lm
