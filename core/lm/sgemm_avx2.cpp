// The AVX2+FMA micro-kernel (see sgemm.h): a tile of up to 6 rows × 16 columns (12 ymm accumulators) per step
// of k. Compiled for AVX2/FMA through a target attribute; only called when the processor has both. No Eigen here.
#include "core/lm/sgemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#define MERGELAB_AVX2 __attribute__((target("avx2,fma")))

namespace mergelab::lm::detail {
namespace {

constexpr int kRows = 6;

MERGELAB_AVX2 inline __m256i lane_mask(int valid) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), idx);
}

template <int R>
MERGELAB_AVX2 inline void tile(const float* A, int lda, const float* panel, int k0, int k1, float* C, int ldc, bool acc,
                               int cols) {
  __m256 c[R][2];
  for (int r = 0; r < R; ++r) c[r][0] = c[r][1] = _mm256_setzero_ps();
  const float* b = panel + static_cast<std::size_t>(k0) * kPanel;
  for (int k = k0; k < k1; ++k, b += kPanel) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    for (int r = 0; r < R; ++r) {
      const __m256 a = _mm256_broadcast_ss(A + static_cast<std::size_t>(r) * lda + k);
      c[r][0] = _mm256_fmadd_ps(a, b0, c[r][0]);
      c[r][1] = _mm256_fmadd_ps(a, b1, c[r][1]);
    }
  }
  const __m256i m0 = lane_mask(cols), m1 = lane_mask(cols - 8);
  for (int r = 0; r < R; ++r) {
    float* out = C + static_cast<std::size_t>(r) * ldc;
    __m256 v0 = c[r][0], v1 = c[r][1];
    if (acc) {
      v0 = _mm256_add_ps(v0, _mm256_maskload_ps(out, m0));
      v1 = _mm256_add_ps(v1, _mm256_maskload_ps(out + 8, m1));
    }
    _mm256_maskstore_ps(out, m0, v0);
    _mm256_maskstore_ps(out + 8, m1, v1);
  }
}

MERGELAB_AVX2 void tile_rows(int R, const float* A, int lda, const float* panel, int k0, int k1, float* C, int ldc,
                             bool acc, int cols) {
  switch (R) {
    case 6: return tile<6>(A, lda, panel, k0, k1, C, ldc, acc, cols);
    case 5: return tile<5>(A, lda, panel, k0, k1, C, ldc, acc, cols);
    case 4: return tile<4>(A, lda, panel, k0, k1, C, ldc, acc, cols);
    case 3: return tile<3>(A, lda, panel, k0, k1, C, ldc, acc, cols);
    case 2: return tile<2>(A, lda, panel, k0, k1, C, ldc, acc, cols);
    default: return tile<1>(A, lda, panel, k0, k1, C, ldc, acc, cols);
  }
}

}  // namespace

MERGELAB_AVX2 void sgemm_avx2(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride,
                              float* C, int ldc, bool accumulate) {
  for_each_tile(M, N, K, kRows, kPanel, A, lda, Bp, panel_stride, C, ldc, accumulate,
                [lda, ldc](int R, const float* a, float* c, const float* panel, int cols, int k0, int k1, bool acc) {
                  tile_rows(R, a, lda, panel, k0, k1, c, ldc, acc, std::min(kPanel, cols));
                });
}

}  // namespace mergelab::lm::detail

#else
namespace mergelab::lm::detail {
void sgemm_avx2(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C, int ldc,
                  bool accumulate) {
  sgemm_generic(M, N, K, A, lda, Bp, panel_stride, C, ldc, accumulate);
}
}  // namespace mergelab::lm::detail
#endif
