// Vectorised exp/max for softmax and log-sum-exp (the LM forward pass's non-GEMM hot spots: causal attention
// takes T²/2 exponentials per head and layer, the NLL one per vocabulary entry and position).
//
// Chosen once at load time like sgemm.h: an AVX-512F version (Cephes-style polynomial on [-ln2/2, ln2/2],
// 2^n by vscalefps; relative error below 2e-7, exp(x) for x < -87 underflows to ~0) in its own translation unit
// with a target attribute, and a portable one (std::exp).
#pragma once

namespace mergelab::lm {

/// max of x[0..n) (n >= 1).
float max_of(const float* x, int n);
/// x[j] = exp(scale·x[j] - shift) for j < n; returns Σ x[j] (f32 lanes summed in double).
double exp_in_place(float* x, int n, float scale, float shift);
/// Σ exp(x[j] - shift) for j < n, x unchanged (partial sums in f32 lanes, combined in double).
double exp_sum(const float* x, int n, float shift);

namespace detail {
float max_of_generic(const float* x, int n);
double exp_in_place_generic(float* x, int n, float scale, float shift);
double exp_sum_generic(const float* x, int n, float shift);
float max_of_avx512(const float* x, int n);
double exp_in_place_avx512(float* x, int n, float scale, float shift);
double exp_sum_avx512(const float* x, int n, float shift);
/// Forces the portable versions (tests); returns the previous setting.
bool use_generic_vector_math(bool generic);
}  // namespace detail

}  // namespace mergelab::lm
