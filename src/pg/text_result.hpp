// Core strings returned to SQL as text without a longjmp inside a guard.
#pragma once

#include <string>

#include "pg.hpp"

namespace cseg_pg {

// A text datum holding s, palloc'd in the current context with alloc_nothrow (call inside
// guarded(); throws std::bad_alloc past MaxAllocSize).
text* text_nothrow(const std::string& s);

}  // namespace cseg_pg
