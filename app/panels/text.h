// Small text helpers shared by the checkpoint panels.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

namespace mergelab::app::text {

/// The last component of a path to a file or folder ("a/b/" gives "b").
inline std::string file_name(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string name = p.filename().string();
  return name.empty() ? p.parent_path().filename().string() : name;
}

/// One number through a printf format, e.g. fmt("%.2f s", 1.5) = "1.50 s".
inline std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace mergelab::app::text
