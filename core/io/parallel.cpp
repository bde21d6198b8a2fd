#include "core/io/parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mergelab::io {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::size_t parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& body,
                         const std::function<void(std::size_t)>& on_done, const std::atomic<bool>* cancel) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> ran{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mutex;
  auto worker = [&] {
    while (true) {
      if (failed.load() || (cancel && cancel->load())) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        failed.store(true);
        return;
      }
      ran.fetch_add(1);
      if (on_done) {
        std::lock_guard<std::mutex> lock(mutex);
        on_done(i);
      }
    }
  };
  const int count = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(threads)), n));
  if (count <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(count));
    for (int t = 0; t < count; ++t) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
  return ran.load();
}

}  // namespace mergelab::io
