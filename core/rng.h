// numpy-compatible legacy random generator.
//
// Reproduces `numpy.random.seed(s)` / `numpy.random.RandomState(s)` bit for bit:
//  - MT19937 seeded with init_genrand(s & 0xffffffff), as numpy's legacy seeding does for an integer;
//  - random_sample(): 53-bit doubles from two 32-bit draws, (a >> 5) * 2^26 + (b >> 6), / 2^53;
//  - standard_normal(): the legacy Marsaglia polar method, which makes two normals per accepted
//    pair and caches the second one for the next call (so randn(3) uses two pairs);
//  - binomial(n, p): the legacy inversion algorithm (the path numpy takes when
//    min(p, 1-p) * n <= 30, which covers every DARE mask, n = 1).
// Arrays are filled in C order, one draw per element, exactly like numpy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace mergelab {

class RandomState {
 public:
  explicit RandomState(uint32_t seed = 0) { this->seed(seed); }

  /// numpy.random.seed(seed): resets the Mersenne Twister and the cached Gaussian.
  void seed(uint32_t seed);

  /// Next raw 32-bit output of MT19937 (genrand_int32).
  uint32_t next_uint32();

  /// The next `n` raw outputs, exactly as n calls of next_uint32() (the twist and the tempering
  /// run over whole arrays, so the loops vectorise).
  void fill_uint32(uint32_t* out, size_t n);

  /// Uniform double in [0, 1) with 53 bits of resolution (numpy random_sample / rand).
  double random_sample();

  /// The next `n` random_sample() values, drawn exactly as n calls would draw them.
  void fill_random_sample(double* out, size_t n);

  /// Standard normal draw (numpy legacy gauss, polar method with one cached value).
  double standard_normal();

  /// Binomial(n, p) draw as numpy's legacy RandomState.binomial. Throws std::invalid_argument
  /// for p outside [0, 1], n < 0, or a (n, p) that would need numpy's BTPE branch.
  int64_t binomial(int64_t n, double p);

 private:
  static constexpr int kN = 624;
  std::array<uint32_t, kN> mt_{};
  int index_ = kN;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
  // numpy keeps the setup of the last binomial call and reuses it when n and p repeat.
  bool has_binomial_ = false;
  int64_t binomial_n_ = 0;
  double binomial_p_ = 0.0;
  double binomial_q_ = 0.0, binomial_qn_ = 0.0, binomial_bound_ = 0.0;

  void generate();
  int64_t binomial_inversion(int64_t n, double p);
};

}  // namespace mergelab
