// A checkpoint on disk: one safetensors file, or a transformers-style sharded set
// (model.safetensors.index.json + model-0000i-of-0000N.safetensors), behind one read-only interface.
//
// This is the reader the merge engine streams from:
//   Checkpoint ck = Checkpoint::open("models/ft_task0");          // validated; no tensor data read yet
//   for (const TensorInfo& t : ck.tensors())                      // stable order: sorted by name
//     ck.read_f32(t.name, buffer_span, first_element);            // any block, converted to f32
// Everything is memory-mapped read-only; a tensor's pages are loaded only when it is read, and
// release(name) drops them from the resident set again. All const methods are safe to call from several
// threads at once. Every failure is a CheckpointError ("<file>: tensor '<name>': <problem>").
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/checkpoint/dtype.h"
#include "core/checkpoint/error.h"
#include "core/checkpoint/safetensors.h"

namespace mergelab::ckpt {

/// Row-major float matrix: the memory layout of a 2-D safetensors tensor.
using RowMajorMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// What the checkpoint says about one tensor.
struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::uint64_t> shape;  ///< row-major; empty = scalar
  std::uint64_t numel = 1;           ///< product of shape
  std::uint64_t nbytes = 0;          ///< numel * dtype_size(dtype)
  std::string file;                  ///< the safetensors file holding it (full path)
};

/// "[64, 64]"
std::string shape_string(const std::vector<std::uint64_t>& shape);

/// Name of the index file transformers writes beside shards.
inline constexpr const char* kIndexFileName = "model.safetensors.index.json";

/// Parsed and validated sharded index: tensor name -> shard file name (relative to the index's folder).
struct ShardIndex {
  std::map<std::string, std::string> weight_map;
  std::map<std::string, std::string> metadata;  ///< "metadata" values as text (e.g. total_size)
};
/// Validates index JSON text: an object with "weight_map" (object, string -> plain file name without '/' or
/// '\\', not "." or "..", no duplicate keys) and an optional "metadata" object. Throws CheckpointError naming
/// `file_name` (and the tensor when one entry is at fault).
ShardIndex parse_shard_index(std::string_view json_text, const std::string& file_name);

class Checkpoint {
 public:
  /// Opens `path`, which is one of:
  ///  - a .safetensors file;
  ///  - a model.safetensors.index.json file (sharded; every shard it names is opened and validated, each
  ///    weight_map entry must be held by its shard, no tensor may sit in two shards, and every tensor of a
  ///    shard must be listed);
  ///  - a directory holding model.safetensors.index.json, else model.safetensors, else
  ///    adapter_model.safetensors, else exactly one *.safetensors file.
  /// Throws CheckpointError.
  static Checkpoint open(const std::string& path);

  Checkpoint(Checkpoint&&) noexcept;
  Checkpoint& operator=(Checkpoint&&) noexcept;
  ~Checkpoint();

  const std::string& path() const;     ///< as given to open()
  bool sharded() const;                ///< true when opened through an index
  /// What is odd but accepted (a sharded index whose total_size does not match its tensors' bytes).
  const std::vector<std::string>& warnings() const;
  std::size_t file_count() const;      ///< number of safetensors files (shards)
  /// Every tensor, sorted by name (a stable order to stream in).
  const std::vector<TensorInfo>& tensors() const;
  /// nullptr when absent.
  const TensorInfo* find(const std::string& name) const;
  /// Like find() but throws CheckpointError "<checkpoint>: tensor 'x': not in this checkpoint".
  const TensorInfo& at(const std::string& name) const;
  /// `__metadata__` of the single file, or of the first shard for a sharded checkpoint.
  const std::map<std::string, std::string>& metadata() const;
  /// Sum of all tensors' byte sizes.
  std::uint64_t total_bytes() const;

  /// The tensor's raw little-endian bytes (a view into the read-only map; valid while this object lives).
  std::span<const std::byte> raw(const std::string& name) const;

  /// Converts elements [first, first + dst.size()) of the flattened (row-major) tensor to f32 into dst.
  /// Accepts F32/F16/BF16/F64; throws CheckpointError for integer/bool/F8 tensors ("cannot convert I64 to
  /// f32 for merging") and for a block past the tensor's end.
  void read_f32(const std::string& name, std::span<float> dst, std::uint64_t first = 0) const;
  /// Whole tensor, flattened row-major, as f32.
  Eigen::VectorXf read_vector(const std::string& name) const;
  /// A 2-D tensor as a matrix with M(i, j) == tensor[i][j] (safetensors is row-major). A 1-D tensor of n
  /// elements gives n x 1, a scalar 1 x 1, and a tensor of rank > 2 gives shape[0] x (product of the rest).
  Eigen::MatrixXf read_matrix(const std::string& name) const;

  /// Drops a tensor's pages from the resident set (see MappedFile::release). Call after a tensor was merged
  /// so that resident memory does not grow with the number of tensors read.
  void release(const std::string& name) const;

  /// Throws CheckpointError naming the file when one of its files shrank while mapped (see MappedFile):
  /// whatever was read from raw() or direct pointers since must not be used. read_f32 checks by itself.
  void check_intact() const;

 private:
  struct Impl;
  explicit Checkpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mergelab::ckpt
