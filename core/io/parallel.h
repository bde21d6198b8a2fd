// A small fork-join helper: run body(i) for i in [0, n) on up to `threads` std::threads.
//
// Items are handed out one at a time from a shared counter (good balance when items take different times).
// `on_done(i)` (optional) runs after item i, serialised under a mutex: progress reporting goes there.
// A set `cancel` flag stops handing out new items (items already running finish).
// The first exception thrown by body stops the hand-out and is rethrown after every thread has joined.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace mergelab::io {

/// Number of threads to use for `requested` (<= 0 means std::thread::hardware_concurrency(), at least 1).
int resolve_threads(int requested);

/// Returns the number of items that ran (n unless cancelled or an exception stopped the hand-out).
std::size_t parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& body,
                         const std::function<void(std::size_t)>& on_done = {},
                         const std::atomic<bool>* cancel = nullptr);

}  // namespace mergelab::io
