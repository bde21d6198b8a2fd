// libFuzzer target: PEFT adapter_config.json (read_lora_config): a LoraConfig or one CheckpointError naming
// the file.
#include "core/checkpoint/error.h"
#include "core/checkpoint/lora.h"
#include "tests/fuzz/fuzz_util.h"

using namespace mergelab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::ScratchFile file("adapter_config.json");
  const std::string& path = file.write(data, size);
  try {
    const ckpt::LoraConfig c = ckpt::read_lora_config(path);
    if (c.r <= 0) {
      std::fprintf(stderr, "accepted a rank of %d\n", c.r);
      std::abort();
    }
  } catch (const ckpt::CheckpointError& e) {
    fuzz::expect_names(e, path);
  }
  return 0;
}
