// Placeholder until the explorer window lands.
#include <iostream>

#include "app/gui_entry.h"

namespace mergelab::app {
int run_gui(int, char**) {
  std::cerr << "mergelab: the explorer is not built yet; try 'mergelab article'\n";
  return 1;
}
const char* gui_help() { return "  (coming)\n"; }
}  // namespace mergelab::app
