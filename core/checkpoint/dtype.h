// safetensors element types and conversion to/from f32.
//
// Conversions: F32/F16/BF16/F64 -> f32 (F64 narrows with round-to-nearest-even), f32 -> F32/F16/BF16
// (round to nearest even, NaN stays NaN with its sign, overflow -> inf). Integer, BOOL and F8 tensors are
// read and reported but never converted: merging them is refused with a CheckpointError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mergelab::ckpt {

enum class DType : std::uint8_t { BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F8_E4M3, F8_E5M2, F16, BF16, F32, F64 };

/// "F32", "BF16", ... exactly as in safetensors headers.
std::string_view dtype_name(DType t);
/// Parses a header dtype string; nullopt when unknown.
std::optional<DType> parse_dtype(std::string_view s);
/// Bytes per element.
std::size_t dtype_size(DType t);
/// True for the dtypes convertible to f32 (F32, F16, BF16, F64).
bool dtype_is_float(DType t);
/// True for the dtypes the writer can produce from f32 (F32, F16, BF16).
bool dtype_is_writable(DType t);

/// Scalar conversions (bit patterns in uint16_t).
float f16_to_f32(std::uint16_t h);
float bf16_to_f32(std::uint16_t h);
std::uint16_t f32_to_f16(float f);   ///< round to nearest even; NaN -> quiet NaN, sign kept; |f| >= 65520 -> inf
std::uint16_t f32_to_bf16(float f);  ///< round to nearest even; NaN -> quiet NaN, sign kept

/// Converts n little-endian elements of type `from` at `src` (any alignment) into dst[0..n).
/// Precondition: dtype_is_float(from) (callers check and report; see Checkpoint::read_f32).
void convert_to_f32(DType from, const std::byte* src, std::size_t n, float* dst);
/// Converts n floats into n little-endian elements of type `to` at dst (any alignment).
/// Precondition: dtype_is_writable(to).
void convert_from_f32(DType to, const float* src, std::size_t n, std::byte* dst);

}  // namespace mergelab::ckpt
