// Entry point of the desktop explorer (app/gui/). `mergelab` with no sub-command calls it.
#pragma once

namespace mergelab::app {
/// Runs the explorer window; argv holds the GUI options (--screenshot, --frames, --state-json, ...).
int run_gui(int argc, char** argv);
/// One line per GUI option, for `mergelab --help`.
const char* gui_help();
}  // namespace mergelab::app
