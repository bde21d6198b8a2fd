// What the classifier and the language-model sides of `mergelab eval` share: the --data arguments, the table
// cells, and the report written as JSON or as a table.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli.h"

namespace mergelab::app {

/// `v` with `decimals` decimals; "-" when not finite.
std::string fixed(double v, int decimals);
/// `s` padded with spaces to `width` (on the left when right_align).
std::string pad(std::string s, std::size_t width, bool right_align = true);

/// The evaluation data: --data values plus the positionals after MODEL (allowed when --data was given and
/// `may_follow` accepts them; `kind` names them in the message, e.g. "CSV files"). Refuses no data
/// (`missing` is the message) and --split without a single data folder. Returns the paths; `split` receives
/// --split or "test".
std::vector<std::string> eval_data(const ArgParser& args, const std::string& kind, const std::string& missing,
                                   const std::function<bool(const std::string&)>& may_follow, std::string& split);
/// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);
/// True when the data is one folder.
bool is_data_folder(const std::vector<std::string>& data);
/// "a, b" or "DIR (split S)".
std::string data_text(const std::vector<std::string>& data, const std::string& split);

/// --out FILE (atomically) and then --json (the JSON on stdout) or the table.
void emit_report(const ArgParser& args, const std::string& json, const std::function<void(std::ostream&)>& table);

}  // namespace mergelab::app
