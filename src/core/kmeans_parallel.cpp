// k-means restarts on several threads (see kmeans_parallel.hpp).
#include "kmeans_parallel.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "kmeans_init.hpp"
#include "rng.hpp"

namespace cseg {

namespace {

// How often the calling thread polls the interrupt while it waits for the helpers.
constexpr std::chrono::milliseconds kPollEvery{20};

// Set by the calling thread when the helpers must stop (cancel or an error); the helpers'
// Interrupt reads it. One flag per process: g_run_mutex lets one parallel run use it at a
// time (a PostgreSQL backend never runs two; unit tests might).
std::atomic<bool> g_stop{false};
std::mutex g_run_mutex;

// The helpers' interrupt callback.
bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }

// True when kmeans_run would accept the arguments (otherwise it is called to throw).
bool arguments_usable(ConstRowMap X, int32_t k, const KMeansOptions& opts) {
    return k >= 1 && X.cols() >= 1 && X.rows() >= k && opts.n_init >= 1 && opts.max_iter >= 1 &&
           std::isfinite(opts.tol) && opts.tol >= 0.0;
}

// What the threads share: the next restart to run, the best run so far, the first error.
struct Shared {
    std::atomic<int32_t> next{0};
    std::mutex mutex;
    std::condition_variable helper_done;
    int32_t helpers_running = 0;
    bool cancelled = false;  // the calling thread saw a cancel
    KMeansRun best;
    int32_t best_restart = -1;
    std::exception_ptr error;
    int32_t error_restart = std::numeric_limits<int32_t>::max();
};

// Runs restarts until none is left or a stop is requested; results and errors go to `sh`.
// The calling thread passes the caller's interrupt (is_caller), helpers the stop flag.
void run_restarts(ConstRowMap X, int32_t k, const KMeansOptions& opts, double tol_abs,
                  LloydVariant variant, const Interrupt& interrupt, bool is_caller, Shared& sh) {
    for (;;) {
        if (g_stop.load()) return;
        const int32_t r = sh.next.fetch_add(1);
        if (r >= opts.n_init) return;
        try {
            KMeansRun run = kmeans_restart(X, k, opts, r, tol_abs, variant, interrupt);
            std::lock_guard<std::mutex> lock(sh.mutex);
            if (sh.best_restart < 0 || run.inertia < sh.best.inertia ||
                (run.inertia == sh.best.inertia && r < sh.best_restart)) {
                sh.best = std::move(run);
                sh.best_restart = r;
            }
        } catch (const Cancelled&) {
            // A helper only sees Cancelled because the flag is set: the caller knows why.
            if (is_caller) {
                std::lock_guard<std::mutex> lock(sh.mutex);
                sh.cancelled = true;
            }
            g_stop.store(true);
            return;
        } catch (...) {
            std::lock_guard<std::mutex> lock(sh.mutex);
            if (r < sh.error_restart) {
                sh.error = std::current_exception();
                sh.error_restart = r;
            }
            g_stop.store(true);
            return;
        }
    }
}

}  // namespace

// Helpers started with every signal blocked; the caller works too, then waits and polls.
KMeansRun kmeans_run_parallel(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                              const Interrupt& interrupt, int32_t threads) {
    if (threads <= 1 || opts.n_init <= 1 || !arguments_usable(X, k, opts))
        return kmeans_run(X, k, opts, interrupt);
    std::lock_guard<std::mutex> one_run(g_run_mutex);
    g_stop.store(false);
    const double tol_abs = kmeans_tolerance(X, opts.tol);
    const LloydVariant variant = choose_lloyd_variant(X.rows(), k, static_cast<int32_t>(X.cols()));
    const Interrupt helper_interrupt(stop_requested);
    Shared sh;

    std::vector<std::thread> helpers;
    const int32_t wanted = std::min(threads, opts.n_init) - 1;
    helpers.reserve(static_cast<size_t>(wanted));
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);  // inherited by every thread created below
    for (int32_t i = 0; i < wanted; ++i) {
        {
            std::lock_guard<std::mutex> lock(sh.mutex);
            ++sh.helpers_running;
        }
        try {
            helpers.emplace_back([&] {
                run_restarts(X, k, opts, tol_abs, variant, helper_interrupt, false, sh);
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

    run_restarts(X, k, opts, tol_abs, variant, interrupt, true, sh);
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
    return std::move(sh.best);
}

}  // namespace cseg
