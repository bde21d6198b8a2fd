// The tasks of a data set prepared for one model: its tokenizer found (the folder itself, or a PEFT adapter's
// base), checked against the embedding rows, and every task tokenized once.
//
//   const auto files = find_tasks("data", "test");
//   std::vector<PreparedTask> tasks = prepare_model_tasks("models/base", model.config().vocab, files);
// A model folder without tokenizer.json still works with pre-tokenized data ({"input_ids": [...]}).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/lm/data.h"

namespace mergelab::lm {

/// The folder holding a model folder's tokenizer files: itself, or a PEFT adapter's base when the adapter has
/// no tokenizer.json of its own.
std::filesystem::path tokenizer_dir(const std::filesystem::path& model_dir);

/// The tasks of a data folder for `split` (`only` selects tasks), or one task per file when `data` holds files.
/// Throws LmError naming the path (missing file, a folder among files, no task for the split).
std::vector<TaskFiles> find_task_files(const std::vector<std::string>& data, const std::string& split,
                                       const std::vector<std::string>& only);

/// Loads the model's tokenizer when it has one, refuses one whose ids pass `embedding_rows`, and prepares the
/// tasks (prepare_tasks). Throws LmError naming the file.
std::vector<PreparedTask> prepare_model_tasks(const std::filesystem::path& model_dir, int embedding_rows,
                                              const std::vector<TaskFiles>& files, int max_docs = 0);

}  // namespace mergelab::lm
