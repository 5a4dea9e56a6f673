// text_nothrow (text_result.hpp).
#include "text_result.hpp"

#include <cstring>
#include <new>

#include "guard.hpp"

namespace cseg_pg {

// A varlena text copy of s.
text* text_nothrow(const std::string& s) {
    if (s.size() > MaxAllocSize - VARHDRSZ) throw std::bad_alloc();
    text* t = static_cast<text*>(alloc_nothrow(s.size() + VARHDRSZ));
    SET_VARSIZE(t, s.size() + VARHDRSZ);
    std::memcpy(VARDATA(t), s.data(), s.size());
    return t;
}

}  // namespace cseg_pg
