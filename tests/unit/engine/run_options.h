// Engine run options for tests: into `out`, with `threads` workers, no fsync and no progress output.
#pragma once

#include <string>

#include "core/engine/engine.h"

namespace mergelab::testing {

inline engine::RunOptions quiet(const std::string& out, int threads = 2) {
  engine::RunOptions o;
  o.out_dir = out;
  o.threads = threads;
  o.sync = false;
  return o;
}

}  // namespace mergelab::testing
