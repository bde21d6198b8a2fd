#include "app/format/pyformat.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mergelab::app {

std::string py_fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string py_percent(double x, int digits) { return py_fixed(x * 100.0, digits) + "%"; }

namespace {
// The shortest fixed-point digits that read back as x, with at most `max_digits` decimals
// (numpy's dragon4 in 'unique' mode, capped by the precision).
std::string unique_fixed(double x, int max_digits) {
  char buf[64];
  for (int d = 0; d <= max_digits; ++d) {
    std::snprintf(buf, sizeof buf, "%.*f", d, x);
    if (std::strtod(buf, nullptr) == x) return buf;
  }
  std::snprintf(buf, sizeof buf, "%.*f", max_digits, x);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}
}  // namespace

std::string numpy_array_str(const Eigen::VectorXd& v) {
  std::vector<std::string> ints, fracs;
  size_t pad_left = 0, pad_right = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    std::string s = unique_fixed(v[i], 8);
    const auto dot = s.find('.');
    std::string ip = dot == std::string::npos ? s : s.substr(0, dot);
    std::string fp = dot == std::string::npos ? "" : s.substr(dot + 1);
    pad_left = std::max(pad_left, ip.size());
    pad_right = std::max(pad_right, fp.size());
    ints.push_back(ip);
    fracs.push_back(fp);
  }
  std::string out = "[";
  for (size_t i = 0; i < ints.size(); ++i) {
    if (i) out += " ";
    out += std::string(pad_left - ints[i].size(), ' ') + ints[i] + "." + fracs[i] + std::string(pad_right - fracs[i].size(), ' ');
  }
  out += "]";
  return out;
}

}  // namespace mergelab::app
