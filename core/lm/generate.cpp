#include "core/lm/generate.h"

#include <algorithm>

#include "core/lm/forward.h"
#include "core/lm/lm_error.h"

namespace mergelab::lm {

std::vector<std::int32_t> greedy_generate(const LmModel& model, std::span<const std::int32_t> prompt, int max_new_tokens,
                                          std::optional<std::int32_t> eos,
                                          const std::function<void(std::int32_t)>& on_token) {
  if (prompt.empty()) throw LmError("generation needs a prompt of at least one token");
  const LmConfig& c = model.config();
  const int context = model.max_tokens();
  Scratch s(model, context);
  std::vector<std::int32_t> seq(prompt.begin(), prompt.end());
  seq.reserve(seq.size() + static_cast<std::size_t>(std::max(0, max_new_tokens)));
  std::vector<float> logits(static_cast<std::size_t>(c.vocab));
  std::vector<std::int32_t> out;
  for (int step = 0; step < max_new_tokens; ++step) {
    const std::size_t n = std::min(seq.size(), static_cast<std::size_t>(context));
    const std::span<const std::int32_t> window = std::span(seq).last(n);
    const float* h = forward_hidden(model, window, s);
    logits_of(model, h + (n - 1) * static_cast<std::size_t>(c.hidden), 1, logits.data());
    const auto next = static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    seq.push_back(next);
    out.push_back(next);
    if (on_token) on_token(next);
    if (eos && next == *eos) break;
  }
  return out;
}

}  // namespace mergelab::lm
