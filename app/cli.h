// Sub-command registry and a small argument parser shared by every `mergelab` command.
//
// A command lives in one file under app/commands/ and registers itself:
//   static mergelab::app::CommandRegistrar reg{{"article", "summary line", &run_article}};
// Parsing errors throw CliError; main() prints "mergelab <cmd>: error: ..." and exits 2.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mergelab::app {

struct Command {
  std::string name;
  std::string summary;
  std::function<int(int argc, char** argv)> run;  // argv[0] is the command name
};

void register_command(Command command);
const std::vector<Command>& commands();
const Command* find_command(const std::string& name);

struct CommandRegistrar {
  explicit CommandRegistrar(Command command) { register_command(std::move(command)); }
};

/// A usage error: one clear message, exit status 2.
struct CliError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Options of the form --name VALUE, --name=VALUE and --flag, plus positional arguments.
/// --help/-h is handled by the parser: parse() returns false after printing help.
class ArgParser {
 public:
  ArgParser(std::string program, std::string description);

  void add_option(const std::string& name, const std::string& metavar, const std::string& help,
                  std::optional<std::string> default_value = std::nullopt);
  void add_multi_option(const std::string& name, const std::string& metavar, const std::string& help);
  void add_flag(const std::string& name, const std::string& help);
  void add_positional(const std::string& name, const std::string& help, bool many = false, bool required = true);
  void add_epilog(const std::string& text) { epilog_ += text; }

  /// Returns false when --help was printed (the caller then returns 0).
  bool parse(int argc, char** argv);
  std::string help() const;

  bool flag(const std::string& name) const;
  bool has(const std::string& name) const;
  std::string get(const std::string& name) const;
  std::vector<std::string> get_all(const std::string& name) const;
  double get_double(const std::string& name) const;
  long get_int(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positional_values_; }

 private:
  struct Option {
    std::string name, metavar, help;
    std::optional<std::string> default_value;
    bool is_flag = false;
    bool multi = false;
  };
  struct Positional {
    std::string name, help;
    bool many = false, required = true;
  };
  std::string program_, description_, epilog_;
  std::vector<Option> options_;
  std::vector<Positional> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_values_;
  const Option* find(const std::string& name) const;
};

/// Parses a number or throws CliError naming the option.
double parse_double(const std::string& option, const std::string& text);
/// A number for messages: shortest of %g (6 significant digits), "inf" / "-inf" for unbounded limits.
std::string format_double(double v);
long parse_int(const std::string& option, const std::string& text);

}  // namespace mergelab::app
