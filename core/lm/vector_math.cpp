// The portable exp/max and the load-time choice (see vector_math.h).
#include "core/lm/vector_math.h"

#include <algorithm>
#include <cmath>

namespace mergelab::lm {
namespace detail {

float max_of_generic(const float* x, int n) { return *std::max_element(x, x + n); }

double exp_in_place_generic(float* x, int n, float scale, float shift) {
  double sum = 0;
  for (int j = 0; j < n; ++j) sum += (x[j] = std::exp(x[j] * scale - shift));
  return sum;
}

double exp_sum_generic(const float* x, int n, float shift) {
  double sum = 0;
  for (int j = 0; j < n; ++j) sum += std::exp(x[j] - shift);
  return sum;
}

namespace {
bool has_avx512() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}
bool& generic_flag() {
  static bool generic = !has_avx512();
  return generic;
}
}  // namespace

bool use_generic_vector_math(bool generic) {
  const bool old = generic_flag();
  generic_flag() = generic || !has_avx512();
  return old;
}

}  // namespace detail

float max_of(const float* x, int n) { return detail::generic_flag() ? detail::max_of_generic(x, n) : detail::max_of_avx512(x, n); }
double exp_in_place(float* x, int n, float scale, float shift) {
  return detail::generic_flag() ? detail::exp_in_place_generic(x, n, scale, shift) : detail::exp_in_place_avx512(x, n, scale, shift);
}
double exp_sum(const float* x, int n, float shift) {
  return detail::generic_flag() ? detail::exp_sum_generic(x, n, shift) : detail::exp_sum_avx512(x, n, shift);
}

}  // namespace mergelab::lm
