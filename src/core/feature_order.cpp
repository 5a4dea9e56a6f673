// Feature order: column names against the feature names a model stores.
#include "feature_order.hpp"

#include <cstring>

namespace cseg {

namespace {

// The column's name equals the `len` bytes at `name`.
bool same_name(const char* column, const uint8_t* name, uint32_t len) noexcept {
    return std::strlen(column) == len && std::memcmp(column, name, len) == 0;
}

// The model feature named `column`, or -1 (the name section as described
// at misplaced_feature_name).
int32_t feature_named(const ModelView& v, const char* column) noexcept {
    const uint8_t* p = v.names;
    for (int32_t j = 0; j < v.dims; ++j) {
        uint32_t len = 0;
        std::memcpy(&len, p, sizeof len);
        if (same_name(column, p + 4, len)) return j;
        p += 4 + len;
    }
    return -1;
}

}  // namespace

// The first column named like a model feature at another position (see the header). The
// name section is dims entries of (uint32 length, bytes), as model_codec.hpp lays it out.
int32_t misplaced_feature_name(const ModelView& v, const char* const* columns, int32_t n,
                               int32_t* model_position) noexcept {
    if (v.names == nullptr) return -1;
    const uint8_t* p = v.names;
    for (int32_t i = 0; i < n && i < v.dims; ++i) {
        uint32_t len = 0;
        std::memcpy(&len, p, sizeof len);
        const bool in_place = same_name(columns[i], p + 4, len);
        p += 4 + len;
        if (in_place) continue;
        const int32_t j = feature_named(v, columns[i]);
        if (j >= 0) {
            *model_position = j;
            return i;
        }
    }
    return -1;
}

}  // namespace cseg
