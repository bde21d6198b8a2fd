// libFuzzer target: JSONL evaluation data (core/lm/data): perplexity records ({"text"} / {"input_ids"}) and
// multiple-choice records. The first input byte picks the kind; the rest is the file. Pre-tokenized data
// needs no tokenizer; text without one must be refused with LmError too.
#include "core/lm/data.h"
#include "core/lm/lm_error.h"
#include "tests/fuzz/fuzz_util.h"

using namespace mergelab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static fuzz::ScratchFile ppl("fuzz_test.jsonl"), mc("fuzz_mc_test.jsonl");
  const bool multiple_choice = data[0] & 1;
  fuzz::ScratchFile& file = multiple_choice ? mc : ppl;
  const std::string& path = file.write(data + 1, size - 1);
  lm::TaskFiles task;
  task.name = "fuzz";
  (multiple_choice ? task.multiple_choice : task.perplexity) = path;
  try {
    const auto prepared = lm::prepare_tasks({task}, nullptr, data[0] >> 5);
    for (const auto& t : prepared)
      for (const auto& item : t.items)
        if (item.label < 0 || static_cast<std::size_t>(item.label) >= item.choices.size()) std::abort();
  } catch (const lm::LmError& e) {
    fuzz::expect_names(e, path);
  }
  return 0;
}
