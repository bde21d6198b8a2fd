#include "core/lm/layer_order.h"

#include <map>

#include "core/recipe/recipe.h"  // layer_index: the layer numbers the engine uses

namespace mergelab::lm {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && is_digit(a[ie])) ++ie;
      while (je < b.size() && is_digit(b[je])) ++je;
      // Compare the values: skip leading zeros, then the longer run is larger, then digit by digit.
      std::size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.substr(is, ie - is).compare(b.substr(js, je - js));
      if (c != 0) return c < 0;
      if (ie - i != je - j) return ie - i < je - j;  // same value: fewer leading zeros first
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

std::vector<LayerSummary> summarize_layers(const std::vector<TensorEntry>& tensors) {
  std::map<int, LayerSummary> rows;
  LayerSummary rest;
  for (const TensorEntry& t : tensors) {
    const auto l = recipe::layer_index(t.name);
    LayerSummary& s = l ? rows[*l] : rest;
    s.layer = l ? *l : -1;
    s.tensors += 1;
    s.elements += t.elements;
    s.bytes += t.bytes;
  }
  std::vector<LayerSummary> out;
  for (const auto& [layer, s] : rows) out.push_back(s);
  if (rest.tensors) out.push_back(rest);
  return out;
}

}  // namespace mergelab::lm
