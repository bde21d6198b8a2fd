// libFuzzer target: the mergekit YAML reader (any text -> a Recipe or one RecipeError naming the file).
// Accepted recipes are written back as YAML and read again, which must succeed (the writer's output is
// always a config the reader accepts).
#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/recipe.h"
#include "tests/fuzz/fuzz_util.h"

using namespace mergelab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  recipe::Recipe r;
  try {
    r = recipe::parse_mergekit_yaml(text, "fuzz.yml", "/fuzz-base", {.check_paths = false});
  } catch (const recipe::RecipeError& e) {
    fuzz::expect_names(e, "fuzz.yml");
    return 0;
  }
  const std::string again = recipe::to_mergekit_yaml(r);
  try {
    recipe::parse_mergekit_yaml(again, "fuzz-again.yml", "/fuzz-base", {.check_paths = false});
  } catch (const recipe::RecipeError& e) {
    std::fprintf(stderr, "accepted config does not survive a write and re-read: %s\n--- written:\n%s\n", e.what(),
                 again.c_str());
    std::abort();
  }
  return 0;
}
