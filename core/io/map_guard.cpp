#include "core/io/map_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace mergelab::io {

namespace {

struct Region {
  std::atomic<std::uintptr_t> begin{0}, end{0};
  std::atomic<bool> faulted{false};
};

Region g_regions[kMaxGuardedMaps];
std::atomic<std::size_t> g_faults{0};
struct sigaction g_previous {};

void on_sigbus(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (auto& r : g_regions) {
    const std::uintptr_t b = r.begin.load(std::memory_order_acquire);
    if (b == 0 || addr < b || addr >= r.end.load(std::memory_order_acquire)) continue;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    void* at = reinterpret_cast<void*>(addr & ~(page - 1));
    if (::mmap(at, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) break;
    r.faulted.store(true, std::memory_order_release);
    g_faults.fetch_add(1, std::memory_order_relaxed);
    return;  // the read is restarted and now sees zeros
  }
  // Not ours: whoever handled SIGBUS before (by default the process dies when the read is retried).
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous.sa_handler == SIG_IGN || g_previous.sa_handler == SIG_DFL) {
    ::signal(SIGBUS, SIG_DFL);
    return;
  }
  g_previous.sa_handler(sig);
}

void install_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous);
  });
}

}  // namespace

int register_map(const void* data, std::size_t size) {
  if (!data || size == 0) return -1;
  install_once();
  const auto b = reinterpret_cast<std::uintptr_t>(data);
  for (int i = 0; i < kMaxGuardedMaps; ++i) {
    std::uintptr_t expected = 0;
    Region& r = g_regions[i];
    if (r.begin.compare_exchange_strong(expected, b, std::memory_order_acq_rel)) {
      r.end.store(b + size, std::memory_order_release);
      r.faulted.store(false, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void unregister_map(int guard) {
  if (guard < 0 || guard >= kMaxGuardedMaps) return;
  g_regions[guard].begin.store(0, std::memory_order_release);
}

bool map_faulted(int guard) {
  return guard >= 0 && guard < kMaxGuardedMaps && g_regions[guard].faulted.load(std::memory_order_acquire);
}

std::size_t map_fault_count() { return g_faults.load(); }

}  // namespace mergelab::io
