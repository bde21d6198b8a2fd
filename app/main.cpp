// mergelab: `mergelab` opens the explorer; `mergelab COMMAND ...` runs a headless sub-command.
#include <exception>
#include <iostream>
#include <string>

#include "app/cli.h"
#include "app/gui_entry.h"

namespace {

void print_help() {
  std::cout << "usage: mergelab [GUI options]          open the visual explorer\n"
               "       mergelab COMMAND [options]      run a headless command\n\n"
               "MergeLab: see, compare and run model merges (LERP, SLERP, task arithmetic, TIES, DARE, ...).\n\n"
               "commands:\n";
  for (const auto& c : mergelab::app::commands()) {
    std::string name = c.name;
    name.resize(12, ' ');
    std::cout << "  " << name << c.summary << "\n";
  }
  std::cout << "\nGUI options:\n" << mergelab::app::gui_help()
            << "\n'mergelab COMMAND --help' shows a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mergelab::app;
  if (argc >= 2) {
    const std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
      print_help();
      return 0;
    }
    if (first == "--version") {
      std::cout << "mergelab 0.1.0\n";
      return 0;
    }
    if (!first.empty() && first[0] != '-') {
      const Command* cmd = find_command(first);
      if (!cmd) {
        std::cerr << "mergelab: error: unknown command '" << first << "' (see mergelab --help)\n";
        return 2;
      }
      try {
        return cmd->run(argc - 1, argv + 1);
      } catch (const CliError& e) {
        std::cerr << "mergelab " << first << ": error: " << e.what() << "\n";
        return 2;
      } catch (const std::exception& e) {
        std::cerr << "mergelab " << first << ": error: " << e.what() << "\n";
        return 1;
      }
    }
  }
  try {
    return run_gui(argc, argv);
  } catch (const CliError& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "mergelab: error: " << e.what() << "\n";
    return 1;
  }
}
