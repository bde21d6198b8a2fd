// One safetensors file: the format, its validation, and a read-only memory map.
//
// Layout (all integers little-endian):
//   bytes [0, 8)        N: u64, the length of the JSON header (must be <= kMaxHeaderBytes and <= file size - 8)
//   bytes [8, 8+N)      UTF-8 JSON object:
//                         "__metadata__": {string: string, ...}            (optional; null = none)
//                         "<tensor>": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}
//                       trailing spaces pad the header so that 8+N is a multiple of 8
//   bytes [8+N, EOF)    the data section; a tensor's bytes are data[begin, end), row-major (C order)
//
// Validation (parse_safetensors_header): header length bounded and inside the file; valid UTF-8; a JSON object
// with no duplicate keys at any level and nesting depth <= 64; `__metadata__` string -> string; each tensor an
// object with a known dtype, a shape of non-negative integers whose element count and byte size do not overflow
// u64, data_offsets [begin, end] with begin <= end <= data section size, end - begin == numel * dtype size, and
// the strict layout of the reference reader: sorted by offsets the ranges tile the data section exactly (in any
// order in the header; no gap, no overlap, no trailing byte), so no file is also valid as another format.
// Any failure throws one CheckpointError naming the file (and the tensor when there is one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/checkpoint/dtype.h"

namespace mergelab::ckpt {

/// Headers larger than this are refused (same bound as the reference implementation: 100 MB).
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

/// One tensor entry of a safetensors header.
struct TensorEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::uint64_t> shape;  ///< row-major; empty = scalar
  std::uint64_t numel = 1;           ///< product of shape (1 for a scalar)
  std::uint64_t begin = 0;           ///< byte offset inside the data section
  std::uint64_t end = 0;             ///< one past the last byte; end - begin == numel * dtype_size(dtype)
  std::uint64_t nbytes() const { return end - begin; }
};

/// A parsed, validated header.
struct SafetensorsHeader {
  std::uint64_t header_bytes = 0;              ///< N
  std::uint64_t data_offset = 0;               ///< 8 + N: file offset of the data section
  std::uint64_t data_bytes = 0;                ///< file size - 8 - N
  std::map<std::string, std::string> metadata;  ///< `__metadata__`
  std::vector<TensorEntry> tensors;            ///< sorted by name
};

/// Validates the first bytes of a safetensors file. `file` holds at least min(file_size, 8 + N) bytes
/// (a whole file, or just its header); `file_size` is the true size of the file on disk.
/// `file_name` is only used in error messages. Throws CheckpointError.
SafetensorsHeader parse_safetensors_header(std::span<const std::byte> file, std::uint64_t file_size,
                                           const std::string& file_name);

/// A read-only memory map of a whole file (PROT_READ, MAP_PRIVATE). Movable, not copyable.
/// An empty file maps to an empty span. Throws CheckpointError when the file cannot be opened or mapped.
/// The map is guarded (core/io/map_guard.h): if the file is truncated while mapped, reads past its new end
/// see zeros instead of killing the process, and check_intact() then throws naming the file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }
  /// Tells the kernel the pages of [offset, offset+length) may be dropped from this process's resident set
  /// (madvise MADV_DONTNEED; the data is re-read from the file if touched again). Safe to call at any time.
  void release(std::uint64_t offset, std::uint64_t length) const;
  /// Throws CheckpointError "<file>: the file changed while it was being read ..." once a read of the map
  /// faulted (call after reading, before using what was read).
  void check_intact() const;

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  int guard_ = -1;
};

/// A validated, memory-mapped safetensors file. Opening reads only the header pages; tensor bytes are paged
/// in by the kernel when first touched. Thread-safe for concurrent reads.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);  ///< maps and validates; throws CheckpointError

  const std::string& path() const { return map_.path(); }
  const SafetensorsHeader& header() const { return header_; }
  const std::vector<TensorEntry>& tensors() const { return header_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  /// nullptr when the file has no tensor of that name.
  const TensorEntry* find(const std::string& name) const;
  /// The raw little-endian bytes of a tensor (a view into the map).
  std::span<const std::byte> raw(const TensorEntry& t) const;
  /// See MappedFile::release; for one tensor's pages.
  void release(const TensorEntry& t) const;
  /// See MappedFile::check_intact.
  void check_intact() const { map_.check_intact(); }

 private:
  MappedFile map_;
  SafetensorsHeader header_;
};

}  // namespace mergelab::ckpt
