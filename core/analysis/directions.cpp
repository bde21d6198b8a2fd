#include "core/analysis/directions.h"

#include <cmath>
#include <stdexcept>

#include "core/rng.h"

namespace mergelab::analysis {

std::vector<Eigen::VectorXf> filter_normalized_directions(const Layout& layout, const Eigen::VectorXf& theta,
                                                          int count, std::uint32_t seed) {
  const auto offsets = offsets_of(layout);
  if (theta.size() != static_cast<Eigen::Index>(offsets.back()))
    throw std::invalid_argument("filter_normalized_directions: the model does not fit the layout");
  RandomState rng(seed);
  std::vector<Eigen::VectorXf> out;
  for (int c = 0; c < count; ++c) {
    Eigen::VectorXf d = Eigen::VectorXf::Zero(theta.size());
    for (std::size_t t = 0; t < layout.size(); ++t) {
      if (layout[t].shape.size() < 2) continue;
      const std::size_t size = offsets[t + 1] - offsets[t];
      const std::size_t rows = static_cast<std::size_t>(layout[t].shape[0]);
      if (size == 0 || rows == 0) continue;
      const std::size_t cols = size / rows;
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t start = offsets[t] + r * cols;
        double dn = 0, wn = 0;
        for (std::size_t k = 0; k < cols; ++k) {
          const double g = rng.standard_normal();
          d[static_cast<Eigen::Index>(start + k)] = static_cast<float>(g);
          const double gf = d[static_cast<Eigen::Index>(start + k)];
          const double w = theta[static_cast<Eigen::Index>(start + k)];
          dn += gf * gf;
          wn += w * w;
        }
        const double scale = dn > 0 ? std::sqrt(wn) / std::sqrt(dn) : 0.0;
        for (std::size_t k = 0; k < cols; ++k) {
          auto& v = d[static_cast<Eigen::Index>(start + k)];
          v = static_cast<float>(v * scale);
        }
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace mergelab::analysis
