// A fresh folder for one test, shared by the unit tests of every area.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace mergelab::testing {

/// A new empty folder under the system temp dir (made by mkdtemp, so parallel tests never share one),
/// removed with everything in it when the object dies.
struct TempDir {
  std::filesystem::path path;

  explicit TempDir(const std::string& prefix = "mergelab_test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of `name` inside the folder.
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string operator/(const std::string& name) const { return file(name); }
  /// Writes `text` to `name` inside the folder.
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
  /// The folder's entries, sorted (hidden ones included).
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace mergelab::testing
