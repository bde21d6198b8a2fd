// Multi-stage recipes (mergekit-multi): several YAML documents in one file, separated by `---`, each a mergekit
// config with a `name:`; a later (or earlier) document uses a stage's output by giving its name where a model path
// goes (models[].model, base_model, slices[].sources[].model, tokenizer_source).
//
//   recipe::MultiRecipe m = recipe::read_recipes("multi.yml");   // one document: a single unnamed stage
//   for (const auto& s : m.stages) ...                           // in dependency order, the final stage last
//
// Refused before anything runs (RecipeError "<file>:<line>: ..."): a document without `name:` when there are
// several, two stages with the same name, a name that is neither a stage nor a local path, a cycle (naming its
// stages), and more than one stage that no other stage uses (the final output must be one).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/recipe/recipe.h"

namespace mergelab::recipe {

struct Stage {
  std::string name;               ///< "" for a single-document file
  Recipe recipe;                  ///< as written: stage names stay where paths go
  std::vector<std::string> uses;  ///< the stages it uses, in order of first use
  int line = 0;                   ///< 1-based line where the document starts
};

struct MultiRecipe {
  std::string source;
  std::vector<Stage> stages;  ///< dependency order; the final stage (that no other uses) last
  const Stage* find(const std::string& name) const;
};

/// Reads a YAML file of one or more documents. Throws RecipeError.
MultiRecipe read_recipes(const std::string& path);
MultiRecipe parse_recipes(const std::string& text, const std::string& source, const std::string& base_dir);

/// The recipe with every stage name replaced by that stage's output folder (`folders`: name -> folder).
Recipe with_stage_outputs(const Recipe& recipe, const std::map<std::string, std::string>& folders);

}  // namespace mergelab::recipe
