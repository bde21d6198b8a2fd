#include "core/lm/model_tasks.h"

#include <optional>

#include "core/checkpoint/lora.h"
#include "core/lm/lm_error.h"
#include "core/lm/tokenizer.h"

namespace mergelab::lm {

namespace fs = std::filesystem;

fs::path tokenizer_dir(const fs::path& model_dir) {
  std::error_code ec;
  if (!fs::exists(model_dir / "tokenizer.json", ec) && ckpt::is_lora_adapter(model_dir.string())) {
    const fs::path base = ckpt::read_lora_config((model_dir / "adapter_config.json").string()).base_model_name_or_path;
    return base.is_absolute() ? base : model_dir / base;
  }
  return model_dir;
}

std::vector<TaskFiles> find_task_files(const std::vector<std::string>& data, const std::string& split,
                                       const std::vector<std::string>& only) {
  std::error_code ec;
  if (data.size() == 1 && fs::is_directory(data[0], ec)) return find_tasks(data[0], split, only);
  if (!only.empty()) throw LmError("tasks are selected in a data folder; files are used as given");
  std::vector<fs::path> paths;
  for (const auto& d : data) {
    if (fs::is_directory(d, ec)) throw LmError(d + ": give one data folder, or JSONL files, not both");
    if (!fs::exists(d, ec)) throw LmError(d + ": no such file or directory");
    paths.emplace_back(d);
  }
  return tasks_from_files(paths);
}

std::vector<PreparedTask> prepare_model_tasks(const fs::path& model_dir, int embedding_rows, const std::vector<TaskFiles>& files,
                                              int max_docs) {
  const fs::path tdir = tokenizer_dir(model_dir);
  std::error_code ec;
  if (!fs::exists(tdir / "tokenizer.json", ec)) return prepare_tasks(files, nullptr, max_docs);
  const Tokenizer tokenizer = Tokenizer::load(tdir);
  const TextEncoder encoder = text_encoder(tokenizer);
  check_vocab_fits(encoder, embedding_rows, (tdir / "tokenizer.json").string());
  return prepare_tasks(files, &encoder, max_docs);
}

}  // namespace mergelab::lm
