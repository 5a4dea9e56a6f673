// A fixed, portable sequence of uniform doubles for tests that build their own tables.
#pragma once

#include <cstdint>

namespace cseg::test {

// Knuth's MMIX linear congruential generator; each call returns the top 53 bits of the next
// state as a double in [0, 1). The same seed gives the same sequence on every platform.
class Uniform {
  public:
    explicit Uniform(uint64_t seed) : state_(seed) {}
    // The next value in [0, 1).
    double operator()() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state_ >> 11) * 0x1.0p-53;
    }

  private:
    uint64_t state_;
};

}  // namespace cseg::test
