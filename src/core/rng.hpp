// The core's own seeded pseudo-random generator: xoshiro256** (Blackman & Vigna, "Scrambled
// linear pseudorandom number generators", 2018/2021) seeded through splitmix64 (Steele, Lea &
// Flood, "Fast splittable pseudorandom number generators", 2014). Integer arithmetic only and
// its own uniform mappings (no std::uniform_*_distribution, no global state), so the same
// seed gives the same stream on every platform and compiler.
#pragma once

#include <cstdint>

namespace cseg {

// One splitmix64 step: advances state by the golden gamma and returns the mixed value.
inline uint64_t splitmix64_next(uint64_t& state) {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// xoshiro256**: 256 bits of state, period 2^256 - 1. Cheap to copy; not thread-shared.
class Rng {
  public:
    // The state is four consecutive splitmix64 outputs starting from seed (the seeding the
    // xoshiro authors recommend); never all zero.
    explicit Rng(uint64_t seed) {
        uint64_t sm = seed;
        for (uint64_t& word : s_) word = splitmix64_next(sm);
    }

    // An independent-looking generator for one numbered stream of a seed (e.g. restart r of
    // kmeans_fit): the stream number is mixed into the seed with a second splitmix64 chain.
    static Rng for_stream(uint64_t seed, uint64_t stream) {
        uint64_t a = seed;
        uint64_t b = stream ^ 0x6A09E667F3BCC909ULL;  // sqrt(2) bits: stream 0 != plain seed
        const uint64_t mixed = splitmix64_next(a) ^ (splitmix64_next(b) * 0xD1342543DE82EF95ULL);
        return Rng(mixed);
    }

    // The next 64 random bits.
    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform double in [0, 1): the top 53 bits times 2^-53 (every value is exact).
    double next_double() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // Uniform integer in [0, bound) for bound >= 1, by rejection: draws below 2^64 mod bound
    // are rejected so every residue is equally likely (bound 0 returns 0).
    uint64_t bounded(uint64_t bound) {
        if (bound <= 1) return 0;
        const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
        for (;;) {
            const uint64_t x = next();
            if (x >= threshold) return x % bound;
        }
    }

  private:
    // Rotate left by k in [1, 63].
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    uint64_t s_[4];
};

}  // namespace cseg
