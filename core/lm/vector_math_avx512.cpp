// AVX-512F exp/max (see vector_math.h). Compiled for AVX-512 through a target attribute; only called when the
// processor has it. No Eigen here.
#include "core/lm/vector_math.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <cmath>

#define MERGELAB_AVX512 __attribute__((target("avx512f,fma")))

namespace mergelab::lm::detail {
namespace {

// exp(x): n = round(x·log2 e), r = x - n·ln 2 (two-part constant), exp(r) by a degree-6 polynomial
// (Cephes expf coefficients), times 2^n with vscalefps (no exponent-field tricks, so no overflow games).
MERGELAB_AVX512 inline __m512 exp16(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.3762626647949f)), _mm512_set1_ps(-87.3365447505531f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 r2 = _mm512_mul_ps(r, r);
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, r2, r), _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(y, n);
}

MERGELAB_AVX512 inline __mmask16 tail_mask(int left) {
  return left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1u);
}

MERGELAB_AVX512 inline double sum_lanes(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  double s = 0;
  for (float f : lanes) s += f;
  return s;
}

}  // namespace

MERGELAB_AVX512 float max_of_avx512(const float* x, int n) {
  __m512 m = _mm512_set1_ps(-INFINITY);
  for (int j = 0; j < n; j += 16) m = _mm512_max_ps(m, _mm512_mask_loadu_ps(m, tail_mask(n - j), x + j));
  return _mm512_reduce_max_ps(m);
}

MERGELAB_AVX512 double exp_in_place_avx512(float* x, int n, float scale, float shift) {
  const __m512 s = _mm512_set1_ps(scale), sh = _mm512_set1_ps(shift);
  __m512 acc = _mm512_setzero_ps();
  for (int j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    const __m512 e = exp16(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(m, x + j), s, sh));
    _mm512_mask_storeu_ps(x + j, m, e);
    acc = _mm512_mask_add_ps(acc, m, acc, e);
  }
  return sum_lanes(acc);
}

MERGELAB_AVX512 double exp_sum_avx512(const float* x, int n, float shift) {
  const __m512 sh = _mm512_set1_ps(shift);
  __m512 acc = _mm512_setzero_ps();
  for (int j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    acc = _mm512_mask_add_ps(acc, m, acc, exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + j), sh)));
  }
  return sum_lanes(acc);
}

}  // namespace mergelab::lm::detail

#else
namespace mergelab::lm::detail {
float max_of_avx512(const float* x, int n) { return max_of_generic(x, n); }
double exp_in_place_avx512(float* x, int n, float scale, float shift) { return exp_in_place_generic(x, n, scale, shift); }
double exp_sum_avx512(const float* x, int n, float shift) { return exp_sum_generic(x, n, shift); }
}  // namespace mergelab::lm::detail
#endif
