// Canonical row order: fitting on the same multiset of rows gives the same model however
// the table was scanned (parallel workers, updates and VACUUM FULL all reorder rows).
#pragma once

#include <cstdint>

#include "interrupt.hpp"
#include "task_threads.hpp"

namespace cseg {

// Sorts n rows of d doubles (and the optional parallel int32 labels) in place into
// lexicographic order of their values (a total order: -0 < +0, NaN last), identical rows by
// label, so the result depends only on the multiset of (row, label) pairs. O(n) extra memory
// is never needed: O(2^11) per radix level plus a short segment (see row_order.cpp).
// The buckets of the first radix pass are sorted as `runner`'s tasks (on threads if it
// likes); the result does not depend on it.
void sort_rows(double* data, int32_t* labels, int64_t n, int32_t d,
               const Interrupt& interrupt = Interrupt(),
               const TaskRunner& runner = run_tasks_serially);

// Sorts n doubles ascending in the same total order (-0 < +0, NaN last): a least-significant-
// digit radix sort on their integer keys (11-bit digits, a digit all values share skipped)
// for n >= kRadixSortMin, std::sort below. Needs n more doubles of scratch (radix_sort_bytes).
constexpr int64_t kRadixSortMin = 2048;
void sort_values(double* v, int64_t n, const Interrupt& interrupt = Interrupt());
// The scratch bytes sort_values allocates for n values.
inline double radix_sort_bytes(int64_t n) { return n >= kRadixSortMin ? 8.0 * double(n) : 0.0; }

}  // namespace cseg
