// Paths of the language-model test data: the numpy-reference models (tests/data/lm) beside the tinylm fixture.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/unit/lm/tinylm.h"

namespace mergelab::testing {

inline const std::filesystem::path kLmData = std::filesystem::path(MERGELAB_TEST_DATA) / "lm";

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(read_text(p)); }

}  // namespace mergelab::testing
