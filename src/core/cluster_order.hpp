// The numbering of a fitted model's clusters: largest first, so segment 0 is the biggest and
// numbers do not depend on the order in which a run happened to create its clusters.
#pragma once

#include <cstdint>
#include <vector>

namespace cseg {

// order[c] = the run's cluster that becomes number c: size descending, then the centre
// (k x d doubles, row-major) lexicographically ascending, then the modes (k x q codes; none
// when q = 0) lexicographically ascending, then the run's own index.
std::vector<int32_t> cluster_order(const std::vector<int64_t>& size, const double* centers,
                                   int32_t d, const int32_t* modes = nullptr, int32_t q = 0);

}  // namespace cseg
