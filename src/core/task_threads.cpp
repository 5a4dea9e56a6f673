// Tasks on threads (see task_threads.hpp).
#include "task_threads.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "errors.hpp"

namespace cseg {

namespace {

// How often the calling thread polls the interrupt while it waits for the helpers.
constexpr std::chrono::milliseconds kPollEvery{20};

// Set by the calling thread when the helpers must stop (a cancel). One run at a time per
// process uses these (g_run_mutex; a PostgreSQL backend never runs two, unit tests might).
std::atomic<bool> g_stop{false};
// The lowest index of a task that failed so far: tasks after it are not started, and the
// helpers running one are told to stop; tasks before it run to the end, so the error
// reported is always the lowest-indexed task's, as on one thread.
std::atomic<int32_t> g_first_error{std::numeric_limits<int32_t>::max()};
std::mutex g_run_mutex;
// The task a helper thread is running.
thread_local int32_t t_task = -1;

// The helpers' interrupt callback.
bool stop_requested() {
    return g_stop.load(std::memory_order_relaxed) ||
           t_task > g_first_error.load(std::memory_order_relaxed);
}

// What the threads share: the next task to run, and the first error (lowest task index).
struct Shared {
    std::atomic<int32_t> next{0};
    std::mutex mutex;
    std::condition_variable helper_done;
    int32_t helpers_running = 0;
    bool cancelled = false;  // the calling thread saw a cancel
    std::exception_ptr error;
    int32_t error_task = std::numeric_limits<int32_t>::max();
};

// Runs tasks until none is left or a stop is requested; errors go to `sh`. The calling thread
// passes the caller's interrupt (is_caller), helpers the stop flag.
void run_tasks(int32_t count, const Task& task, const Interrupt& interrupt, bool is_caller,
               Shared& sh) {
    for (;;) {
        if (g_stop.load()) return;
        const int32_t i = sh.next.fetch_add(1);
        if (i >= count || i > g_first_error.load()) return;
        t_task = i;
        try {
            task(i, interrupt);
        } catch (const Cancelled&) {
            // A helper only sees Cancelled because it was told to stop: the caller knows why.
            if (is_caller) {
                std::lock_guard<std::mutex> lock(sh.mutex);
                sh.cancelled = true;
                g_stop.store(true);
            }
            return;
        } catch (...) {
            std::lock_guard<std::mutex> lock(sh.mutex);
            if (i < sh.error_task) {
                sh.error = std::current_exception();
                sh.error_task = i;
                g_first_error.store(i);
            }
            return;
        }
    }
}

}  // namespace

// Helpers are started with every signal blocked; the caller works too, then waits for them
// and polls its interrupt.
void run_tasks_on_threads(int32_t count, const Task& task, const Interrupt& interrupt,
                          int32_t threads) {
    const int32_t wanted = std::min(threads, count) - 1;
    if (wanted <= 0) {
        for (int32_t i = 0; i < count; ++i) task(i, interrupt);
        return;
    }
    std::lock_guard<std::mutex> one_run(g_run_mutex);
    g_stop.store(false);
    g_first_error.store(std::numeric_limits<int32_t>::max());
    const Interrupt helper_interrupt(stop_requested);
    Shared sh;

    std::vector<std::thread> helpers;
    helpers.reserve(static_cast<size_t>(wanted));
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);  // inherited by every thread created below
    for (int32_t h = 0; h < wanted; ++h) {
        {
            std::lock_guard<std::mutex> lock(sh.mutex);
            ++sh.helpers_running;
        }
        try {
            helpers.emplace_back([&] {
                run_tasks(count, task, helper_interrupt, false, sh);
                std::lock_guard<std::mutex> lock(sh.mutex);
                --sh.helpers_running;
                sh.helper_done.notify_all();
            });
        } catch (...) {  // no thread: the ones already running and the caller do the work
            std::lock_guard<std::mutex> lock(sh.mutex);
            --sh.helpers_running;
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);

    run_tasks(count, task, interrupt, true, sh);
    {
        std::unique_lock<std::mutex> lock(sh.mutex);
        while (sh.helpers_running > 0) {
            sh.helper_done.wait_for(lock, kPollEvery);
            if (sh.cancelled) continue;
            try {
                interrupt.poll();
            } catch (const Cancelled&) {
                sh.cancelled = true;
                g_stop.store(true);
            }
        }
    }
    for (std::thread& t : helpers) t.join();
    if (sh.cancelled) throw Cancelled{};
    if (sh.error) std::rethrow_exception(sh.error);
}

// In order, on this thread.
void run_tasks_serially(int32_t count, const Task& task, const Interrupt& interrupt) {
    for (int32_t i = 0; i < count; ++i) task(i, interrupt);
}

// Binds the thread count.
TaskRunner threads_runner(int32_t threads) {
    if (threads <= 1) return run_tasks_serially;
    return [threads](int32_t count, const Task& task, const Interrupt& caller) {
        run_tasks_on_threads(count, task, caller, threads);
    };
}

}  // namespace cseg
