// libFuzzer target: CSV data files (parse_csv): a Dataset whose shape matches its labels, or one DataError
// naming the file.
#include "core/eval/dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace mergelab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const eval::Dataset d = eval::parse_csv(fuzz::as_text(data, size), "fuzz.csv");
    if (static_cast<std::size_t>(d.rows()) != d.labels.size()) std::abort();
    for (int l : d.labels)
      if (l < 0) std::abort();
  } catch (const eval::DataError& e) {
    fuzz::expect_names(e, "fuzz.csv");
  }
  return 0;
}
