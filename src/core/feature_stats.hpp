// Per-feature column statistics of training rows: the feature_mean / feature_std a model
// keeps (taken by the feature pipeline, feature_pipeline.cpp) and the range check on scaled
// values. Shared by the fit pipelines.
#pragma once

#include <cstdint>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"

namespace cseg {

// Largest magnitude allowed in scaled space: squared distances summed over many rows and
// features must stay far from overflow.
constexpr double kMaxScaledValue = 1e100;

// Per-feature mean and population standard deviation of X (all finite), two passes. Throws
// Error(DataException) when either overflows.
void column_mean_std(ConstRowMap X, std::vector<double>& mean, std::vector<double>& std_dev,
                     const Interrupt& interrupt);

// Throws Error(DataException) naming the first element of X (scaled) beyond kMaxScaledValue;
// X's first row is row first_row of the data (rows are numbered from 1 in the message).
void check_scaled_range(ConstRowMap X, int64_t first_row = 0);

}  // namespace cseg
