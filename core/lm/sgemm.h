// Packed single-precision matrix products: the kernel under every projection of the LM forward pass.
//
//   std::vector<float> Wp(packed_size(K, N));
//   pack_nk(W.data(), N, K, K, Wp.data());          // a Linear weight W [N out × K in], packed once at load
//   sgemm(M, N, K, X, K, Wp.data(), Y, N, false);   // Y [M × N] = X [M × K] · Wᵀ
//
// The right-hand side is packed into column panels of kPanel = 16 floats: panel p holds columns
// [16p, 16p + 16) for k = 0..K-1 contiguously (dst[p·K·16 + k·16 + j]), zero-padded past N. The product is
// blocked over K (so a strip of A stays in L1) and N (so a block of panels stays in L2); the micro-kernel keeps
// a tile of C in registers and runs on FMA. Three implementations, chosen once when the program loads with
// __builtin_cpu_supports: AVX-512F (8 rows × 32 columns), AVX2+FMA (6 × 16) and portable C++; each sits in its
// own translation unit compiled with a target attribute and includes no Eigen (inline templates compiled for
// different ISAs must never meet in the linker). Each row of C is summed over k in the same order whatever M
// is, so a row's result does not depend on the other rows of the call (causality is exact).
#pragma once

#include <cstddef>

namespace mergelab::lm {

inline constexpr int kPanel = 16;

/// Floats a packed K × N right-hand side takes: K · round_up(N, 16).
inline std::size_t packed_size(int K, int N) {
  return static_cast<std::size_t>(K) * static_cast<std::size_t>((N + kPanel - 1) / kPanel * kPanel);
}

/// Packs Bᵀ for B = W given as [N × K] row-major with row stride ldw (a Linear weight [out, in], or K of
/// attention: scores = Q · Kᵀ).
void pack_nk(const float* W, int N, int K, int ldw, float* dst);
/// Packs B given as [K × N] row-major with row stride ldb (a GPT-2 Conv1D weight [in, out], or V of attention).
void pack_kn(const float* B, int K, int N, int ldb, float* dst);

/// C[M × N] = A[M × K] · B (or += when `accumulate`), B packed by pack_nk/pack_kn. Row strides lda, ldc.
void sgemm(int M, int N, int K, const float* A, int lda, const float* Bp, float* C, int ldc, bool accumulate);
/// The same with the distance between panels given (in floats): lets a product use the first K rows (or the first
/// N columns) of a matrix packed with more. pack_*(…, K_packed, …) gives panel_stride = K_packed · 16.
void sgemm_strided(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C,
                   int ldc, bool accumulate);

/// "avx512", "avx2" or "generic": the implementation sgemm() runs.
const char* sgemm_isa();

/// Forces one implementation ("avx512", "avx2", "generic"; for tests and benchmarks). Returns false when the
/// processor cannot run it (the choice is then unchanged). Not thread-safe against concurrent sgemm calls.
bool set_sgemm_isa(const char* name);

namespace detail {
using SgemmFn = void (*)(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride,
                         float* C, int ldc, bool accumulate);
void sgemm_generic(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C,
                   int ldc, bool accumulate);
void sgemm_avx2(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C,
                int ldc, bool accumulate);
void sgemm_avx512(int M, int N, int K, const float* A, int lda, const float* Bp, std::size_t panel_stride, float* C,
                  int ldc, bool accumulate);
// Cache blocking shared by all implementations.
inline constexpr int kBlockK = 256;
inline constexpr int kBlockN = 512;  // a multiple of 32

/// The blocking every implementation runs: K in blocks of kBlockK (a strip of A stays in L1), N in blocks of
/// kBlockN (a block of panels stays in L2), M in strips of `rows`, and within a strip column steps of `step`
/// floats (a multiple of kPanel). For each step it calls
///   tile(R, a, c, panels, cols, k0, k1, acc)
/// with R = rows of the strip, a = A + m·lda, c = C + m·ldc + n, panels = Bp + (n / kPanel)·panel_stride,
/// cols = columns left in the N block from n (> 0; the tile stores min(step, cols)), acc = accumulate || k0 > 0.
/// k blocks run in increasing order, so each row of C is summed over k in one fixed order whatever M is. A
/// header template: each kernel's translation unit instantiates it with its own (internal-linkage) tile.
template <class Tile>
inline void for_each_tile(int M, int N, int K, int rows, int step, const float* A, int lda, const float* Bp,
                          std::size_t panel_stride, float* C, int ldc, bool accumulate, Tile&& tile) {
  for (int k0 = 0; k0 < K; k0 += kBlockK) {
    const int k1 = K < k0 + kBlockK ? K : k0 + kBlockK;
    const bool acc = accumulate || k0 > 0;
    for (int n0 = 0; n0 < N; n0 += kBlockN) {
      const int n1 = N < n0 + kBlockN ? N : n0 + kBlockN;
      for (int m = 0; m < M; m += rows) {
        const int R = M - m < rows ? M - m : rows;
        const float* a = A + static_cast<std::size_t>(m) * lda;
        float* c = C + static_cast<std::size_t>(m) * ldc;
        for (int n = n0; n < n1; n += step)
          tile(R, a, c + n, Bp + static_cast<std::size_t>(n / kPanel) * panel_stride, n1 - n, k0, k1, acc);
      }
    }
  }
}
}  // namespace detail

}  // namespace mergelab::lm
