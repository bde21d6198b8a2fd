// Packing, the portable kernel and the load-time choice of implementation (see sgemm.h).
#include "core/lm/sgemm.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace mergelab::lm {
namespace detail {

// The portable kernel: per 16-column panel and row, a 16-float accumulator the compiler vectorises.
void sgemm_generic(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C, int ldc,
                   bool accumulate) {
  for_each_tile(M, N, K, 1, kPanel, A, lda, Bp, panel_stride, C, ldc, accumulate,
                [](int, const float* a, float* out, const float* panel, int cols, int k0, int k1, bool acc) {
                  float c[kPanel] = {};
                  for (int k = k0; k < k1; ++k) {
                    const float av = a[k];
                    const float* b = panel + static_cast<std::size_t>(k) * kPanel;
                    for (int j = 0; j < kPanel; ++j) c[j] += av * b[j];
                  }
                  for (int j = 0; j < std::min(kPanel, cols); ++j) out[j] = acc ? out[j] + c[j] : c[j];
                });
}

namespace {

SgemmFn choose() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return &sgemm_avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &sgemm_avx2;
#endif
  return &sgemm_generic;
}

SgemmFn& current() {
  static SgemmFn fn = choose();
  return fn;
}

}  // namespace
}  // namespace detail

void pack_nk(const float* W, int N, int K, int ldw, float* dst) {
  const int panels = (N + kPanel - 1) / kPanel;
  for (int p = 0; p < panels; ++p) {
    float* out = dst + static_cast<std::size_t>(p) * K * kPanel;
    const int cols = std::min(kPanel, N - p * kPanel);
    for (int k = 0; k < K; ++k) {
      for (int j = 0; j < cols; ++j) out[k * kPanel + j] = W[static_cast<std::size_t>(p * kPanel + j) * ldw + k];
      for (int j = cols; j < kPanel; ++j) out[k * kPanel + j] = 0.0f;
    }
  }
}

void pack_kn(const float* B, int K, int N, int ldb, float* dst) {
  const int panels = (N + kPanel - 1) / kPanel;
  for (int p = 0; p < panels; ++p) {
    float* out = dst + static_cast<std::size_t>(p) * K * kPanel;
    const int cols = std::min(kPanel, N - p * kPanel);
    for (int k = 0; k < K; ++k) {
      const float* row = B + static_cast<std::size_t>(k) * ldb + p * kPanel;
      std::memcpy(out + k * kPanel, row, sizeof(float) * cols);
      for (int j = cols; j < kPanel; ++j) out[k * kPanel + j] = 0.0f;
    }
  }
}

void sgemm(int M, int N, int K, const float* A, int lda, const float* Bp, float* C, int ldc, bool accumulate) {
  sgemm_strided(M, N, K, A, lda, Bp, static_cast<std::size_t>(K) * kPanel, C, ldc, accumulate);
}

void sgemm_strided(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C,
                   int ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int m = 0; m < M; ++m) std::fill(C + static_cast<std::size_t>(m) * ldc, C + static_cast<std::size_t>(m) * ldc + N, 0.0f);
    return;
  }
  detail::current()(M, N, K, A, lda, Bp, panel_stride, C, ldc, accumulate);
}

const char* sgemm_isa() {
  const detail::SgemmFn fn = detail::current();
  if (fn == &detail::sgemm_avx512) return "avx512";
  if (fn == &detail::sgemm_avx2) return "avx2";
  return "generic";
}

bool set_sgemm_isa(const char* name) {
  const std::string_view n(name);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (n == "avx512" && __builtin_cpu_supports("avx512f")) return (detail::current() = &detail::sgemm_avx512), true;
  if (n == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return (detail::current() = &detail::sgemm_avx2), true;
#endif
  if (n == "generic") return (detail::current() = &detail::sgemm_generic), true;
  return false;
}

}  // namespace mergelab::lm
