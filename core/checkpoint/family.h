// A checkpoint family: a base and its fine-tunes (full checkpoints or PEFT LoRA adapters), opened and validated,
// with their compatibility report; the task vector of one tensor of one model; the top-k magnitude threshold of
// a density.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/compat.h"
#include "core/checkpoint/lora.h"

namespace mergelab::ckpt {

struct CheckpointFamily {
  struct Model {
    std::string path;
    std::unique_ptr<Checkpoint> checkpoint;  ///< a full checkpoint, or
    std::unique_ptr<LoraAdapter> adapter;    ///< a PEFT LoRA adapter (task vector = its Delta W)
    ModelRef ref() const { return {adapter ? nullptr : checkpoint.get(), adapter.get(), path}; }
  };
  std::string base_path;
  std::unique_ptr<Checkpoint> base;
  std::vector<Model> models;
  CompatReport report;
};

/// Opens and validates `base` and `models` and checks their compatibility. Throws CheckpointError (or
/// std::runtime_error) naming the file and the problem: an empty or missing path, no model, a LoRA adapter as
/// the base, a file that is not a checkpoint.
std::shared_ptr<CheckpointFamily> open_checkpoint_family(const std::string& base, const std::vector<std::string>& models);

/// Task vector tau = model - base of one tensor, flattened row-major (a LoRA adapter: its Delta W, zero on a
/// tensor it does not adapt).
Eigen::VectorXf family_task_vector(const CheckpointFamily& family, size_t model, const std::string& tensor);

/// The magnitude trim threshold at `density`: the int(density * n)-th largest |tau| (mergekit's top-k trim keeps
/// the entries at or above it). +inf when int(density * n) == 0 (nothing kept).
double density_threshold(const Eigen::VectorXf& tau, double density);

}  // namespace mergelab::ckpt
