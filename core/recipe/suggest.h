// "Did you mean": the closest valid name to a misspelt one (dare-ties -> dare_ties, densty -> density).
#pragma once

#include <string>
#include <vector>

namespace mergelab::recipe {

/// The candidate nearest to `name` by edit distance (insert, delete, substitute, swap of neighbours; '-' and
/// '_' count as equal, case ignored), when it is close enough to be a slip: at most 2 edits and under half the
/// name's length. "" when none is.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" for closest_name, or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace mergelab::recipe
