#include "core/engine/remapped_read.h"

#include <cstdint>
#include <string>
#include <utility>

#include "core/engine/vocab.h"

namespace mergelab::engine {

void read_remapped(const Sources& src, const TensorPlan& t, bool has_base, size_t n_models,
                   std::vector<std::vector<float>>& out, merge::MergeInputs<float>& in) {
  std::vector<std::pair<int, std::string>> slots;  // MergeInputs order: the base, then the models
  if (t.model_sources.empty()) {
    if (has_base) slots.push_back({-1, t.name});
    for (size_t m = 0; m < n_models; ++m) slots.push_back({static_cast<int>(m), t.name});
  } else {
    if (t.base_source) slots.push_back({t.base_source->input, t.base_source->name});
    for (const auto& s : t.model_sources) slots.push_back({s.input, s.name});
  }
  const std::uint64_t cols = t.shape.at(1);
  std::vector<std::vector<float>> whole(slots.size());
  std::vector<const float*> ptrs;
  for (size_t k = 0; k < slots.size(); ++k) {
    whole[k].resize(src.checkpoint(slots[k].first).find(slots[k].second)->numel);
    src.read(slots[k].first, slots[k].second, whole[k]);
    src.release(slots[k].first, slots[k].second);
    ptrs.push_back(whole[k].data());
  }
  t.vocab->apply(ptrs, cols, out);
  const bool base_slot = t.model_sources.empty() ? has_base : t.base_source.has_value();
  for (size_t k = 0; k < out.size(); ++k) {
    if (k == 0 && base_slot) in.base = out[k].data();
    else in.models.push_back(out[k].data());
  }
}

}  // namespace mergelab::engine
