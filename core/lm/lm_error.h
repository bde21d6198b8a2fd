// The single error type of core/lm (tokenizer, model config, forward pass, evaluation).
//
// what() reads "<file>: <problem>" wherever a file is involved, e.g.
//   "models/x/tokenizer.json: model type 'WordPiece' is not supported (only BPE)".
// Callers catch it at their boundary (CLI command, GUI task) and show what(); nothing asserts.
#pragma once

#include <stdexcept>

namespace mergelab::lm {

struct LmError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mergelab::lm
