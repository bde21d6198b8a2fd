// Language-model task data: JSONL files, a data folder, and the tokenized form the evaluator scores.
//
// Lines (one JSON object each; blank lines skipped):
//   {"text": "..."}                                     a perplexity document
//   {"input_ids": [1, 2, ...], "bytes": 123}            a pre-tokenized document: the ids are scored as given (no BOS
//                                                       is added, no tokenizer needed); "bytes" (optional, the text's
//                                                       UTF-8 length) enables bits per byte
//   {"context": "...", "choices": ["...", ...], "label": k}   a multiple-choice item (needs a tokenizer)
// A data folder holds {task}_{split}.jsonl (perplexity) and/or {task}_mc_{split}.jsonl (multiple choice) per
// task (the tinylm fixture layout); files may also be given one per task (task name = file stem, kind read
// from the lines). Every malformed input throws LmError "FILE:LINE: problem" (or "FILE: problem").
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mergelab::lm {

/// The files of one task; either may be empty (a task with only perplexity or only multiple choice).
struct TaskFiles {
  std::string name;
  std::filesystem::path perplexity;
  std::filesystem::path multiple_choice;
};

/// Tasks of a data folder for `split`, sorted by name; `only` (when non-empty) selects and orders them.
/// Throws LmError when the folder has no task for the split or a task of `only` is missing.
std::vector<TaskFiles> find_tasks(const std::filesystem::path& dir, const std::string& split,
                                  const std::vector<std::string>& only = {});
/// One task per file, named by the file stem (extension dropped);
/// kind decided by the first record. Throws LmError for an unreadable or empty file.
std::vector<TaskFiles> tasks_from_files(const std::vector<std::filesystem::path>& files);

/// Turns text into token ids (a Tokenizer's encode, no BOS) plus the BOS rule of tokenizer_config.json.
struct TextEncoder {
  std::function<std::vector<std::int32_t>(std::string_view)> encode;
  bool add_bos = false;
  std::int32_t bos_id = -1;
  int vocab_size = 0;  ///< ids the tokenizer can produce (checked against the embedding rows)
};

class Tokenizer;
/// The encoder of `tokenizer` (which must outlive it): encode(), add_bos() and bos_id(). Throws LmError when
/// add_bos_token is set but no bos_token id is known.
TextEncoder text_encoder(const Tokenizer& tokenizer);
/// Refuses a tokenizer that can produce ids past the model's embedding rows (more rows than tokens is normal:
/// padded vocabularies). Throws LmError "SOURCE: ...".
void check_vocab_fits(const TextEncoder& encoder, int embedding_rows, const std::string& source);

struct PreparedDoc {
  std::vector<std::int32_t> ids;  ///< BOS included when the rule says so
  std::int64_t bytes = -1;        ///< UTF-8 bytes of the text, -1 when unknown (pre-tokenized without "bytes")
};

struct PreparedItem {
  std::vector<std::int32_t> context;                ///< BOS included when the rule says so
  std::vector<std::vector<std::int32_t>> choices;
  std::vector<std::int64_t> choice_bytes;           ///< UTF-8 bytes of each choice (> 0)
  int label = 0;
};

/// One task, tokenized once and scored many times.
struct PreparedTask {
  std::string name;
  std::string perplexity_source, mc_source;  ///< file paths (for messages)
  bool has_perplexity = false, has_mc = false;
  std::vector<PreparedDoc> docs;
  std::vector<PreparedItem> items;
  std::int32_t max_id = -1;  ///< largest id in the task
};

/// Reads and tokenizes every task. `encoder` may be null when all data is pre-tokenized ("input_ids");
/// text then throws LmError "FILE:LINE: text needs a tokenizer ...". `max_docs` > 0 keeps the first documents /
/// items of each file. Throws LmError (malformed line, empty file, empty choice, label out of range).
std::vector<PreparedTask> prepare_tasks(const std::vector<TaskFiles>& tasks, const TextEncoder* encoder, int max_docs = 0);

}  // namespace mergelab::lm
