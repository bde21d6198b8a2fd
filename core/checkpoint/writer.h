// Streaming safetensors writers.
//
// The header is fixed up front from the tensor specs (names, shapes, dtypes), so data can then be streamed
// one tensor, or one block of a tensor, at a time, in any order, from any thread: each write lands at its
// final offset (pwrite). Nothing of the model needs to be in memory at once.
//
//   std::vector<TensorSpec> specs = {{"fc1.weight", DType::BF16, {64, 64}}, ...};
//   CheckpointWriter w(out_dir, specs, {{"merge_method", "ties"}}, {.max_shard_bytes = 2'000'000'000});
//   w.write("fc1.weight", block, first_element);  // f32 in, converted to BF16 (round to nearest even)
//   w.write_raw("position_ids", bytes);            // any dtype: bytes as stored (integer/bool pass-through)
//   w.finish();                                    // every byte written? -> rename temp files into place
//
// Files are written through io::AtomicFile (a unique hidden temp name beside the final one, fsync, rename);
// a writer
// destroyed before finish() deletes its temporary files. Existing outputs are refused unless overwrite is set.
// Header format as the reference writes it: `__metadata__` first, then tensors in data order, JSON padded
// with spaces so that 8 + N is a multiple of 8; tensors stored back to back in spec order.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/checkpoint/dtype.h"
#include "core/io/atomic_file.h"

namespace mergelab::ckpt {

/// What will be written for one tensor. Any dtype; write() (from f32) needs F32, F16 or BF16, any other dtype
/// (integer, bool, F64, F8) is written as raw bytes with write_raw().
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::uint64_t> shape;  ///< row-major; empty = scalar
};

struct WriterOptions {
  /// CheckpointWriter: 0 = a single model.safetensors; otherwise shards of at most this many tensor bytes
  /// (a tensor larger than the limit gets a shard of its own), named model-0000i-of-0000N.safetensors, plus
  /// model.safetensors.index.json (transformers' layout). A plan that yields one shard writes model.safetensors.
  std::uint64_t max_shard_bytes = 0;
  bool overwrite = false;  ///< replace existing output files (default: refuse)
  bool sync = true;        ///< fsync each file before renaming it into place
};

/// One safetensors file.
class SafetensorsWriter {
 public:
  /// Validates the specs (unique non-empty names, sizes without overflow), creates the temp file and writes the
  /// header. Throws CheckpointError naming `path`.
  SafetensorsWriter(std::string path, std::vector<TensorSpec> specs, std::map<std::string, std::string> metadata,
                    const WriterOptions& options = {});
  ~SafetensorsWriter();  ///< removes the temp file if finish() did not complete
  SafetensorsWriter(const SafetensorsWriter&) = delete;
  SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;

  /// Converts src to the tensor's dtype and writes it as elements [first, first + src.size()) of the flattened
  /// tensor. Thread-safe for concurrent calls (different blocks). Throws on unknown name / out-of-range block /
  /// a dtype that cannot be produced from f32 (use write_raw).
  void write(const std::string& name, std::span<const float> src, std::uint64_t first = 0);
  /// Writes already-encoded little-endian bytes of the tensor's dtype at byte offset `first_byte` inside the
  /// tensor (a pass-through: integer/bool tensors are copied this way). Same thread-safety as write().
  void write_raw(const std::string& name, std::span<const std::byte> bytes, std::uint64_t first_byte = 0);
  /// Checks every tensor was completely written, fsyncs, renames the temp file to the final path.
  void finish();

  const std::string& path() const { return path_; }
  std::uint64_t file_bytes() const;  ///< size of the finished file

 private:
  struct Slot;
  Slot& slot(const std::string& name);
  std::string path_;
  WriterOptions options_;
  std::unique_ptr<io::AtomicFile> file_;
  bool finished_ = false;
  std::uint64_t data_offset_ = 0, file_bytes_ = 0;
  std::vector<TensorSpec> specs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::map<std::string, std::size_t> by_name_;
};

/// A checkpoint directory: model.safetensors, or shards + index (see WriterOptions::max_shard_bytes).
/// `dir` must exist. Same write()/finish() contract as SafetensorsWriter; the index is written last.
class CheckpointWriter {
 public:
  CheckpointWriter(std::string dir, std::vector<TensorSpec> specs, std::map<std::string, std::string> metadata,
                   const WriterOptions& options = {});
  ~CheckpointWriter();
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  void write(const std::string& name, std::span<const float> src, std::uint64_t first = 0);
  void write_raw(const std::string& name, std::span<const std::byte> bytes, std::uint64_t first_byte = 0);
  void finish();

  /// The files that will exist after finish() (shards, then the index when sharded), full paths.
  std::vector<std::string> planned_files() const;
  std::size_t shard_count() const { return shards_.size(); }

 private:
  std::string dir_;
  WriterOptions options_;
  std::vector<std::unique_ptr<SafetensorsWriter>> shards_;
  std::map<std::string, std::size_t> shard_of_;
  std::uint64_t total_bytes_ = 0;
  bool finished_ = false;
};

/// Convenience for small outputs and tests: writes every tensor of `tensors` (name -> (spec, f32 data)).
struct TensorData {
  TensorSpec spec;
  std::vector<float> values;  ///< flattened row-major, numel elements
};
void write_safetensors(const std::string& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata = {}, const WriterOptions& options = {});

/// The same for tensors given as the bytes they are stored as, any dtype (integer/bool pass-through).
struct RawTensorData {
  TensorSpec spec;
  std::vector<std::byte> bytes;  ///< little-endian, numel * dtype size
};
void write_safetensors_raw(const std::string& path, const std::vector<RawTensorData>& tensors,
                           const std::map<std::string, std::string>& metadata = {}, const WriterOptions& options = {});

}  // namespace mergelab::ckpt
