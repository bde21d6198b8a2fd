#include "core/merge/rescale.h"

#include <cmath>
#include <stdexcept>

namespace mergelab::merge {

template <class T>
void match_l1_norm(Vec<T>& masked, const VecView<T>& original) {
  if (masked.size() != original.size()) throw std::invalid_argument("rescale: vectors differ in size");
  double before = 0.0, after = 0.0;
  for (Eigen::Index i = 0; i < original.size(); ++i) {
    before += std::abs(static_cast<double>(original[i]));
    after += std::abs(static_cast<double>(masked[i]));
  }
  if (before < 1e-7 || after < 1e-7) return;
  masked *= static_cast<T>(before / after);
}

template void match_l1_norm<float>(Vec<float>&, const VecView<float>&);
template void match_l1_norm<double>(Vec<double>&, const VecView<double>&);

}  // namespace mergelab::merge
