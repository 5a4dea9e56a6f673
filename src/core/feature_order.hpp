// Feature order: column names against the feature names a model stores.
#pragma once

#include <cstdint>

#include "model_codec.hpp"

namespace cseg {

// Compares n column names (NUL-terminated) with the view's feature names position by
// position: the first column i whose name is not the model's feature i but is the name of
// another model feature j, returned as i with *model_position = j; -1 when none is misplaced
// (and for a model without names). Allocates nothing; O(dims) when every name is in place.
int32_t misplaced_feature_name(const ModelView& v, const char* const* columns, int32_t n,
                               int32_t* model_position) noexcept;

}  // namespace cseg
