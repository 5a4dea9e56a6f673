// Feature order: column names against the feature names a model stores.
#include "feature_order.hpp"

#include <cstring>

namespace cseg {

namespace {

// The column's name equals the `len` bytes at `name`.
bool same_name(const char* column, const uint8_t* name, uint32_t len) noexcept {
    return std::strlen(column) == len && std::memcmp(column, name, len) == 0;
}

}  // namespace

// The first model feature named like a column at another position (see the header). The
// name section is dims entries of (uint32 length, bytes), as model_codec.hpp lays it out.
int32_t misplaced_feature_name(const ModelView& v, const char* const* columns, int32_t n,
                               int32_t* model_position) noexcept {
    if (v.names == nullptr) return -1;
    const uint8_t* p = v.names;
    for (int32_t j = 0; j < v.dims; ++j) {
        uint32_t len = 0;
        std::memcpy(&len, p, sizeof len);
        const uint8_t* name = p + 4;
        p = name + len;
        if (j < n && same_name(columns[j], name, len)) continue;
        for (int32_t i = 0; i < n; ++i) {
            if (i != j && same_name(columns[i], name, len)) {
                *model_position = j;
                return i;
            }
        }
    }
    return -1;
}

}  // namespace cseg
