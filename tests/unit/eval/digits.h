// The digits fixtures (tests/data/digits) for the evaluation tests.
#pragma once

#include <filesystem>

#include "core/eval/merge_eval.h"

namespace mergelab::testing {

inline const std::filesystem::path kDigits = std::filesystem::path(MERGELAB_TEST_DATA) / "digits";

/// The digits base with its three fine-tunes, loaded for in-memory merging.
inline eval::MergeFamily digits_family() {
  const std::filesystem::path m = kDigits / "models";
  return eval::MergeFamily::load(m / "base", {m / "ft_task0", m / "ft_task1", m / "ft_task2"});
}

}  // namespace mergelab::testing
