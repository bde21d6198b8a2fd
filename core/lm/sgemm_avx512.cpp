// The AVX-512F micro-kernel (see sgemm.h): a tile of up to 8 rows × 32 columns (16 zmm accumulators) per step
// of k, two panel loads and one broadcast per row. Compiled for AVX-512 through a target attribute; only called
// when the processor has it. No Eigen here.
#include "core/lm/sgemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#define MERGELAB_AVX512 __attribute__((target("avx512f,fma")))

namespace mergelab::lm::detail {
namespace {

constexpr int kRows512 = 8;

// C[R × (16·P)] (+)= A[R × (k1 - k0)] · panels[k0:k1]; `mask` selects the valid columns of the last panel.
template <int R, int P>
MERGELAB_AVX512 inline void tile(const float* A, int lda, const float* B0, std::size_t panel_stride, int k0, int k1, float* C, int ldc,
                                 bool acc, __mmask16 last_mask) {
  __m512 c[R][P];
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p) c[r][p] = _mm512_setzero_ps();
  const float* b = B0 + static_cast<std::size_t>(k0) * kPanel;
  for (int k = k0; k < k1; ++k, b += kPanel) {
    __m512 bv[P];
    for (int p = 0; p < P; ++p) bv[p] = _mm512_loadu_ps(b + p * panel_stride);
    for (int r = 0; r < R; ++r) {
      const __m512 a = _mm512_set1_ps(A[static_cast<std::size_t>(r) * lda + k]);
      for (int p = 0; p < P; ++p) c[r][p] = _mm512_fmadd_ps(a, bv[p], c[r][p]);
    }
  }
  for (int r = 0; r < R; ++r) {
    float* out = C + static_cast<std::size_t>(r) * ldc;
    for (int p = 0; p < P; ++p) {
      const __mmask16 m = p == P - 1 ? last_mask : static_cast<__mmask16>(0xFFFF);
      __m512 v = c[r][p];
      if (acc) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, out + p * kPanel));
      _mm512_mask_storeu_ps(out + p * kPanel, m, v);
    }
  }
}

template <int P>
MERGELAB_AVX512 void tile_rows(int R, const float* A, int lda, const float* B0, std::size_t panel_stride, int k0, int k1, float* C, int ldc,
                               bool acc, __mmask16 mask) {
  switch (R) {
    case 8: return tile<8, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    case 7: return tile<7, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    case 6: return tile<6, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    case 5: return tile<5, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    case 4: return tile<4, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    case 3: return tile<3, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    case 2: return tile<2, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
    default: return tile<1, P>(A, lda, B0, panel_stride, k0, k1, C, ldc, acc, mask);
  }
}

}  // namespace

MERGELAB_AVX512 void sgemm_avx512(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride,
                                  float* C, int ldc, bool accumulate) {
  for_each_tile(M, N, K, kRows512, 2 * kPanel, A, lda, Bp, panel_stride, C, ldc, accumulate,
                [lda, ldc, panel_stride](int R, const float* a, float* c, const float* b, int cols, int k0, int k1, bool acc) {
                  if (cols > kPanel) {
                    const int last = std::min(kPanel, cols - kPanel);
                    tile_rows<2>(R, a, lda, b, panel_stride, k0, k1, c, ldc, acc, static_cast<__mmask16>((1u << last) - 1u));
                  } else {
                    tile_rows<1>(R, a, lda, b, panel_stride, k0, k1, c, ldc, acc, static_cast<__mmask16>((1u << cols) - 1u));
                  }
                });
}

}  // namespace mergelab::lm::detail

#else
namespace mergelab::lm::detail {
void sgemm_avx512(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C, int ldc,
                  bool accumulate) {
  sgemm_generic(M, N, K, A, lda, Bp, panel_stride, C, ldc, accumulate);
}
}  // namespace mergelab::lm::detail
#endif
