#include "core/recipe/multi_stage.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/recipe/mergekit_yaml.h"
#include "core/recipe/suggest.h"

namespace mergelab::recipe {

namespace fs = std::filesystem;

namespace {

struct Document {
  std::string text;  ///< padded with empty lines so YAML line numbers are the file's
  int line = 1;
};

bool is_separator(const std::string& line) {
  if (line.compare(0, 3, "---") != 0) return false;
  const size_t rest = line.find_first_not_of(" \t\r", 3);
  return rest == std::string::npos || line[rest] == '#';
}

std::vector<Document> split_documents(const std::string& text) {
  std::vector<Document> docs(1);
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (is_separator(line)) {
      docs.push_back({std::string(static_cast<size_t>(n), '\n'), n + 1});
      continue;
    }
    docs.back().text += line + "\n";
  }
  std::vector<Document> out;
  for (auto& d : docs) {  // documents with nothing but comments and blanks (a leading ---) do not count
    YAML::Node node;
    try {
      node = YAML::Load(d.text);
    } catch (const YAML::Exception&) {
      out.push_back(std::move(d));  // the recipe reader reports it with its line
      continue;
    }
    if (!node.IsNull()) out.push_back(std::move(d));
  }
  return out;
}

/// Every place a recipe names a model: (path as written, YAML line, what it is).
struct Reference {
  std::string path;
  int line = 0;
  std::string what;
};
std::vector<Reference> references(const Recipe& r) {
  std::vector<Reference> out;
  if (!r.base_model.empty()) out.push_back({r.base_model, r.base_line, "base_model"});
  for (const auto& m : r.models) out.push_back({m.path, m.line, "model"});
  for (const auto& sl : r.slices) {
    if (!sl.base_model.empty()) out.push_back({sl.base_model, sl.line, "base_model"});
    for (const auto& s : sl.sources) out.push_back({s.path, s.line, "model"});
  }
  if (!r.tokenizer_source.empty() && r.tokenizer_source != "base")
    out.push_back({r.tokenizer_source, r.tokenizer_line, "tokenizer_source"});
  return out;
}

std::string where(const std::string& source, int line) { return source + (line ? ":" + std::to_string(line) : "") + ": "; }

}  // namespace

const Stage* MultiRecipe::find(const std::string& name) const {
  for (const auto& s : stages)
    if (s.name == name) return &s;
  return nullptr;
}

MultiRecipe parse_recipes(const std::string& text, const std::string& source, const std::string& base_dir) {
  MultiRecipe m;
  m.source = source;
  const std::vector<Document> docs = split_documents(text);
  if (docs.size() <= 1) {
    Stage s;
    s.recipe = parse_mergekit_yaml(text, source, base_dir);
    m.stages.push_back(std::move(s));
    return m;
  }
  std::vector<Stage> stages;
  std::map<std::string, size_t> index;
  for (const auto& d : docs) {
    Stage s;
    s.line = d.line;
    s.recipe = parse_mergekit_yaml(d.text, source, base_dir, {.check_paths = false});
    const YAML::Node node = YAML::Load(d.text);
    if (!node["name"] || !node["name"].IsScalar() || node["name"].Scalar().empty())
      throw RecipeError(where(source, d.line) + "this file holds " + std::to_string(docs.size()) +
                        " YAML documents: each needs 'name: NAME' so that the others can use it as a model");
    s.name = node["name"].Scalar();
    if (index.count(s.name))
      throw RecipeError(where(source, node["name"].Mark().line + 1) + "stage name '" + s.name + "' is used twice (also line " +
                        std::to_string(stages[index[s.name]].line) + "); give each stage its own name");
    index[s.name] = stages.size();
    stages.push_back(std::move(s));
  }
  std::vector<std::string> names;
  for (const auto& s : stages) names.push_back(s.name);
  std::set<std::string> used;
  for (auto& s : stages)
    for (const auto& ref : references(s.recipe)) {
      if (index.count(ref.path)) {
        if (std::find(s.uses.begin(), s.uses.end(), ref.path) == s.uses.end()) s.uses.push_back(ref.path);
        used.insert(ref.path);
        continue;
      }
      std::error_code ec;
      const std::string resolved = resolve_path(s.recipe, ref.path);
      if (!fs::exists(resolved, ec)) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw RecipeError(where(source, ref.line) + "stage '" + s.name + "': " + ref.what + " '" + ref.path +
                          "' is neither a stage of this file (" + list + ") nor a local path (looked for " + resolved + ")" +
                          did_you_mean(ref.path, names));
      }
    }
  // Dependency order (depth first, in file order), cycles named.
  std::vector<int> state(stages.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<std::string> path;
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      std::string cycle;
      auto it = std::find(path.begin(), path.end(), stages[i].name);
      for (; it != path.end(); ++it) cycle += *it + " -> ";
      throw RecipeError(where(source, stages[i].line) + "the stages use each other in a cycle: " + cycle + stages[i].name +
                        "; a stage can only use stages that do not need it");
    }
    state[i] = 1;
    path.push_back(stages[i].name);
    for (const auto& u : stages[i].uses) visit(index.at(u));
    path.pop_back();
    state[i] = 2;
    m.stages.push_back(stages[i]);
  };
  for (size_t i = 0; i < stages.size(); ++i) visit(i);
  std::vector<std::string> finals;
  for (const auto& s : stages)
    if (!used.count(s.name)) finals.push_back(s.name);
  if (finals.size() != 1) {
    std::string list;
    for (const auto& f : finals) list += (list.empty() ? "'" : ", '") + f + "'";
    throw RecipeError(source + ": stages " + list + " are used by no other stage; a multi-stage file builds one final model: "
                      "use the others in it or move them to their own file");
  }
  // The final stage last (depth-first order puts it last unless an unrelated branch came after it).
  auto fin = std::find_if(m.stages.begin(), m.stages.end(), [&](const Stage& s) { return s.name == finals[0]; });
  std::rotate(fin, fin + 1, m.stages.end());
  return m;
}

MultiRecipe read_recipes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RecipeError(path + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string dir = fs::path(path).parent_path().string();
  return parse_recipes(ss.str(), path, dir.empty() ? "." : dir);
}

Recipe with_stage_outputs(const Recipe& r, const std::map<std::string, std::string>& folders) {
  Recipe out = r;
  auto swap = [&](std::string& p) {
    if (auto it = folders.find(p); it != folders.end()) p = it->second;
  };
  swap(out.base_model);
  for (auto& m : out.models) swap(m.path);
  for (auto& sl : out.slices) {
    swap(sl.base_model);
    for (auto& s : sl.sources) swap(s.path);
  }
  if (out.tokenizer_source != "base") swap(out.tokenizer_source);
  return out;
}

}  // namespace mergelab::recipe
