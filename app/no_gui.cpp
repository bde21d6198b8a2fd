// Built when MERGELAB_GUI is off: the explorer is not available.
#include <iostream>

#include "app/gui_entry.h"

namespace mergelab::app {
int run_gui(int, char**) {
  std::cerr << "mergelab: this build has no GUI (configured with -DMERGELAB_GUI=OFF); see mergelab --help\n";
  return 1;
}
const char* gui_help() { return "  (none: built without the GUI)\n"; }
}  // namespace mergelab::app
