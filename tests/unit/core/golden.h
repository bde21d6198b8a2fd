// Reads "name v1 v2 ..." golden files written by the python3-numpy scripts in tests/data/.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mergelab::testing {

inline const std::vector<double>& golden(const std::string& file, const std::string& name) {
  static std::map<std::string, std::map<std::string, std::vector<double>>> cache;
  auto& table = cache[file];
  if (table.empty()) {
    std::ifstream in(std::string(MERGELAB_TEST_DATA) + "/" + file);
    if (!in) throw std::runtime_error("cannot open golden file " + file);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ss(line);
      std::string key;
      ss >> key;
      double v;
      while (ss >> v) table[key].push_back(v);
    }
  }
  auto it = table.find(name);
  if (it == table.end()) throw std::runtime_error("missing golden " + name + " in " + file);
  return it->second;
}

}  // namespace mergelab::testing
