#include "core/merge/rescale.h"

#include <stdexcept>

namespace mergelab::merge {

template <class T>
void match_l1_norm(Vec<T>& masked, const VecView<T>& original) {
  if (masked.size() != original.size()) throw std::invalid_argument("rescale: vectors differ in size");
  L1Sum<T> before, after;
  before.add(original.data(), original.size());
  after.add(masked.data(), masked.size());
  if (before.total() < 1e-7 || after.total() < 1e-7) return;
  masked *= static_cast<T>(before.total() / after.total());
}

template void match_l1_norm<float>(Vec<float>&, const VecView<float>&);
template void match_l1_norm<double>(Vec<double>&, const VecView<double>&);

}  // namespace mergelab::merge
