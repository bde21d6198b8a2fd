#include "app/commands/eval_common.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/io/atomic_file.h"

namespace mergelab::app {

namespace fs = std::filesystem;

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pad(std::string s, std::size_t width, bool right_align) {
  if (s.size() >= width) return s;
  return right_align ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

bool is_data_folder(const std::vector<std::string>& data) {
  std::error_code ec;
  return data.size() == 1 && fs::is_directory(data[0], ec);
}

std::vector<std::string> eval_data(const ArgParser& args, const std::string& kind, const std::string& missing,
                                   const std::function<bool(const std::string&)>& may_follow, std::string& split) {
  std::vector<std::string> data = args.get_all("data");
  for (std::size_t i = 1; i < args.positionals().size(); ++i) {
    const std::string& extra = args.positionals()[i];
    if (data.empty() || !may_follow(extra))
      throw CliError("unexpected argument '" + extra + "' (only " + kind + " may follow --data)");
    data.push_back(extra);
  }
  if (data.empty()) throw CliError(missing);
  if (args.has("split") && !is_data_folder(data)) throw CliError("--split applies to a data folder; " + kind + " are used as given");
  split = args.has("split") ? args.get("split") : "test";
  return data;
}

std::string data_text(const std::vector<std::string>& data, const std::string& split) {
  std::string text;
  for (const auto& d : data) text += (text.empty() ? "" : ", ") + d;
  if (is_data_folder(data)) text += " (split " + split + ")";
  return text;
}

void emit_report(const ArgParser& args, const std::string& json, const std::function<void(std::ostream&)>& table) {
  if (args.has("out")) io::write_file_atomic(args.get("out"), json + "\n");
  if (args.flag("json")) std::cout << json << "\n";
  else table(std::cout);
}

}  // namespace mergelab::app
