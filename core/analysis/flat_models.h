// Checkpoints as flat float vectors over one tensor layout, and registry merges over such vectors.
//
// Every analysis works on flat parameter vectors: the tensors of the layout laid end to end (row-major), in the
// layout's order (the first checkpoint's tensors, sorted by name, as ckpt::Checkpoint lists them):
//
//   FlatModels m = load_flat_models({"models/base", "models/ft_task0", "models/ft_task1"});
//   // m.layout: names and shapes; m.vectors[k]: model k, m.layout total size values (F16/BF16 read as F32)
//   Eigen::VectorXf ties = merge_flat(*merge::find_method("ties"), params, m.layout, &m.vectors[0],
//                                     {&m.vectors[1], &m.vectors[2]});
//
// Only float tensors are kept (integer buffers are not weights); every model must hold each of them with the
// first model's shape. The whole family is in memory: n_params × models × 4 bytes.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/eval/mlp.h"
#include "core/merge/registry.h"

namespace mergelab::analysis {

using Layout = std::vector<eval::TensorSlot>;

/// Number of values of one tensor (product of its shape; 1 for a scalar).
std::size_t numel(const std::vector<std::uint64_t>& shape);
/// Start of each tensor in a flat vector of `layout`, then the total size (layout.size() + 1 entries).
std::vector<std::size_t> offsets_of(const Layout& layout);

struct FlatModels {
  std::vector<std::filesystem::path> paths;  ///< as given
  Layout layout;                             ///< float tensors of the first model, in its order
  std::vector<Eigen::VectorXf> vectors;      ///< one per path, in layout order
};

/// Reads every checkpoint (a folder or a .safetensors / index file; F32, F16 or BF16, sharded or not).
/// Throws ckpt::CheckpointError or std::runtime_error naming the file and the tensor (missing, other shape).
FlatModels load_flat_models(const std::vector<std::filesystem::path>& paths);

/// A registry method applied tensor by tensor over flat vectors, as `mergelab merge` does (each tensor's shape
/// given to the method; random methods seeded per tensor with engine::tensor_seed(params.seed, name)).
/// `base` may be null for methods that take none. Throws std::invalid_argument from the registry.
Eigen::VectorXf merge_flat(const merge::MethodSpec& method, const merge::Params& params, const Layout& layout,
                           const Eigen::VectorXf* base, const std::vector<const Eigen::VectorXf*>& models);

}  // namespace mergelab::analysis
