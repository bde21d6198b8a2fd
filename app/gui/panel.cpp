#include "app/gui/panel.h"

#include <algorithm>

namespace mergelab::app {

namespace {
struct Entry {
  int order;
  PanelFactory factory;
};
std::vector<Entry>& registry() {
  static std::vector<Entry> entries;  // filled during static initialisation, read-only afterwards
  return entries;
}
}  // namespace

PanelRegistrar::PanelRegistrar(int order, PanelFactory factory) { registry().push_back({order, std::move(factory)}); }

std::vector<std::unique_ptr<Panel>> make_panels() {
  auto entries = registry();
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.order < b.order; });
  std::vector<std::unique_ptr<Panel>> out;
  for (const auto& e : entries) out.push_back(e.factory());
  return out;
}

}  // namespace mergelab::app
