// The tinylm fixture's tokenizer and texts (tests/data/tinylm, copied from shared/fixtures/tinylm).
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mergelab::testing {

inline const std::filesystem::path kTinyLm = std::filesystem::path(MERGELAB_TEST_DATA) / "tinylm";

/// The parsed JSON file `path`; throws (failing the test loudly) when it is missing.
inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing test data file " + path.string());
  return nlohmann::json::parse(in);
}

/// One JSON object per line of the .jsonl file `path`.
inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing test data file " + path.string());
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

/// The `text` fields of tinylm/data/{task}_{split}.jsonl.
inline std::vector<std::string> tinylm_texts(const std::string& task, const std::string& split) {
  std::vector<std::string> texts;
  for (const auto& row : read_jsonl(kTinyLm / "data" / (task + "_" + split + ".jsonl"))) texts.push_back(row.at("text"));
  return texts;
}

}  // namespace mergelab::testing
