// Conversion buffers for the merge workers (run_merge): one set per running item, reused by the next item, so a
// merge allocates at most `threads` sets however many tensors it has.
//
//   auto buffers = pool.take(n_inputs);   // a free set, or a new one of n_inputs buffers
//   ...                                   // (*buffers)[k].resize(numel); read input k into it
//   pool.give(std::move(buffers));        // back for the next tensor
#pragma once

#include <memory>
#include <mutex>
#include <vector>

namespace mergelab::engine {

class BufferPool {
 public:
  using Buffers = std::vector<std::vector<float>>;
  std::unique_ptr<Buffers> take(size_t n) {
    std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<Buffers>(n);
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void give(std::unique_ptr<Buffers> b) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Buffers>> free_;
};

}  // namespace mergelab::engine
