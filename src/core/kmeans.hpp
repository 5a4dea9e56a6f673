// K-means on already scaled, finite rows: scikit-learn's KMeans (Lloyd's algorithm, greedy
// k-means++ or random seeding, n_init restarts, its tol and empty-cluster rules), with the
// assignment step accelerated by Hamerly's (2010) or Elkan's (2003) triangle-inequality
// bounds. The bounds only skip distance computations whose outcome they have proven, so every
// variant produces exactly the labels and centres of plain Lloyd, iteration by iteration.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "model.hpp"
#include "task_threads.hpp"

namespace cseg {

// The result of k-means: centres in the input space, one label per row, inertia (sum of
// squared distances to the own centre) and Lloyd iterations, all of the winning restart.
struct KMeansRun {
    RowMatrix centers;            // k x dims
    std::vector<int32_t> labels;  // n, in 0 .. k-1
    double inertia = 0.0;
    int32_t n_iter = 0;
    int64_t distances = 0;  // row-centre distances Lloyd computed (its work; 0 if not counted)
};

// How the Lloyd assignment step is computed. All give identical results; Auto picks the
// fastest by the measured rule of choose_lloyd_variant.
enum class LloydVariant : uint8_t { Auto = 0, Plain = 1, Hamerly = 2, Elkan = 3 };

// The variant Auto uses for n rows, k centres and dims features (never Auto or Plain).
// Plain Lloyd up to this many centres (measured: choose_lloyd_variant in kmeans.cpp).
constexpr int32_t kPlainMaxCenters = 16;
LloydVariant choose_lloyd_variant(int64_t n, int32_t k, int32_t dims);

// scikit-learn's _tolerance: tol times the mean over features of the population variance of
// X's columns (0 when tol is 0). The column sums are formed per block of kTaskBlockRows rows
// on `runner` and added in block order.
double kmeans_tolerance(ConstRowMap X, double tol, const TaskRunner& runner = run_tasks_serially);

// Called after each Lloyd iteration of kmeans_single with the iteration number (0-based),
// the labels assigned in it and the centres updated from them; for tests.
using LloydObserver = std::function<void(int32_t iteration, const std::vector<int32_t>& labels,
                                         const RowMatrix& centers)>;

// One k-means run from the given initial centres (scikit-learn's _kmeans_single_lloyd):
// iterate assignment + update until the labels no longer change (strict convergence), the
// total squared centre shift is <= tol_abs, or max_iter iterations; unless the convergence was
// strict, a final assignment makes the labels match the returned centres. n_iter counts the
// iterations as scikit-learn's n_iter_. Throws Cancelled through interrupt.
KMeansRun kmeans_single(ConstRowMap X, const RowMatrix& initial_centers, int32_t max_iter,
                        double tol_abs, LloydVariant variant, const Interrupt& interrupt,
                        const LloydObserver& observer = {});

// The full k-means of kmeans_fit on scaled, finite rows. Restart r is seeded with
// Rng::for_stream(opts.seed, r) by opts.init and run by Lloyd with kmeans_tolerance(X, opts.tol).
//  - n_init > 1 on many rows (kmeans_compete_rows(n, k, n_init) = m > 0): the restarts compete
//    on a seeded uniform sample of m rows (Bradley & Fayyad 1998, "Refining initial points for
//    k-means clustering"); the restart with the lowest sample inertia (ties: the earliest)
//    goes on, from its sample centres, with Lloyd on all rows;
//  - otherwise every restart runs on all rows and the finalists (kmeans_finalists) go on: with
//    opts.refine = hartigan every restart whose Lloyd inertia is within kRefineMargin of the
//    lowest, without refinement the lowest alone.
// With opts.refine = hartigan the finalists are refined (refine_budget bounds the work of each)
// and the lowest final inertia wins, ties going to the earliest restart. Refining only the
// finalists keeps the refinement cheap: a restart stuck in a poor local minimum (on the 1M-row
// blobs, 76 % above the best) would spend most of the time in Hartigan passes that cannot
// make it win. opts.scale, missing and feature_names are not used here.
// Throws Error(InvalidParameter) for k < 1 or bad n_init/max_iter/tol, Error(DataException)
// for fewer rows than k.
KMeansRun kmeans_run(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                     const Interrupt& interrupt);

// Relative inertia margin of the refinement finalists.
constexpr double kRefineMargin = 0.05;
// Restarts whose Lloyd inertia is within this relative distance of a finalist's are taken to
// have reached the same local minimum, and only the first of them is refined. (Runs of one
// partition have bit-identical inertia; on the 1M-row benchmark every good restart lands
// within 4e-9 of the others and all refine to the same inertia.)
constexpr double kSameMinimum = 1e-8;

// The refinement budget, in row visits (a row's distances to all k centres; a Hartigan pass
// is n visits plus one per row its bounds cannot rule out, a plain Lloyd pass n, a Hamerly or
// Elkan pass its distances computed / k, which its bounds keep far below n on later
// iterations): kRefineShare of the Lloyd visits the fit has spent so far (every restart's,
// sample ones included; without a sample, the restarts' iterations times n), but at least
// kRefineFloor, so
// that small tables (a few thousand rows) are refined to convergence as before. Measured in
// docs/performance.md: on 1M-row overlapping or heavy-tailed data unbounded refinement cost
// 4-5x the Lloyd work for an inertia 1e-5 lower.
constexpr double kRefineShare = 0.05;
constexpr int64_t kRefineFloor = int64_t{1} << 20;
int64_t refine_budget(int64_t lloyd_visits);

// Sample rows the restarts compete on: max(kCompeteMinRows, kCompeteRowsPerCenter * k,
// n / kCompeteDivisor), or 0 (no sample: every restart on all rows) when n_init is 1 or the
// sample would exceed a quarter of the rows.
constexpr int64_t kCompeteMinRows = 16384;
constexpr int64_t kCompeteRowsPerCenter = 512;
constexpr int64_t kCompeteDivisor = 16;
// Restarts with the lowest sample inertia that go on to all rows (side by side on the threads);
// the lowest inertia on all rows wins (ties: the better sample inertia).
constexpr int32_t kCompeteFinalists = 2;
int64_t kmeans_compete_rows(int64_t n, int32_t k, int32_t n_init);

// The seeded uniform sample of m of n row numbers (ascending) the restarts compete on: stream
// kCompeteStream of opts.seed (Knuth's selection sampling, Algorithm S).
constexpr uint64_t kCompeteStream = 0x73616d706c65ULL;  // "sample"
std::vector<int64_t> kmeans_compete_sample(int64_t n, int64_t m, uint64_t seed);

// How kmeans_run spends its work; the defaults are kmeans_run's, tests vary them.
struct KMeansTuning {
    int64_t compete_rows = -1;            // -1: kmeans_compete_rows; 0: no sample
    int32_t compete_finalists = kCompeteFinalists;  // restarts going on to all rows
    double refine_share = kRefineShare;   // < 0: unbounded refinement (as before the budget)
    int64_t refine_floor = kRefineFloor;
};

// The restarts that go on to phase 2 of kmeans_run without a sample, ascending, given every
// restart's Lloyd inertia: the lowest (ties: the earliest) and, with refine = hartigan, every
// restart within kRefineMargin of it, except those within kSameMinimum of a finalist kept
// before them (in order of inertia, then restart).
std::vector<int32_t> kmeans_finalists(const std::vector<double>& lloyd_inertia,
                                      RefineMethod refine);

// A unit of kmeans_run's work (a restart, a finalist, a block of rows), and what runs them
// (task_threads.hpp).
using KMeansTask = Task;
using KMeansTaskRunner = TaskRunner;

// kmeans_run with its restarts and finalists executed by `runner` (kmeans_parallel.hpp
// spreads them over threads); the result does not depend on the runner.
KMeansRun kmeans_run_tasks(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                           const Interrupt& interrupt, LloydVariant variant,
                           const KMeansTaskRunner& runner, const KMeansTuning& tuning = {});

// One restart of kmeans_run on all rows: initial centres from Rng::for_stream(opts.seed,
// restart) by opts.init, then Lloyd's iterations (absolute tolerance tol_abs) and, with
// opts.refine = hartigan, rounds of Hartigan's single-point moves followed by Lloyd again
// until no move lowers the inertia (src/core/kmeans_hartigan.hpp) or the budget
// (refine_budget of this restart's Lloyd visits, as tuned) is spent; opts.max_iter bounds the
// Lloyd iterations of all rounds together. `runner` runs k-means++'s and Lloyd's blocks.
KMeansRun kmeans_restart(ConstRowMap X, int32_t k, const KMeansOptions& opts, int32_t restart,
                         double tol_abs, LloydVariant variant, const Interrupt& interrupt,
                         const TaskRunner& runner = run_tasks_serially,
                         const KMeansTuning& tuning = {});

// kmeans_run with an explicit assignment variant (tests and benchmarks).
KMeansRun kmeans_run(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                     const Interrupt& interrupt, LloydVariant variant);

}  // namespace cseg
