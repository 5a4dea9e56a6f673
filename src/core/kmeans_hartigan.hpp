// Hartigan's single-point refinement of a k-means solution (Hartigan 1975, Hartigan & Wong
// 1979; Telgarsky & Vattani 2010 show its local optima are a subset of Lloyd's fixed points).
#pragma once

#include <cstdint>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"

namespace cseg {

// Moves single points between clusters while a move lowers the inertia: a point x of
// cluster a (n_a > 1) moves to the cluster b minimising n_b/(n_b+1)·|x−c_b|² when that is
// below n_a/(n_a−1)·|x−c_a|². Centres are updated incrementally during a pass and
// recomputed exactly as member means at the end. X is scaled and finite; centers (k x d) and
// labels (n) are a consistent solution, e.g. a converged Lloyd run. Returns the number of
// moves made; with no moves, centers and labels are left exactly as they were.
// Work is counted in row visits: every pass visits all n rows once (their distances to the
// pass's starting centres) and once more each row that the bounds cannot rule out (its exact
// costs). Once `max_work` visits are spent the refinement stops after the current row (the
// centres are then the means of the labels, but a label need not be its nearest centre);
// `work_done`, when given, receives the visits spent. Deterministic: the same input stops at the
// same row.
int64_t hartigan_refine(ConstRowMap X, RowMatrix& centers, std::vector<int32_t>& labels,
                        int32_t max_passes, const Interrupt& interrupt,
                        int64_t max_work = INT64_MAX, int64_t* work_done = nullptr);

}  // namespace cseg
