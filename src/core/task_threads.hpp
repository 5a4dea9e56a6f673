// Independent tasks spread over threads inside a PostgreSQL backend: pure computation, safe
// there (STYLE.md, "No threads inside a backend unless..."):
//   - every signal is blocked in the helper threads (pthread_sigmask before they are created),
//     so PostgreSQL's handlers only ever run on the calling thread;
//   - only the calling thread polls `interrupt`; on a cancel it tells the helpers to stop (an
//     atomic flag their Interrupt reads), joins them and throws Cancelled;
//   - an exception in a task is caught and rethrown on the calling thread after the join;
//     tasks after a failed one are stopped or not started, tasks before it run to the end,
//     so the error reported is the lowest-indexed task's, the one a serial run reports;
//   - helpers allocate with operator new only (the C++ heap, not palloc) and touch nothing but
//     what the task gives them.
// Results do not depend on the threads when each task writes only its own slot.
#pragma once

#include <cstdint>
#include <functional>

#include "interrupt.hpp"

namespace cseg {

// A unit of work, given the interrupt to poll (the caller's, or the helpers' stop flag).
using Task = std::function<void(int32_t index, const Interrupt& interrupt)>;
// Runs task(i, ...) once for every i in 0 .. count-1, in any order and on any threads, and
// returns when all are done; rethrows what a task threw. The interrupt is the caller's.
using TaskRunner = std::function<void(int32_t count, const Task& task, const Interrupt& interrupt)>;

// Runs the tasks in order on the calling thread.
void run_tasks_serially(int32_t count, const Task& task, const Interrupt& interrupt);

// Runs the tasks on min(threads, count) threads, the calling thread included; when a helper
// thread cannot be created, the threads already running do its share. Not reentrant: a task
// must not run tasks on threads itself (one run at a time per process).
void run_tasks_on_threads(int32_t count, const Task& task, const Interrupt& interrupt,
                          int32_t threads);

// A runner for run_tasks_on_threads with `threads` threads (serial for threads <= 1).
TaskRunner threads_runner(int32_t threads);

// Rows per task of a pass that is split into blocks (k-means++ scoring, Lloyd's assignment):
// sums over the rows are formed per block and the blocks' sums added in block order, so a
// result does not depend on the threads, and up to this many rows equals a plain running sum.
constexpr int64_t kTaskBlockRows = int64_t{1} << 16;

// The number of blocks of kTaskBlockRows rows that n rows make.
inline int32_t task_blocks(int64_t n) {
    return static_cast<int32_t>((n + kTaskBlockRows - 1) / kTaskBlockRows);
}
// The first row of block b, and the row after its last (of n rows).
inline int64_t task_block_begin(int32_t b) { return int64_t{b} * kTaskBlockRows; }
inline int64_t task_block_end(int32_t b, int64_t n) {
    return n < task_block_begin(b) + kTaskBlockRows ? n : task_block_begin(b) + kTaskBlockRows;
}

// Rows [0, n) in blocks of `rows` rows, the last shorter: one runner task a block, for passes
// whose blocks are not kTaskBlockRows long (fixed numbers all the same, so no result depends
// on the threads).
struct RowBlocks {
    int64_t n, rows;
    int32_t count() const { return static_cast<int32_t>((n + rows - 1) / rows); }
    int64_t begin(int32_t b) const { return int64_t{b} * rows; }
    int64_t end(int32_t b) const { return n < begin(b) + rows ? n : begin(b) + rows; }
};

}  // namespace cseg
