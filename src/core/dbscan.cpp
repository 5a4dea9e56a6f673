// Exact DBSCAN over a nanoflann k-d tree (Blanco & Rai, nanoflann; Debian's libnanoflann-dev).
#include "dbscan.hpp"

#include <nanoflann.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>

#include "kneedle.hpp"
#include "pca.hpp"

namespace cseg {

namespace {

// nanoflann's view of n x d row-major doubles.
struct RowsAdaptor {
    const double* data;
    int64_t n;
    int32_t d;
    size_t kdtree_get_point_count() const { return size_t(n); }
    double kdtree_get_pt(size_t idx, size_t dim) const { return data[idx * size_t(d) + dim]; }
    template <class BBox>
    bool kdtree_get_bbox(BBox&) const {
        return false;
    }
};

using KdTree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, RowsAdaptor>,
                                                   RowsAdaptor, -1, size_t>;

// A k-d tree over rows that it does not own.
struct Tree {
    RowsAdaptor rows;
    KdTree index;
    Tree(const double* data, int64_t n, int32_t d)
        : rows{data, n, d},
          index(size_t(d), rows, nanoflann::KDTreeSingleIndexAdaptorParams(16)) {}
};

// The pruning radius handed to nanoflann for a squared radius r2: a hair above it, so that
// nanoflann's strict comparisons and its rounding of bounds never drop a row at distance
// exactly eps; the result sets below then test dist <= r2 themselves.
double search_bound(double r2) { return r2 * (1.0 + 1e-9) + 1e-300; }

// Counts the rows within a squared radius.
struct CountWithin {
    double r2, bound;
    int64_t count = 0;
    bool full() const { return true; }
    double worstDist() const { return bound; }
    bool addPoint(double dist, size_t) {
        if (dist <= r2) ++count;
        return true;
    }
};

// Collects the rows within a squared radius.
struct CollectWithin {
    double r2, bound;
    std::vector<size_t>* out;
    bool full() const { return true; }
    double worstDist() const { return bound; }
    bool addPoint(double dist, size_t index) {
        if (dist <= r2) out->push_back(index);
        return true;
    }
};

// The nearest row within a squared radius, ties to the lowest index.
struct NearestWithin {
    double bound = 0.0;
    double best = std::numeric_limits<double>::infinity();
    size_t best_index = std::numeric_limits<size_t>::max();
    double r2 = 0.0;
    bool full() const { return true; }
    double worstDist() const {
        return best_index == std::numeric_limits<size_t>::max()
                   ? bound
                   : std::nextafter(best, std::numeric_limits<double>::infinity());
    }
    bool addPoint(double dist, size_t index) {
        if (dist <= r2 && (dist < best || (dist == best && index < best_index))) {
            best = dist;
            best_index = index;
        }
        return true;
    }
};

// Throws unless eps and min_samples are usable.
void check_parameters(double eps, int32_t min_samples) {
    if (!(std::isfinite(eps) && eps > 0.0))
        throw Error(ErrorKind::InvalidParameter, "dbscan_fit: eps must be a finite number > 0");
    if (min_samples < 1)
        throw Error(ErrorKind::InvalidParameter,
                    "dbscan_fit: min_samples must be at least 1, got " +
                        std::to_string(min_samples));
}

// A nanoflann tree over n rows: its index (n size_t) and at most 2n - 1 nodes of the pool
// (a node: two children, a split or a leaf range; 48 bytes with the pool's slack), its box.
double tree_bytes(double n, double d) { return 8.0 * n + 2.0 * n * 48.0 + 16.0 * d + 16384.0; }

// Rows per task of the searching passes: small enough that two or three threads share
// the work evenly (each row's search is independent, so results do not depend on it).
constexpr int64_t kSearchTaskRows = 4096;


// Connected components of the core rows, shared by threads: union-find whose roots are
// always the lowest row of their set (a root is only ever linked under a lower one), so the
// sets and their roots do not depend on the order the unions come in.
class CoreComponents {
public:
    explicit CoreComponents(int64_t n) : parent_(size_t(n)) {
        for (int64_t i = 0; i < n; ++i) parent_[size_t(i)].store(i, std::memory_order_relaxed);
    }
    // The root of i's set (path halving; a racing update only shortens a path).
    int64_t find(int64_t i) {
        for (;;) {
            const int64_t p = parent_[size_t(i)].load(std::memory_order_acquire);
            if (p == i) return i;
            const int64_t g = parent_[size_t(p)].load(std::memory_order_acquire);
            if (g != p) {
                int64_t expected = p;
                parent_[size_t(i)].compare_exchange_weak(expected, g, std::memory_order_acq_rel);
            }
            i = g;
        }
    }
    // Joins the sets of a and b: the higher root goes under the lower.
    void unite(int64_t a, int64_t b) {
        for (;;) {
            a = find(a);
            b = find(b);
            if (a == b) return;
            if (a < b) std::swap(a, b);
            int64_t expected = a;
            if (parent_[size_t(a)].compare_exchange_strong(expected, b,
                                                           std::memory_order_acq_rel))
                return;
        }
    }

private:
    std::vector<std::atomic<int64_t>> parent_;
};

// body(i) for every row, in the tasks on runner, polling before each row: with a wide eps one
// search visits every row.
template <class Body>
void for_each_row(const RowBlocks& tasks, const TaskRunner& runner, const Interrupt& interrupt,
                  const Body& body) {
    runner(
        tasks.count(),
        [&](int32_t b, const Interrupt& intr) {
            const int64_t hi = tasks.end(b);
            for (int64_t i = tasks.begin(b); i < hi; ++i) {
                intr.poll();
                body(i);
            }
        },
        interrupt);
}

}  // namespace

// Vectors grown by push_back count twice their size (their capacity at most doubles).
double dbscan_fit_bytes(int64_t rows, int32_t dims, int32_t threads) {
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    const double d = std::max(dims, 1);
    const double t = std::max(threads, 1);
    const double run = 4.0 * n + n;                         // labels, is_core
    const double search = tree_bytes(n, d)                  // the rows' tree
                          + 8.0 * n + t * 2.0 * 8.0 * n     // union-find, found per task
                          + 2.0 * 8.0 * n * d + 2.0 * 4.0 * n  // core_points, core_labels
                          + 8.0 * n * d + 4.0 * n + tree_bytes(n, d);  // DbscanCoreIndex
    // model_dbscan's fit: centres (at most n clusters), counts, core points and clusters
    // grown, copied into the kind arrays, the labels' copy; then the encoded model.
    const double model = 8.0 * n * d + 8.0 * n + 2.0 * (8.0 * n * d + 8.0 * n) +
                         (8.0 * n * d + 8.0 * n) + 4.0 * n + (8.0 * n * d + 8.0 * n);
    // Before all of it, the fit pipeline's principal components (pca.hpp).
    return std::max(run + std::max(search, model), projection_fit_bytes(rows, dims, threads)) +
           4.0 * n + 256.0 * 1024 + 64.0 * 1024;
}

// The rows' tree, the n distances, their x positions and Kneedle's normalised curves, m
// neighbours per running block.
double dbscan_choice_bytes(int64_t rows, int32_t dims, int32_t m, int32_t threads) {
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    return tree_bytes(n, std::max(dims, 1)) + 6.0 * 8.0 * n +  // with Kneedle's arrays
           std::max(threads, 1) * 16.0 * std::max(m, 1) + 64.0 * 1024;
}

struct DbscanCoreIndex::Impl {
    std::vector<double> points;
    std::vector<int32_t> labels;
    double eps2;
    std::unique_ptr<Tree> tree;
};

DbscanCoreIndex::DbscanCoreIndex(const double* core_points, const int32_t* core_labels,
                                 int64_t m, int32_t d, double eps)
    : impl_(new Impl) {
    impl_->points.assign(core_points, core_points + m * d);
    impl_->labels.assign(core_labels, core_labels + m);
    impl_->eps2 = eps * eps;
    if (m > 0) impl_->tree.reset(new Tree(impl_->points.data(), m, d));
}

DbscanCoreIndex::~DbscanCoreIndex() = default;

int32_t DbscanCoreIndex::assign(const double* x, double* distance2) const {
    if (!impl_->tree) {
        if (distance2 != nullptr) *distance2 = std::numeric_limits<double>::infinity();
        return -1;
    }
    NearestWithin r;
    r.bound = search_bound(impl_->eps2);
    r.r2 = impl_->eps2;
    impl_->tree->index.findNeighbors(r, x, nanoflann::SearchParams());
    if (distance2 != nullptr) *distance2 = r.best;
    return r.best_index == std::numeric_limits<size_t>::max() ? -1 : impl_->labels[r.best_index];
}

DbscanRun dbscan_run(ConstRowMap X, double eps, int32_t min_samples, const Interrupt& interrupt,
                     const TaskRunner& runner) {
    check_parameters(eps, min_samples);
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    DbscanRun run;
    run.labels.assign(size_t(n), -1);
    run.is_core.assign(size_t(n), 0);
    if (n == 0) return run;
    const double r2 = eps * eps;
    const Tree tree(X.data(), n, d);
    interrupt.poll();

    const RowBlocks tasks{n, kSearchTaskRows};
    // Pass 1: neighbour counts (the row itself included), in tasks.
    for_each_row(tasks, runner, interrupt, [&](int64_t i) {
        CountWithin c{r2, search_bound(r2)};
        tree.index.findNeighbors(c, X.row(i).data(), nanoflann::SearchParams());
        run.is_core[size_t(i)] = c.count >= min_samples ? 1 : 0;
    });

    // Pass 2: connected components of the core rows (core rows within eps of each other),
    // searched in tasks; clusters numbered by their lowest core row, ascending.
    CoreComponents components(n);
    runner(
        tasks.count(),
        [&](int32_t b, const Interrupt& intr) {
            std::vector<size_t> found;
            const int64_t hi = tasks.end(b);
            for (int64_t i = tasks.begin(b); i < hi; ++i) {
                intr.poll();  // every row: with a wide eps one search visits every row
                if (!run.is_core[size_t(i)]) continue;
                found.clear();
                CollectWithin c{r2, search_bound(r2), &found};
                tree.index.findNeighbors(c, X.row(i).data(), nanoflann::SearchParams());
                for (size_t q : found)
                    if (int64_t(q) < i && run.is_core[q]) components.unite(i, int64_t(q));
            }
        },
        interrupt);
    for (int64_t i = 0; i < n; ++i) {
        if (!run.is_core[size_t(i)]) continue;
        const int64_t root = components.find(i);
        run.labels[size_t(i)] = root == i ? run.n_clusters++ : run.labels[size_t(root)];
    }

    // Pass 3: border rows join the cluster of their nearest core row within eps.
    std::vector<double> core_points;
    std::vector<int32_t> core_labels;
    for (int64_t i = 0; i < n; ++i) {
        if (!run.is_core[size_t(i)]) continue;
        core_points.insert(core_points.end(), X.row(i).data(), X.row(i).data() + d);
        core_labels.push_back(run.labels[size_t(i)]);
    }
    const DbscanCoreIndex cores(core_points.data(), core_labels.data(),
                                static_cast<int64_t>(core_labels.size()), d, eps);
    for_each_row(tasks, runner, interrupt, [&](int64_t i) {
        if (!run.is_core[size_t(i)]) run.labels[size_t(i)] = cores.assign(X.row(i).data());
    });
    return run;
}

std::vector<double> k_distances(ConstRowMap X, int32_t m, const Interrupt& interrupt,
                                const TaskRunner& runner) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    if (m < 1 || m > n)
        throw Error(ErrorKind::InvalidParameter,
                    "k-distance: min_samples must be between 1 and the number of rows");
    std::vector<double> out(size_t(n), 0.0);
    const Tree tree(X.data(), n, d);
    runner(
        task_blocks(n),
        [&](int32_t b, const Interrupt& intr) {
            std::vector<size_t> idx(static_cast<size_t>(m));
            std::vector<double> dist(static_cast<size_t>(m));
            const int64_t hi = task_block_end(b, n);
            for (int64_t i = task_block_begin(b); i < hi; ++i) {
                intr.poll();  // every row, as the passes of dbscan_run
                nanoflann::KNNResultSet<double, size_t> r(static_cast<size_t>(m));
                r.init(idx.data(), dist.data());
                tree.index.findNeighbors(r, X.row(i).data(), nanoflann::SearchParams());
                out[size_t(i)] = std::sqrt(dist[static_cast<size_t>(m) - 1]);
            }
        },
        interrupt);
    std::sort(out.begin(), out.end());
    return out;
}

DbscanChoice dbscan_default_parameters(ConstRowMap X, const Interrupt& interrupt,
                                       const TaskRunner& runner) {
    const int64_t n = X.rows();
    if (n < 1) throw Error(ErrorKind::DataException, "dbscan: no rows");
    int64_t m = std::max<int64_t>(3, 2 * X.cols());
    m = std::min<int64_t>(m, n);
    const std::vector<double> kd = k_distances(X, static_cast<int32_t>(m), interrupt, runner);
    std::vector<double> x(kd.size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = double(i);
    int64_t knee = -1;
    if (kd.size() >= 3 && kd.front() < kd.back())
        knee = find_knee(x.data(), kd.data(), int64_t(kd.size()), KneeCurve::Convex,
                         KneeDirection::Increasing);
    double eps = knee >= 0 ? kd[size_t(knee)] : kd[size_t((kd.size() - 1) * 9 / 10)];
    if (!(eps > 0.0)) {
        // Many duplicate rows: the smallest positive k-distance, or 1 when there is none.
        const auto pos = std::upper_bound(kd.begin(), kd.end(), 0.0);
        eps = pos != kd.end() ? *pos : 1.0;
    }
    return DbscanChoice{eps, static_cast<int32_t>(m)};
}

}  // namespace cseg
