// Cancellation hook: the core polls it; the wall supplies a function reading PostgreSQL's flags.
#pragma once

#include "errors.hpp"

namespace cseg {

// A cheap, copyable handle on "is a cancel pending?"; poll() throws Cancelled when it is.
class Interrupt {
public:
    using Fn = bool (*)();
    constexpr Interrupt() = default;
    constexpr explicit Interrupt(Fn pending) : pending_(pending) {}
    // Throws Cancelled when a cancel/termination is pending. Call per iteration or per few
    // thousand rows, never in the innermost loop.
    void poll() const {
        if (pending_ != nullptr && pending_()) throw Cancelled{};
    }

private:
    Fn pending_ = nullptr;
};

}  // namespace cseg
