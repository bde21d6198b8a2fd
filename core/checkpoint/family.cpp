// Checkpoint family: see family.h.
#include "core/checkpoint/family.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <stdexcept>

namespace mergelab::ckpt {

namespace fs = std::filesystem;

std::shared_ptr<CheckpointFamily> open_checkpoint_family(const std::string& base, const std::vector<std::string>& models) {
  auto fam = std::make_shared<CheckpointFamily>();
  auto must_exist = [](const std::string& path, const char* what) {
    if (path.empty()) throw std::runtime_error(std::string("no ") + what + " path given");
    std::error_code ec;
    if (!fs::exists(path, ec)) throw std::runtime_error(path + ": no such file or folder");
  };
  must_exist(base, "base");
  if (models.empty()) throw std::runtime_error("no fine-tuned model given: add at least one");
  fam->base_path = base;
  if (is_lora_adapter(base)) throw std::runtime_error(base + ": the base must be a full checkpoint, not a LoRA adapter");
  fam->base = std::make_unique<Checkpoint>(Checkpoint::open(base));
  for (const auto& m : models) {
    must_exist(m, "model");
    CheckpointFamily::Model model;
    model.path = m;
    if (is_lora_adapter(m))
      model.adapter = std::make_unique<LoraAdapter>(LoraAdapter::open(m));
    else
      model.checkpoint = std::make_unique<Checkpoint>(Checkpoint::open(m));
    fam->models.push_back(std::move(model));
  }
  std::vector<ModelRef> refs;
  for (const auto& m : fam->models) refs.push_back(m.ref());
  fam->report = check_compatibility(*fam->base, refs);
  return fam;
}

Eigen::VectorXf family_task_vector(const CheckpointFamily& family, size_t model, const std::string& tensor) {
  const auto& m = family.models.at(model);
  if (m.adapter) {
    const auto adapted = m.adapter->base_tensors();
    if (std::find(adapted.begin(), adapted.end(), tensor) != adapted.end()) return m.adapter->delta_flat(tensor);
    return Eigen::VectorXf::Zero(static_cast<Eigen::Index>(family.base->at(tensor).numel));
  }
  return m.checkpoint->read_vector(tensor) - family.base->read_vector(tensor);
}

double density_threshold(const Eigen::VectorXf& tau, double density) {
  const auto n = static_cast<size_t>(tau.size());
  const auto k = static_cast<size_t>(density * static_cast<double>(n));
  if (k == 0 || n == 0) return INFINITY;
  std::vector<float> mag(n);
  for (size_t i = 0; i < n; ++i) mag[i] = std::abs(tau[static_cast<Eigen::Index>(i)]);
  std::nth_element(mag.begin(), mag.begin() + static_cast<long>(k - 1), mag.end(), std::greater<float>());
  return mag[k - 1];
}

}  // namespace mergelab::ckpt
