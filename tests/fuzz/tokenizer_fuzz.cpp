// libFuzzer target: tokenizer.json (byte-level BPE as the tinylm fixtures use). An accepted tokenizer must
// encode a fixed text and decode ids back without error; a refusal is one LmError naming the file.
#include "core/lm/lm_error.h"
#include "core/lm/tokenizer.h"
#include "tests/fuzz/fuzz_util.h"

using namespace mergelab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::ScratchFile file("tokenizer.json");
  const std::string& path = file.write(data, size);
  try {
    const lm::Tokenizer tok = lm::Tokenizer::load_files(path, std::nullopt);
    const auto ids = tok.encode("def f(x):\n  return x  # caf\xc3\xa9 <s></s>\xf0\x9f\x99\x82");
    (void)tok.decode(ids);
  } catch (const lm::LmError& e) {
    fuzz::expect_names(e, path);
  }
  return 0;
}
