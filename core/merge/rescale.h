// Rescaling a sparsified task vector so it keeps its size (shared by every sparsifying method).
//
// mergekit's rule (`rescale: true`): scale the masked vector so its L1 norm equals the original's,
//   tau' = m * tau * |tau|_1 / |m * tau|_1,
// left unscaled when either norm is below 1e-7 (mergekit's eps), e.g. when everything was dropped.
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

/// masked *= |original|_1 / |masked|_1 (norms accumulated in double); unchanged when either < 1e-7.
template <class T>
void match_l1_norm(Vec<T>& masked, const VecView<T>& original);

}  // namespace mergelab::merge
