// The language-model side of `mergelab eval` and `mergelab merge --eval` (core/lm/evaluate.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mergelab::app {

/// `mergelab eval MODEL --data DIR|FILE... [--tasks a,b] [--split S] [--window W] [--max-docs N] [--threads N]
/// [--json] [--out FILE]` for an LM folder (config.json model_type llama/mistral/qwen2/gpt2, or a PEFT adapter).
int run_lm_eval(int argc, char** argv);

/// `mergelab merge --eval DATA` on an LM output folder: evaluates it on the data folder's `split` and prints one
/// summary line per task. Returns 0.
int lm_evaluate_output(const std::filesystem::path& model_dir, const std::filesystem::path& data_dir,
                       const std::string& split, int threads);

}  // namespace mergelab::app
