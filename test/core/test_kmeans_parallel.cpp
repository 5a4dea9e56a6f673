// k-means restarts on threads: bit-identical to kmeans_run, cancellable from the calling thread
// only, errors rethrown there, and signals never delivered to a helper thread.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "kmeans.hpp"
#include "kmeans_init.hpp"
#include "kmeans_parallel.hpp"
#include "rng.hpp"
#include "test_rows.hpp"

namespace {

using cseg::ConstRowMap;
using cseg::KMeansOptions;
using cseg::KMeansRun;
using cseg::RowMatrix;

using cseg::test::expect_identical;

// n rows of d features around `groups` centres (uniform noise, deterministic).
RowMatrix blobs(int64_t n, int32_t d, int32_t groups, uint64_t seed) {
    return cseg::test::uniform_groups(n, d, groups, 10.0, seed);
}

std::atomic<int> g_polls{0};
// Reports a cancel from the 40th poll on.
bool cancel_after_some_polls() { return ++g_polls >= 40; }

std::atomic<bool> g_signal_on_helper{false};
std::atomic<int> g_signals{0};
pthread_t g_caller;
// SIGUSR1 handler: notes whether it ran on a thread other than the caller.
void note_signal(int) {
    if (!pthread_equal(pthread_self(), g_caller)) g_signal_on_helper = true;
    ++g_signals;
}

}  // namespace

TEST(KMeansParallel, IdenticalToTheSerialRunForAnyThreadCount) {
    const RowMatrix X = blobs(20000, 5, 7, 11);
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    for (cseg::InitMethod init : {cseg::InitMethod::KMeansPlusPlus, cseg::InitMethod::Random}) {
        KMeansOptions opts;
        opts.n_init = 7;
        opts.seed = 3;
        opts.init = init;
        const KMeansRun serial = cseg::kmeans_run(map, 6, opts, cseg::Interrupt());
        for (int32_t threads : {1, 2, 3, 16}) {
            SCOPED_TRACE(threads);
            expect_identical(serial,
                             cseg::kmeans_run_parallel(map, 6, opts, cseg::Interrupt(), threads));
        }
    }
}

TEST(KMeansParallel, OneRestartScoresItsSeedingOnThreadsWithTheSerialResult) {
    // More rows than two k-means++ potential blocks, so the blocks really spread.
    const RowMatrix X = blobs(2 * cseg::kTaskBlockRows + 12345, 4, 9, 5);
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    for (int32_t k : {1, 2, 9, 40}) {
        SCOPED_TRACE(k);
        cseg::Rng a(17), b(17);
        const std::vector<int64_t> serial = cseg::kmeans_plusplus(map, k, a, cseg::Interrupt());
        EXPECT_EQ(serial, cseg::kmeans_plusplus(map, k, b, cseg::Interrupt(),
                                                cseg::threads_runner(3)));
    }
    KMeansOptions opts;
    opts.n_init = 1;
    opts.seed = 8;
    const KMeansRun serial = cseg::kmeans_run(map, 9, opts, cseg::Interrupt());
    for (int32_t threads : {2, 5}) {
        SCOPED_TRACE(threads);
        expect_identical(serial,
                         cseg::kmeans_run_parallel(map, 9, opts, cseg::Interrupt(), threads));
    }
}

TEST(KMeansParallel, EachRestartIsTheSerialRestart) {
    // The winner of n_init restarts is the best refined finalist, ties to the first; each
    // finalist is exactly kmeans_restart's result for its restart.
    const RowMatrix X = blobs(5000, 3, 5, 2);
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    KMeansOptions opts;
    opts.n_init = 4;
    const double tol = cseg::kmeans_tolerance(map, opts.tol);
    const cseg::LloydVariant v = cseg::choose_lloyd_variant(X.rows(), 4, 3);
    KMeansOptions lloyd_only = opts;
    lloyd_only.refine = cseg::RefineMethod::None;
    std::vector<double> lloyd_inertia;
    for (int32_t r = 0; r < opts.n_init; ++r)
        lloyd_inertia.push_back(
            cseg::kmeans_restart(map, 4, lloyd_only, r, tol, v, cseg::Interrupt()).inertia);
    KMeansRun best;
    bool first = true;
    for (int32_t r : cseg::kmeans_finalists(lloyd_inertia, opts.refine)) {
        KMeansRun run = cseg::kmeans_restart(map, 4, opts, r, tol, v, cseg::Interrupt());
        if (first || run.inertia < best.inertia) best = std::move(run);
        first = false;
    }
    expect_identical(best, cseg::kmeans_run(map, 4, opts, cseg::Interrupt()));
    expect_identical(best, cseg::kmeans_run_parallel(map, 4, opts, cseg::Interrupt(), 2));
}

TEST(KMeansParallel, CancelFromTheCallerStopsEveryThread) {
    const RowMatrix X = blobs(200000, 4, 8, 5);
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    KMeansOptions opts;
    opts.n_init = 50;
    g_polls = 0;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(
        cseg::kmeans_run_parallel(map, 8, opts, cseg::Interrupt(cancel_after_some_polls), 2),
        cseg::Cancelled);
    // 50 restarts take far longer than a cancelled run.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    // Nothing left running: a second run works and matches the serial one.
    opts.n_init = 3;
    expect_identical(cseg::kmeans_run(map, 8, opts, cseg::Interrupt()),
                     cseg::kmeans_run_parallel(map, 8, opts, cseg::Interrupt(), 2));
}

TEST(KMeansParallel, ErrorsAreThoseOfTheSerialRun) {
    const RowMatrix X = blobs(10, 2, 2, 1);
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    KMeansOptions opts;
    EXPECT_THROW(cseg::kmeans_run_parallel(map, 11, opts, cseg::Interrupt(), 2), cseg::Error);
    opts.max_iter = 0;
    EXPECT_THROW(cseg::kmeans_run_parallel(map, 2, opts, cseg::Interrupt(), 2), cseg::Error);
}

TEST(KMeansParallel, SignalsReachOnlyTheCallingThread) {
    const RowMatrix X = blobs(200000, 4, 8, 9);
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    KMeansOptions opts;
    opts.n_init = 6;
    struct sigaction sa {
    }, old_sa{};
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old_sa));
    g_caller = pthread_self();
    g_signal_on_helper = false;
    g_signals = 0;
    std::atomic<bool> running{true};
    // A process-directed signal goes to any thread that does not block it: only the caller.
    sigset_t usr1, old_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);
    std::thread sender([&] {
        while (running) {
            kill(getpid(), SIGUSR1);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    const KMeansRun run = cseg::kmeans_run_parallel(map, 8, opts, cseg::Interrupt(), 2);
    running = false;
    sender.join();
    sigaction(SIGUSR1, &old_sa, nullptr);
    EXPECT_GT(g_signals.load(), 0);
    EXPECT_FALSE(g_signal_on_helper.load());
    EXPECT_EQ(run.labels.size(), 200000u);
}
