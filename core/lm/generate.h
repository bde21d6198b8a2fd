// Greedy decoding: the quick check that a merge still writes text (a broken merge repeats one token).
//
//   std::vector<int32_t> out = greedy_generate(model, prompt_ids, 40, tokenizer.eos_id());
//
// Each step runs the whole sequence through forward_hidden (no KV cache: the models this is for are small) and
// appends the argmax of the last position's logits (first index on ties). Stops after max_new_tokens or at
// `eos`. Sequences longer than the model's positions keep their last max_tokens() tokens as context.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/lm/model.h"

namespace mergelab::lm {

/// The new tokens only (eos included when it was produced). `on_token` (optional) sees each token as it comes.
/// Throws LmError for ids outside the vocabulary or an empty prompt.
std::vector<std::int32_t> greedy_generate(const LmModel& model, std::span<const std::int32_t> prompt, int max_new_tokens,
                                          std::optional<std::int32_t> eos = std::nullopt,
                                          const std::function<void(std::int32_t)>& on_token = {});

}  // namespace mergelab::lm
