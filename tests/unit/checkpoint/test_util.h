// Shared helpers for the checkpoint tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace mergelab::ckpt::test {

inline std::string data_dir() {
  if (const char* env = std::getenv("MERGELAB_TEST_DATA")) return env;
  return MERGELAB_TEST_DATA;
}
inline std::string models_dir() { return data_dir() + "/digits/models"; }
inline std::string model(const std::string& name) { return models_dir() + "/" + name; }
inline std::string expected(const std::string& name) { return data_dir() + "/digits/expected/" + name; }

/// A fresh empty directory under the system temp dir, removed when the object dies.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("mergelab_ckpt_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace mergelab::ckpt::test
