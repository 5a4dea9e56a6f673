// Initial centres for k-means: greedy k-means++ and "random" (k distinct rows), seeded.
#pragma once

#include <cstdint>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "rng.hpp"
#include "task_threads.hpp"

namespace cseg {

// Number of candidates k-means++ tries per centre: 2 + floor(ln k), scikit-learn's default.
int32_t kmeans_plusplus_trials(int32_t k);

// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the greedy local trials of
// scikit-learn's _kmeans_plusplus): the first centre is a uniform row; each further centre is
// the best, by resulting potential (sum of squared distances to the nearest centre), of
// kmeans_plusplus_trials(k) rows drawn with probability proportional to their squared distance
// to the nearest centre so far. Returns the k chosen row indices. 1 <= k <= X.rows().
// The candidates' potentials are summed in blocks of kTaskBlockRows rows, the blocks added in
// order (so up to kTaskBlockRows rows the sums are plain running sums); `runner` scores the
// blocks, on threads if it likes: the picks do not depend on it.
std::vector<int64_t> kmeans_plusplus(ConstRowMap X, int32_t k, Rng& rng,
                                     const Interrupt& interrupt,
                                     const TaskRunner& runner = run_tasks_serially);


// scikit-learn's init="random": the first k entries of a uniform random permutation of the
// row indices (k distinct rows). 1 <= k <= n.
std::vector<int64_t> random_rows(int64_t n, int32_t k, Rng& rng);

// The rows of X at the given indices, as a centre matrix.
RowMatrix gather_rows(ConstRowMap X, const std::vector<int64_t>& indices);

}  // namespace cseg
