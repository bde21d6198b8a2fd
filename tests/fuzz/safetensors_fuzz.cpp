// libFuzzer target for the untrusted-input parsers of core/checkpoint: the safetensors header (length, JSON,
// metadata, tensor entries, offsets) and the sharded index. Every input must either parse or throw
// CheckpointError; any other exception, crash, leak or undefined behaviour is a bug.
// Each input is tried both as a whole safetensors file and as index JSON text.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/safetensors.h"

using namespace mergelab::ckpt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    const SafetensorsHeader h = parse_safetensors_header(bytes, size, "fuzz.safetensors");
    // A header that validates must describe bytes that really exist: touch every tensor's first and last
    // element through the converters (ASan reports any read outside the input).
    for (const auto& t : h.tensors) {
      if (t.numel == 0 || !dtype_is_float(t.dtype)) continue;
      const std::size_t es = dtype_size(t.dtype);
      const std::byte* first = data ? bytes.data() + h.data_offset + t.begin : nullptr;
      float out[2];
      convert_to_f32(t.dtype, first, 1, &out[0]);
      convert_to_f32(t.dtype, first + (t.numel - 1) * es, 1, &out[1]);
    }
  } catch (const CheckpointError&) {
  }
  try {
    const ShardIndex idx = parse_shard_index(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.index.json");
    for (const auto& [name, shard] : idx.weight_map)
      if (shard.empty() || shard.find('/') != std::string::npos) __builtin_trap();  // must have been refused
  } catch (const CheckpointError&) {
  }
  return 0;
}
