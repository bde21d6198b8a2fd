#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/wide_kernel.h"

namespace mergelab {

namespace {
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfU;
constexpr uint32_t kUpperMask = 0x80000000U;
constexpr uint32_t kLowerMask = 0x7fffffffU;
}  // namespace

void RandomState::seed(uint32_t seed) {
  // init_genrand from the reference MT19937, as numpy's mt19937_seed.
  mt_[0] = seed;
  for (int i = 1; i < kN; ++i) {
    mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }
  index_ = kN;
  has_gauss_ = false;
  gauss_ = 0.0;
  has_binomial_ = false;
}

// The reference twist, split where its indices wrap (i + 1 and i + kM mod kN) so no `%` is left in the
// loops: the first loop reads only old words ahead of i, the second reads words the first rewrote 227
// places back, which keeps both vectorisable.
MERGELAB_WIDE_KERNEL void RandomState::generate() {
  uint32_t* mt = mt_.data();
  auto twist = [](uint32_t upper, uint32_t lower, uint32_t far) {
    const uint32_t y = (upper & kUpperMask) | (lower & kLowerMask);
    return far ^ (y >> 1) ^ ((0U - (y & 1U)) & kMatrixA);
  };
  int i = 0;
  for (; i < kN - kM; ++i) mt[i] = twist(mt[i], mt[i + 1], mt[i + kM]);
  for (; i < kN - 1; ++i) mt[i] = twist(mt[i], mt[i + 1], mt[i + kM - kN]);
  mt[kN - 1] = twist(mt[kN - 1], mt[0], mt[kM - 1]);
  index_ = 0;
}

namespace {
inline uint32_t temper(uint32_t y) {
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}
}  // namespace

uint32_t RandomState::next_uint32() {
  if (index_ >= kN) generate();
  return temper(mt_[index_++]);
}

MERGELAB_WIDE_KERNEL void RandomState::fill_uint32(uint32_t* out, size_t n) {
  while (n > 0) {
    if (index_ >= kN) generate();
    const size_t take = std::min(n, static_cast<size_t>(kN - index_));
    const uint32_t* src = mt_.data() + index_;
    for (size_t k = 0; k < take; ++k) out[k] = temper(src[k]);
    index_ += static_cast<int>(take);
    out += take;
    n -= take;
  }
}

double RandomState::random_sample() {
  const uint32_t a = next_uint32() >> 5;
  const uint32_t b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

void RandomState::fill_random_sample(double* out, size_t n) {
  constexpr size_t kChunk = 512;
  uint32_t words[2 * kChunk];
  while (n > 0) {
    const size_t m = std::min(n, kChunk);
    fill_uint32(words, 2 * m);
    for (size_t k = 0; k < m; ++k) {
      const uint32_t a = words[2 * k] >> 5;
      const uint32_t b = words[2 * k + 1] >> 6;
      out[k] = (a * 67108864.0 + b) / 9007199254740992.0;
    }
    out += m;
    n -= m;
  }
}

double RandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double cached = gauss_;
    gauss_ = 0.0;
    return cached;
  }
  double x1 = 0.0, x2 = 0.0, r2 = 0.0;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

int64_t RandomState::binomial_inversion(int64_t n, double p) {
  if (!has_binomial_ || binomial_n_ != n || binomial_p_ != p) {
    binomial_n_ = n;
    binomial_p_ = p;
    has_binomial_ = true;
    binomial_q_ = 1.0 - p;
    binomial_qn_ = std::exp(static_cast<double>(n) * std::log(binomial_q_));
    const double np = static_cast<double>(n) * p;
    binomial_bound_ = std::min(static_cast<double>(n), np + 10.0 * std::sqrt(np * binomial_q_ + 1.0));
  }
  const double q = binomial_q_;
  const double qn = binomial_qn_;
  const double bound = binomial_bound_;
  int64_t x = 0;
  double px = qn;
  double u = random_sample();
  while (u > px) {
    ++x;
    if (static_cast<double>(x) > bound) {
      x = 0;
      px = qn;
      u = random_sample();
    } else {
      u -= px;
      px = (static_cast<double>(n - x + 1) * p * px) / (static_cast<double>(x) * q);
    }
  }
  return x;
}

int64_t RandomState::binomial(int64_t n, double p) {
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("binomial: p must be in [0, 1], got " + std::to_string(p));
  if (n < 0) throw std::invalid_argument("binomial: n must be >= 0");
  if (n == 0 || p == 0.0) return 0;
  if (p <= 0.5) {
    if (p * static_cast<double>(n) > 30.0) throw std::invalid_argument("binomial: n*p > 30 (BTPE branch) is not supported");
    return binomial_inversion(n, p);
  }
  const double q = 1.0 - p;
  if (q * static_cast<double>(n) > 30.0) throw std::invalid_argument("binomial: n*(1-p) > 30 (BTPE branch) is not supported");
  return n - binomial_inversion(n, q);
}

}  // namespace mergelab
