// Shared helpers for the checkpoint tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "tests/unit/temp_dir.h"

namespace mergelab::ckpt::test {

inline std::string data_dir() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return MERGELAB_TEST_DATA;
}
inline std::string models_dir() { return data_dir() + "/digits/models"; }
inline std::string model(const std::string& name) { return models_dir() + "/" + name; }
inline std::string expected(const std::string& name) { return data_dir() + "/digits/expected/" + name; }

using mergelab::testing::TempDir;

}  // namespace mergelab::ckpt::test
