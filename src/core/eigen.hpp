// The only way the core includes Eigen: single-threaded, assertions throw instead of abort.
#pragma once

#include "errors.hpp"

#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
// Exact (IEEE) vectorised sqrt and friends, never Eigen's approximations.
#ifndef EIGEN_FAST_MATH
#define EIGEN_FAST_MATH 0
#endif
#ifndef eigen_assert
#define eigen_assert(x)                                                                    \
    do {                                                                                   \
        if (!(x)) throw ::cseg::Error(::cseg::ErrorKind::Internal, "Eigen assertion: " #x); \
    } while (false)
#endif
#include <Eigen/Dense>

namespace cseg {

// n x d, one customer per row, contiguous: the layout every core routine takes.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix, Eigen::Unaligned>;
using RowMap = Eigen::Map<RowMatrix, Eigen::Unaligned>;

}  // namespace cseg
