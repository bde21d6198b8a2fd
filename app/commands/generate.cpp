// `mergelab generate MODEL --prompt TEXT [--max-new-tokens N]`: greedy decoding with the built-in LM forward pass.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli.h"
#include "core/checkpoint/lora.h"
#include "core/lm/generate.h"
#include "core/lm/lm_error.h"
#include "core/lm/model.h"
#include "core/lm/tokenizer.h"

namespace mergelab::app {
namespace {

namespace fs = std::filesystem;

int run_generate(int argc, char** argv) {
  ArgParser args("mergelab generate",
                 "Greedy decoding (argmax at every step) from a causal language model folder or PEFT adapter: a quick\n"
                 "check that a merge still writes text (broken merges repeat one token). Prints the prompt followed\n"
                 "by the generated text; stops at the EOS token or after --max-new-tokens.");
  args.add_positional("MODEL", "model folder (config.json + safetensors + tokenizer.json), or a PEFT adapter folder");
  args.add_option("prompt", "TEXT", "the prompt (required)");
  args.add_option("max-new-tokens", "N", "tokens to generate", "32");
  args.add_flag("ids", "also print the generated token ids");
  args.add_epilog("example:\n  mergelab generate tests/data/tinylm/models/ft_python --prompt 'def main(' --max-new-tokens 40");
  if (!args.parse(argc, argv)) return 0;
  if (!args.has("prompt")) throw CliError("--prompt is required");
  const long max_new = args.get_int("max-new-tokens");
  if (max_new < 1 || max_new > 100000) throw CliError("--max-new-tokens must be in [1, 100000]");
  const fs::path model_dir = args.positionals()[0];
  std::error_code ec;
  if (!fs::is_directory(model_dir, ec)) throw lm::LmError(model_dir.string() + ": not a model folder");
  fs::path tok_dir = model_dir;
  if (!fs::exists(model_dir / "tokenizer.json", ec) && ckpt::is_lora_adapter(model_dir.string())) {
    const fs::path base = ckpt::read_lora_config((model_dir / "adapter_config.json").string()).base_model_name_or_path;
    tok_dir = base.is_absolute() ? base : model_dir / base;
  }
  const lm::Tokenizer tok = lm::Tokenizer::load(tok_dir);
  const lm::LmModel model = lm::LmModel::load(model_dir);
  std::vector<std::int32_t> prompt;
  if (tok.add_bos() && tok.bos_id()) prompt.push_back(*tok.bos_id());
  const std::string text = args.get("prompt");
  const auto ids = tok.encode(text);
  prompt.insert(prompt.end(), ids.begin(), ids.end());
  if (prompt.empty()) throw CliError("--prompt encodes to no tokens (and the tokenizer adds no BOS)");
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  // Stream the text: decode the whole continuation each time and print what is new (byte-level BPE tokens may
  // end inside a UTF-8 character).
  std::vector<std::int32_t> produced;
  std::size_t printed = 0;
  const auto out = lm::greedy_generate(model, prompt, static_cast<int>(max_new), tok.eos_id(), [&](std::int32_t id) {
    if (tok.eos_id() && id == *tok.eos_id()) return;
    produced.push_back(id);
    const std::string s = tok.decode(produced);
    if (s.size() > printed) {
      std::fwrite(s.data() + printed, 1, s.size() - printed, stdout);
      std::fflush(stdout);
      printed = s.size();
    }
  });
  std::fputs("\n", stdout);
  if (args.flag("ids")) {
    std::printf("ids:");
    for (auto id : out) std::printf(" %d", id);
    std::printf("\n");
  }
  return 0;
}

CommandRegistrar registrar{{"generate", "greedy text generation from a language model (quick merge sanity check)", &run_generate}};

}  // namespace
}  // namespace mergelab::app
