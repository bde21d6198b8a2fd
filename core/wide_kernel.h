// MERGELAB_WIDE_KERNEL: compiles a hot integer kernel twice, for AVX2 and for the baseline x86-64, and
// picks the version the CPU supports when the program loads (GCC/Clang target_clones). Only for kernels
// whose results cannot depend on the vector width: integer code, or float code without contractions
// (AVX2 alone does not enable FMA). Elsewhere it expands to nothing.
#pragma once

// Sanitizer builds get the plain version (GCC says so with __SANITIZE_ADDRESS__, clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define MERGELAB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MERGELAB_SANITIZED 1
#endif
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MERGELAB_SANITIZED)
#define MERGELAB_WIDE_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define MERGELAB_WIDE_KERNEL
#endif
