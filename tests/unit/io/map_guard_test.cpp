// A file truncated under its memory map: reads no longer kill the process with SIGBUS; the map reports
// the file instead.
#include "core/io/map_guard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/checkpoint/error.h"
#include "core/checkpoint/safetensors.h"
#include "tests/unit/temp_dir.h"

namespace mergelab::io {
namespace {

TEST(MapGuard, ReadsPastATruncationSeeZerosAndTheFileIsReported) {
  testing::TempDir dir;
  const std::string path = (dir.path / "input.bin").string();
  const long page = ::sysconf(_SC_PAGESIZE);
  std::ofstream(path, std::ios::binary) << std::string(static_cast<size_t>(3 * page), '\x07');
  const ckpt::MappedFile map(path);
  const volatile std::byte* bytes = map.bytes().data();
  EXPECT_EQ(static_cast<int>(bytes[2 * page]), 7);
  map.check_intact();  // nothing happened yet
  ASSERT_EQ(::truncate(path.c_str(), page), 0);
  const std::size_t faults = map_fault_count();
  EXPECT_EQ(static_cast<int>(bytes[0]), 7);           // still in the file
  EXPECT_EQ(static_cast<int>(bytes[2 * page + 5]), 0);  // gone: a page of zeros, not SIGBUS
  EXPECT_EQ(map_fault_count(), faults + 1);
  try {
    map.check_intact();
    FAIL() << "the truncation went unnoticed";
  } catch (const ckpt::CheckpointError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_THAT(e.what(), ::testing::HasSubstr(path + ": the file changed while it was being read"));
  }
}

TEST(MapGuard, RegionsAreIndependent) {
  static char a[64], b[64];
  const int ga = register_map(a, sizeof a), gb = register_map(b, sizeof b);
  ASSERT_GE(ga, 0);
  ASSERT_GE(gb, 0);
  EXPECT_NE(ga, gb);
  EXPECT_FALSE(map_faulted(ga));
  unregister_map(ga);
  unregister_map(gb);
  EXPECT_EQ(register_map(nullptr, 0), -1);
}

}  // namespace
}  // namespace mergelab::io
