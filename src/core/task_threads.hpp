// Independent tasks spread over threads inside a PostgreSQL backend: pure computation, safe
// there (STYLE.md, "No threads inside a backend unless..."):
//   - every signal is blocked in the helper threads (pthread_sigmask before they are created),
//     so PostgreSQL's handlers only ever run on the calling thread;
//   - only the calling thread polls `interrupt`; on a cancel it tells the helpers to stop (an
//     atomic flag their Interrupt reads), joins them and throws Cancelled;
//   - an exception in a helper is caught there and rethrown on the calling thread after the
//     join (the one of the lowest task index, so which error is reported is deterministic);
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

}  // namespace cseg
