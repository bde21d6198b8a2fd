#include "app/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace mergelab::app {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace

void register_command(Command command) { registry().push_back(std::move(command)); }

const std::vector<Command>& commands() { return registry(); }

const Command* find_command(const std::string& name) {
  for (const auto& c : registry())
    if (c.name == name) return &c;
  return nullptr;
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

double parse_double(const std::string& option, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
    throw CliError(option + " expects a number, got '" + text + "'");
  return v;
}

long parse_int(const std::string& option, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
    throw CliError(option + " expects a whole number, got '" + text + "'");
  return v;
}

ArgParser::ArgParser(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

void ArgParser::add_option(const std::string& name, const std::string& metavar, const std::string& help,
                           std::optional<std::string> default_value) {
  options_.push_back({name, metavar, help, std::move(default_value), false, false});
}

void ArgParser::add_multi_option(const std::string& name, const std::string& metavar, const std::string& help) {
  options_.push_back({name, metavar, help, std::nullopt, false, true});
}

void ArgParser::add_flag(const std::string& name, const std::string& help) {
  options_.push_back({name, "", help, std::nullopt, true, false});
}

void ArgParser::add_positional(const std::string& name, const std::string& help, bool many, bool required) {
  positionals_.push_back({name, help, many, required});
}

const ArgParser::Option* ArgParser::find(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

std::string ArgParser::help() const {
  std::ostringstream out;
  out << "usage: " << program_;
  if (!options_.empty()) out << " [options]";
  for (const auto& p : positionals_) {
    std::string n = p.name + (p.many ? "..." : "");
    out << " " << (p.required ? n : "[" + n + "]");
  }
  out << "\n\n" << description_ << "\n";
  if (!positionals_.empty()) {
    out << "\narguments:\n";
    for (const auto& p : positionals_) out << "  " << p.name << "\n      " << p.help << "\n";
  }
  out << "\noptions:\n";
  for (const auto& o : options_) {
    out << "  --" << o.name;
    if (!o.is_flag) out << " " << o.metavar;
    out << "\n      " << o.help;
    if (o.default_value && !o.default_value->empty()) out << " (default: " << *o.default_value << ")";
    if (o.multi) out << " (may be repeated)";
    out << "\n";
  }
  out << "  --help\n      show this help and exit\n";
  if (!epilog_.empty()) out << "\n" << epilog_ << "\n";
  return out.str();
}

bool ArgParser::parse(int argc, char** argv) {
  values_.clear();
  positional_values_.clear();
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!options_done && (arg == "--help" || arg == "-h")) {
      std::cout << help();
      return false;
    }
    if (!options_done && arg == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && arg.size() > 2 && arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const Option* opt = find(name);
      if (!opt) throw CliError("unknown option --" + name + " (see --help)");
      if (opt->is_flag) {
        if (inline_value) throw CliError("--" + name + " takes no value");
        values_[name].push_back("1");
        continue;
      }
      std::string value;
      if (inline_value) {
        value = *inline_value;
      } else {
        if (i + 1 >= argc) throw CliError("--" + name + " needs a value " + opt->metavar);
        value = argv[++i];
      }
      if (!opt->multi && values_.count(name)) throw CliError("--" + name + " given twice");
      values_[name].push_back(value);
      continue;
    }
    positional_values_.push_back(arg);
  }
  // Check positional counts.
  size_t needed = 0;
  bool many = false;
  for (const auto& p : positionals_) {
    if (p.required) ++needed;
    many = many || p.many;
  }
  if (positional_values_.size() < needed) {
    for (size_t k = positional_values_.size(); k < positionals_.size(); ++k)
      if (positionals_[k].required) throw CliError("missing argument " + positionals_[k].name + " (see --help)");
  }
  if (!many && positional_values_.size() > positionals_.size())
    throw CliError("unexpected argument '" + positional_values_[positionals_.size()] + "' (see --help)");
  return true;
}

bool ArgParser::flag(const std::string& name) const { return values_.count(name) > 0; }

bool ArgParser::has(const std::string& name) const {
  if (values_.count(name)) return true;
  const Option* o = find(name);
  return o && o->default_value.has_value();
}

std::string ArgParser::get(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second.back();
  const Option* o = find(name);
  if (o && o->default_value) return *o->default_value;
  throw CliError("missing option --" + name);
}

std::vector<std::string> ArgParser::get_all(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  return {};
}

double ArgParser::get_double(const std::string& name) const { return parse_double("--" + name, get(name)); }

long ArgParser::get_int(const std::string& name) const { return parse_int("--" + name, get(name)); }

}  // namespace mergelab::app
