// The single error type of the language-model code: what() reads "FILE: problem".
#pragma once

#include <stdexcept>

namespace mergelab::lm {
struct LmError : std::runtime_error { using std::runtime_error::runtime_error; };
}  // namespace mergelab::lm
