// Minimum-cost assignment between two sets (the Hungarian algorithm: Kuhn 1955, Munkres 1957),
// used by seg_align to match the clusters of two models.
#pragma once

#include <cstdint>
#include <vector>

#include "interrupt.hpp"

namespace cseg {

// Assigns each of `rows` rows to a distinct one of `cols` columns so that the sum of
// cost[r * cols + c] over the chosen pairs is minimal; min(rows, cols) pairs are made.
// Returns, per row, its column, or -1 for a row left unassigned (only when rows > cols).
// O(min^2 * max) time with potentials (the shortest-augmenting-path form of Kuhn-Munkres),
// O(rows * cols) memory. Deterministic. Throws Error(InvalidParameter) for a negative size
// or a non-finite cost, Cancelled through interrupt (polled once per row).
std::vector<int32_t> hungarian_assign(const double* cost, int32_t rows, int32_t cols,
                                      const Interrupt& interrupt = Interrupt());

}  // namespace cseg
