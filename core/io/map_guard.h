// Surviving a file that shrinks under a read-only memory map.
//
// Reading a mapped page past the end of a file that was truncated after mmap() raises SIGBUS, which would
// kill the process. A mapped region registered here is guarded instead: the SIGBUS handler maps a page of
// zeros over the faulting page (so the interrupted read completes) and marks the region. The owner of the
// map checks map_faulted() after reading and reports the file; the zeros are never used as data.
//
//   const int guard = io::register_map(data, size);   // MappedFile does this
//   ... read data ...
//   if (io::map_faulted(guard)) throw ...("<file>: the file changed while it was being read");
//   io::unregister_map(guard);
//
// A fault outside every registered region goes to the previous handler (the default: the process dies).
// Up to kMaxGuardedMaps regions at once; beyond that register_map returns -1 and the map is unguarded.
#pragma once

#include <cstddef>

namespace mergelab::io {

inline constexpr int kMaxGuardedMaps = 1024;

int register_map(const void* data, std::size_t size);
void unregister_map(int guard);
/// True once a read inside the region faulted (the file is now shorter than the map).
bool map_faulted(int guard);
/// Number of faults repaired since the start of the process (for tests).
std::size_t map_fault_count();

}  // namespace mergelab::io
