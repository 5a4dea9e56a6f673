// The wall between C++ and PostgreSQL: run core code, catch every exception, and only after
// the catch block has been left report it with ereport (STYLE.md, "The wall").
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "pg.hpp"

namespace cseg_pg {

// A caught exception, copied into plain storage so no C++ object outlives the catch. The
// texts are only written (all three) when an exception is captured: guarded() runs once per
// row in the per-row functions, where zeroing 2.5 kB each time shows in profiles.
struct PendingError {
    bool set = false;
    bool cancelled = false;
    int sqlstate = 0;
    char message[1024];
    char detail[1024];
    char hint[512];
};

// Fills `err` from the exception currently being handled (call only inside catch (...)).
void capture_current_exception(PendingError* err) noexcept;

// Reports a captured error: processes a pending interrupt for Cancelled, else ereport(ERROR).
[[noreturn]] void raise_pending(const PendingError* err);

// True when PostgreSQL has a cancel or termination pending; the core's Interrupt callback.
bool interrupt_pending();

// palloc in the current memory context that throws std::bad_alloc instead of longjmp-ing;
// the only allocation allowed inside a guard. Huge sizes allowed; sizes are checked first.
void* alloc_nothrow(size_t size);

// Runs f() (which must return a trivially destructible value) with every C++ exception
// caught; on error, leaves the catch block and then raises it as a PostgreSQL ERROR.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
    using R = decltype(f());
    static_assert(std::is_void_v<R> || std::is_trivially_destructible_v<R>,
                  "guarded() results must not own resources");
    PendingError err;
    if constexpr (std::is_void_v<R>) {
        try {
            std::forward<F>(f)();
        } catch (...) {
            capture_current_exception(&err);
        }
        if (err.set) raise_pending(&err);
    } else {
        R result{};
        try {
            result = std::forward<F>(f)();
        } catch (...) {
            capture_current_exception(&err);
        }
        if (err.set) raise_pending(&err);
        return result;
    }
}

}  // namespace cseg_pg
