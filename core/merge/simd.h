// Small fixed-width packs for the merge kernels (GCC/Clang vector extensions, 16 bytes: 4 floats or
// 2 doubles). Compilers leave some of the kernels' select-heavy loops scalar; written with packs they run
// lane-parallel on any target, and each lane does exactly the scalar operations, so results are
// bit-identical to the scalar loops.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace mergelab::merge::simd {

template <class T>
struct Pack;

template <>
struct Pack<float> {
  typedef float V __attribute__((vector_size(16)));
  typedef std::int32_t M __attribute__((vector_size(16)));  // lane masks: all ones or all zeros
  typedef std::uint8_t B __attribute__((vector_size(4)));   // N bytes of a keep mask
  static constexpr int N = 4;
};

template <>
struct Pack<double> {
  typedef double V __attribute__((vector_size(16)));
  typedef std::int64_t M __attribute__((vector_size(16)));
  typedef std::uint8_t B __attribute__((vector_size(2)));
  static constexpr int N = 2;
};

template <class V, class T>
inline V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T, class V>
inline void store(T* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

template <class T>
inline typename Pack<T>::V splat(T x) {
  typename Pack<T>::V v;
  for (int l = 0; l < Pack<T>::N; ++l) v[l] = x;
  return v;
}

/// The lane mask of N bytes of a keep mask (a lane is set where its byte is non-zero).
template <class T>
inline typename Pack<T>::M byte_mask(const std::uint8_t* keep) {
  typename Pack<T>::B b;
  std::memcpy(&b, keep, sizeof b);
  const auto wide = __builtin_convertvector(b, typename Pack<T>::M);
  return static_cast<typename Pack<T>::M>(wide != 0);
}

/// out[k] = keep[k] ? x[k] : +0 for k < m.
template <class T>
inline void apply_keep(const T* x, const std::uint8_t* keep, std::ptrdiff_t m, T* out) {
  using P = Pack<T>;
  std::ptrdiff_t k = 0;
  for (; k + P::N <= m; k += P::N) {
    const typename P::V v = load<typename P::V>(x + k);
    store(out + k, reinterpret_cast<typename P::V>(reinterpret_cast<typename P::M>(v) & byte_mask<T>(keep + k)));
  }
  for (; k < m; ++k) out[k] = keep[k] ? x[k] : T(0);
}

/// |x| lane by lane (the sign bit cleared, as std::abs does).
template <class T>
inline typename Pack<T>::V abs(typename Pack<T>::V x) {
  using M = typename Pack<T>::M;
  using Lane = std::remove_reference_t<decltype(M{}[0])>;
  M magnitude;
  for (int l = 0; l < Pack<T>::N; ++l) magnitude[l] = static_cast<Lane>(~(std::uint64_t{1} << (8 * sizeof(Lane) - 1)));
  return reinterpret_cast<typename Pack<T>::V>(reinterpret_cast<M>(x) & magnitude);
}

/// x where mask is set, +0 elsewhere.
template <class V, class M>
inline V keep_if(V x, M mask) {
  return reinterpret_cast<V>(reinterpret_cast<M>(x) & mask);
}

/// a where mask is set, b elsewhere.
template <class V, class M>
inline V choose(M mask, V a, V b) {
  return reinterpret_cast<V>((reinterpret_cast<M>(a) & mask) | (reinterpret_cast<M>(b) & ~mask));
}

}  // namespace mergelab::merge::simd
