// Feature scalers: standard, minmax, robust, none (scikit-learn's definitions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"

namespace cseg {

enum class ScaleMethod : uint8_t { Standard = 0, MinMax = 1, Robust = 2, None = 3 };

// "standard", "minmax", "robust", "none".
const char* scale_method_name(ScaleMethod m);
// Parses a method name; throws Error(InvalidParameter) listing the valid names.
ScaleMethod parse_scale_method(std::string_view name);

// scaled = (x - center) / scale, per feature.
struct Scaler {
    ScaleMethod method = ScaleMethod::None;
    std::vector<double> center;
    std::vector<double> scale;

    int32_t dims() const { return static_cast<int32_t>(center.size()); }
    // out[j] = (in[j] - center[j]) / scale[j]; in and out may alias.
    void transform(const double* in, double* out) const;
    // out[j] = in[j] * scale[j] + center[j]; in and out may alias.
    void inverse(const double* in, double* out) const;
    // Scales every row of X in place.
    void transform_rows(RowMap X) const;
};

struct ColumnMoments;  // feature_stats.hpp

// Fits a scaler on the rows of X (all finite). Constant features get scale 1. A standard
// scaler takes `moments` (column_moments of exactly these rows) instead of reading X again
// when they are given.
Scaler fit_scaler(ConstRowMap X, ScaleMethod method, const Interrupt& interrupt = Interrupt(),
                  const ColumnMoments* moments = nullptr);

// Throws Error(kind) unless the scaler is usable: equal lengths, finite centers,
// finite positive scales, dims >= 1.
void validate_scaler(const Scaler& s, ErrorKind kind);

}  // namespace cseg
