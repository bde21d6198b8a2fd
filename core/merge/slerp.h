// SLERP: interpolation along the great circle between two weight vectors.
//
//   omega = arccos(a.b / (|a| |b|)),   slerp = sin((1-t) omega)/sin(omega) a + sin(t omega)/sin(omega) b
//
// Two rules for when the vectors are (nearly) parallel, where the formula is ill-conditioned:
//  - Article:  a/(|a|+1e-10) . b/(|b|+1e-10) clipped to [-1, 1]; LERP when omega < 1e-6
//              (anti-parallel vectors still go through the formula).
//  - Mergekit: unit vectors (when |v| > 1e-8); LERP when |cos| > 0.9995 (anti-parallel included).
// With equal norms the SLERP result keeps that norm; LERP's midpoint is shorter by cos(omega/2).
#pragma once

#include "core/merge/types.h"

namespace mergelab::merge {

enum class SlerpRule { Article, Mergekit };

template <class T>
Vec<T> slerp(const VecView<T>& a, const VecView<T>& b, double t, SlerpRule rule = SlerpRule::Article);

/// The angle omega between a and b in radians, computed in double as the article does.
template <class T>
double slerp_angle(const VecView<T>& a, const VecView<T>& b);

}  // namespace mergelab::merge
