// text[] -> (pointer, length) pairs, without copying the strings.
#include "text_array.hpp"

#include "array_shape.hpp"

namespace cseg_pg {

// Validates shape and element type of a text[] argument, returning its length.
int32 text_array_length(ArrayType* a, const char* what) {
    return checked_array_length(a, TEXTOID, "text[]", what);
}

// Deconstructs the array and points at each element's bytes (elements are never toasted).
void text_array_read(ArrayType* a, int32 n, const char** data, int32* len) {
    Datum* elems;
    bool* nulls;
    int count;
    deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
    for (int32 i = 0; i < n && i < count; ++i) {
        if (nulls[i]) {
            data[i] = nullptr;
            len[i] = -1;
        } else {
            const struct varlena* t =
                reinterpret_cast<const struct varlena*>(DatumGetPointer(elems[i]));
            data[i] = VARDATA_ANY(t);
            len[i] = static_cast<int32>(VARSIZE_ANY_EXHDR(t));
        }
    }
    pfree(elems);
    pfree(nulls);
}

}  // namespace cseg_pg
