// K-means with scikit-learn 1.2's semantics (sklearn/cluster/_kmeans.py, _k_means_lloyd.pyx,
// _k_means_common.pyx): Lloyd's algorithm whose assignment step is accelerated by Hamerly's
// (2010) or Elkan's (2003) triangle-inequality bounds, or computed plainly.
//
// Exactness. A row's label is the centre with the smallest computed squared distance
// (squared_distance() in distance.hpp), ties to the lowest index -- in every variant. The
// bounds are kept on true Euclidean distances with a relative slack kSlack: upper bounds are
// inflated by (1 + kSlack), lower bounds, centre half-distances and centre shifts deflated or
// inflated by the same factor. A computed distance has a relative error below (dims/2 + 2)
// ulp, far below kSlack, so a bound test that prunes a centre proves that its computed
// squared distance is strictly larger than the winner's: the pruned variants reproduce plain
// Lloyd's labels and centre sums (same rows, same order) bit for bit. The slack erodes by a
// few ulp per iteration; all bounds are recomputed exactly every bound_refresh_period()
// iterations, long before it could matter.
//
// Memory: per row 4 bytes of label plus 16 bytes of bounds (Hamerly) or 8 * (k + 1) bytes
// (Elkan), besides the n x dims input; O(k * dims) (Hamerly) or O(k^2 + k * dims) (Elkan) per
// centre set. choose_lloyd_variant keeps Elkan's bounds under kElkanMaxBoundBytes.
#include "kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "distance.hpp"
#include "kmeans_hartigan.hpp"
#include "kmeans_init.hpp"
#include "rng.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls in a pass over the data.
constexpr int64_t kPollRows = 4096;
// Relative slack of every bound (see the comment at the top).
constexpr double kSlack = 1e-9;
constexpr double kUp = 1.0 + kSlack;
constexpr double kDown = 1.0 - kSlack;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Elkan's n x k lower bounds are not used when they would take more than this.
constexpr int64_t kElkanMaxBoundBytes = int64_t{256} << 20;
// Refinement bounds: Hartigan/Lloyd rounds per restart and passes per Hartigan call. Every
// round lowers the inertia strictly, so the bounds only guard against pathological inputs.
constexpr int32_t kRefineRounds = 20;
constexpr int32_t kHartiganPasses = 100;

// Iterations after which all bounds are recomputed exactly: the slack lost per iteration is
// below (dims + 8) ulp, so this keeps the loss under a quarter of kSlack.
int32_t bound_refresh_period(int32_t dims) {
    return static_cast<int32_t>(std::max<int64_t>(1, int64_t{2000000} / (int64_t{dims} + 8)));
}

// s[j] += x[j] for j < d. Unrolled by four so that it vectorises at -O2 (the pointers never
// overlap); every element is still one addition, so the sums do not depend on the unrolling.
inline void add_row(double* __restrict__ s, const double* __restrict__ x, int32_t d) {
    int32_t j = 0;
    for (; j + 4 <= d; j += 4) {
        s[j] += x[j];
        s[j + 1] += x[j + 1];
        s[j + 2] += x[j + 2];
        s[j + 3] += x[j + 3];
    }
    for (; j < d; ++j) s[j] += x[j];
}

// Lloyd iterations over one data set with reusable buffers (one object serves all restarts).
class Lloyd {
  public:
    // X is n x d, k <= n; variant must not be Auto. The runner runs the blocks of
    // kTaskBlockRows rows of each pass over the rows (their sums are added in block order).
    Lloyd(ConstRowMap X, int32_t k, LloydVariant variant, const Interrupt& interrupt,
          const TaskRunner& runner = run_tasks_serially)
        : x_(X.data()),
          n_(X.rows()),
          d_(static_cast<int32_t>(X.cols())),
          k_(k),
          stride_(padded_centers(k)),
          variant_(variant),
          interrupt_(interrupt),
          runner_(runner),
          centers_(k, X.cols()),
          centers_new_(k, X.cols()),
          ct_(static_cast<size_t>(stride_) * d_),
          sums_(static_cast<size_t>(k) * d_),
          shift_(static_cast<size_t>(k)),
          dist_(static_cast<size_t>(stride_) * kRowBlock),
          counts_(static_cast<size_t>(k)),
          labels_(static_cast<size_t>(n_)) {
        if (variant_ == LloydVariant::Hamerly || variant_ == LloydVariant::Elkan) {
            upper_.resize(static_cast<size_t>(n_));
            half_min_.resize(static_cast<size_t>(k));
            up_shift_.resize(static_cast<size_t>(k));
        }
        if (variant_ == LloydVariant::Hamerly) lower_.resize(static_cast<size_t>(n_));
        if (variant_ == LloydVariant::Elkan) {
            lower_.resize(static_cast<size_t>(n_) * static_cast<size_t>(k));
            half_cc_.resize(static_cast<size_t>(k) * static_cast<size_t>(k));
        }
    }

    // One run from initial centres (k x d); see kmeans_single.
    KMeansRun run(const RowMatrix& initial, int32_t max_iter, double tol_abs,
                  const LloydObserver& observer) {
        centers_ = initial;
        transpose_centers(centers_.data(), k_, d_, ct_.data());
        std::fill(labels_.begin(), labels_.end(), -1);
        const int32_t refresh = bound_refresh_period(d_);
        const int64_t computed_before = computed_;

        bool strict = false;
        int32_t n_iter = max_iter;
        for (int32_t it = 0; it < max_iter; ++it) {
            interrupt_.poll();
            std::fill(sums_.begin(), sums_.end(), 0.0);
            std::fill(counts_.begin(), counts_.end(), 0);
            const bool changed = assign(it % refresh == 0, true);
            const double shift_total = update_centers();
            if (observer) observer(it, labels_, centers_);
            if (!changed) {  // labels as in the previous iteration: strict convergence
                strict = true;
                n_iter = it + 1;
                break;
            }
            if (shift_total <= tol_abs) {
                n_iter = it + 1;
                break;
            }
        }
        // Unless the labels already match the centres, assign once more (no update).
        if (!strict) assign(n_iter % refresh == 0, false);

        KMeansRun out;
        out.centers = centers_;
        out.labels = labels_;
        out.inertia = inertia();
        out.n_iter = n_iter;
        out.distances = computed_ - computed_before;
        return out;
    }

    // The state a run from these centres ended in, rebuilt from the centres alone: every row's
    // nearest centre (all distances computed) and the inertia; n_iter is left 0. A converged
    // run's centres give back exactly its labels: they are the nearest-centre assignment.
    KMeansRun labelled(const RowMatrix& centers) {
        centers_ = centers;
        transpose_centers(centers_.data(), k_, d_, ct_.data());
        std::fill(labels_.begin(), labels_.end(), -1);
        assign(true, false);
        KMeansRun out;
        out.centers = centers_;
        out.labels = labels_;
        out.inertia = inertia();
        return out;
    }

  private:
    // Where one block of an assignment pass sums its rows, and its scratch distances.
    struct BlockSums {
        double* sums;       // k x d
        int64_t* counts;    // k
        double* dist;       // kRowBlock x stride_
        int64_t* computed;  // row-centre distances computed, added to
    };

    // One assignment pass with the current centres; with update, also sums the rows per
    // label into sums_/counts_. full recomputes every bound. Returns whether any label changed.
    // One block sums straight into sums_; more blocks (on the runner) each into their own,
    // added in block order afterwards.
    bool assign(bool full, bool update) {
        const int32_t blocks = task_blocks(n_);
        if (blocks <= 1)
            return assign_rows(0, n_, full, update,
                               {sums_.data(), counts_.data(), dist_.data(), &computed_},
                               interrupt_);
        const size_t kd = size_t(k_) * size_t(d_);
        std::vector<double> block_sums(update ? size_t(blocks) * kd : 0, 0.0);
        std::vector<int64_t> block_counts(update ? size_t(blocks) * size_t(k_) : 0, 0);
        std::vector<char> changed(size_t(blocks), 0);
        std::vector<int64_t> computed(size_t(blocks), 0);
        runner_(
            blocks,
            [&](int32_t b, const Interrupt& task_interrupt) {
                std::vector<double> dist(dist_.size());
                const BlockSums out{update ? block_sums.data() + size_t(b) * kd : nullptr,
                                    update ? block_counts.data() + size_t(b) * size_t(k_)
                                           : nullptr,
                                    dist.data(), &computed[size_t(b)]};
                changed[size_t(b)] = assign_rows(task_block_begin(b), task_block_end(b, n_),
                                                 full, update, out, task_interrupt);
            },
            interrupt_);
        for (int64_t c : computed) computed_ += c;
        if (update) {
            for (int32_t b = 0; b < blocks; ++b) {
                for (size_t e = 0; e < kd; ++e) sums_[e] += block_sums[size_t(b) * kd + e];
                for (int32_t c = 0; c < k_; ++c)
                    counts_[size_t(c)] += block_counts[size_t(b) * size_t(k_) + size_t(c)];
            }
        }
        return std::find(changed.begin(), changed.end(), 1) != changed.end();
    }

    // The assignment of rows [lo, hi) by the variant's rule.
    bool assign_rows(int64_t lo, int64_t hi, bool full, bool update, const BlockSums& out,
                     const Interrupt& interrupt) {
        switch (variant_) {
            case LloydVariant::Hamerly:
                return assign_hamerly(lo, hi, full, update, out, interrupt);
            case LloydVariant::Elkan:
                return assign_elkan(lo, hi, full, update, out, interrupt);
            default:
                return assign_plain(lo, hi, update, out, interrupt);
        }
    }

    // Adds row x to the block's running sums of cluster a.
    void accumulate(const BlockSums& out, const double* x, int32_t a) const {
        add_row(out.sums + static_cast<int64_t>(a) * d_, x, d_);
        ++out.counts[static_cast<size_t>(a)];
    }

    // Squared distances of rows i .. i+rows-1 (rows <= kRowBlock) to every centre into dist,
    // centre-major (see squared_distances_block).
    void block_distances(int64_t i, int32_t rows, double* dist) const {
        squared_distances_block(x_ + i * d_, rows, ct_.data(), stride_, d_, dist);
    }

    // Plain Lloyd: every distance, every row.
    bool assign_plain(int64_t lo, int64_t hi, bool update, const BlockSums& out,
                      const Interrupt& interrupt) {
        bool changed = false;
        int64_t idx[kRowBlock];
        double d1[kRowBlock];
        for (int64_t i0 = lo; i0 < hi; i0 += kPollRows) {
            interrupt.poll();
            const int64_t i1 = std::min(hi, i0 + kPollRows);
            for (int64_t b = i0; b < i1; b += kRowBlock) {
                const int32_t rows = static_cast<int32_t>(std::min<int64_t>(kRowBlock, i1 - b));
                block_distances(b, rows, out.dist);
                *out.computed += int64_t{rows} * k_;
                nearest_in_block<false>(out.dist, k_, idx, d1, nullptr);
                for (int32_t q = 0; q < rows; ++q) {
                    const int64_t i = b + q;
                    const int32_t a = static_cast<int32_t>(idx[q]);
                    int32_t& label = labels_[static_cast<size_t>(i)];
                    changed |= a != label;
                    label = a;
                    if (update) accumulate(out, x_ + i * d_, a);
                }
            }
        }
        return changed;
    }

    // Hamerly (2010), "Making k-means even faster": per row an upper bound on the distance to
    // its centre and one lower bound on the distance to every other centre; the row is skipped
    // when the upper bound is below max(lower bound, half the distance from its centre to the
    // nearest other centre), else the upper bound is tightened, else all k distances computed.
    bool assign_hamerly(int64_t lo, int64_t hi, bool full, bool update, const BlockSums& out,
                        const Interrupt& interrupt) {
        bool changed = false;
        int64_t idx[kRowBlock];
        double b1[kRowBlock], b2[kRowBlock];
        for (int64_t i0 = lo; i0 < hi; i0 += kPollRows) {
            interrupt.poll();
            const int64_t i1 = std::min(hi, i0 + kPollRows);
            for (int64_t b = i0; b < i1; b += kRowBlock) {
                const int32_t rows = static_cast<int32_t>(std::min<int64_t>(kRowBlock, i1 - b));
                if (full) {
                    block_distances(b, rows, out.dist);
                    *out.computed += int64_t{rows} * k_;
                    nearest_in_block<true>(out.dist, k_, idx, b1, b2);
                }
                for (int32_t q = 0; q < rows; ++q) {
                    const int64_t i = b + q;
                    const double* x = x_ + i * d_;
                    int32_t& label = labels_[static_cast<size_t>(i)];
                    double& upper = upper_[static_cast<size_t>(i)];
                    double& lower = lower_[static_cast<size_t>(i)];
                    int32_t a = label;
                    if (full) {
                        a = static_cast<int32_t>(idx[q]);
                        upper = std::sqrt(b1[q]) * kUp;
                        lower = std::sqrt(b2[q]) * kDown;
                    } else {
                        // The centres moved since the bounds were set: widen them by the shifts.
                        double u = upper + up_shift_[static_cast<size_t>(a)];
                        double l = lower - (a == low_arg_ ? low_second_ : low_max_);
                        const double m = std::max(half_min_[static_cast<size_t>(a)], l);
                        if (!(u < m)) {
                            u = std::sqrt(
                                    squared_distance(x, centers_.data() + int64_t{a} * d_, d_)) *
                                kUp;
                            ++*out.computed;
                            if (!(u < m)) {
                                double d1, d2;
                                squared_distances_to_centers(x, ct_.data(), stride_, d_,
                                                             out.dist);
                                *out.computed += k_;
                                a = nearest_of(out.dist, k_, &d1, &d2);
                                u = std::sqrt(d1) * kUp;
                                l = std::sqrt(d2) * kDown;
                            }
                        }
                        upper = u;
                        lower = l;
                    }
                    changed |= a != label;
                    label = a;
                    if (update) accumulate(out, x, a);
                }
            }
        }
        return changed;
    }

    // Elkan (2003), "Using the triangle inequality to accelerate k-means": per row an upper
    // bound and k lower bounds; a centre c is examined only if the upper bound reaches both its
    // lower bound and half the distance between c and the current centre.
    bool assign_elkan(int64_t lo, int64_t hi, bool full, bool update, const BlockSums& out,
                      const Interrupt& interrupt) {
        bool changed = false;
        const size_t k = static_cast<size_t>(k_);
        int64_t idx[kRowBlock];
        double b1[kRowBlock];
        for (int64_t i0 = lo; i0 < hi; i0 += kPollRows) {
            interrupt.poll();
            const int64_t i1 = std::min(hi, i0 + kPollRows);
            for (int64_t b = i0; b < i1; b += kRowBlock) {
                const int32_t rows = static_cast<int32_t>(std::min<int64_t>(kRowBlock, i1 - b));
                if (full) {
                    block_distances(b, rows, out.dist);
                    *out.computed += int64_t{rows} * k_;
                    nearest_in_block<false>(out.dist, k_, idx, b1, nullptr);
                }
                for (int32_t q = 0; q < rows; ++q) {
                    const int64_t i = b + q;
                    const double* x = x_ + i * d_;
                    int32_t& label = labels_[static_cast<size_t>(i)];
                    double& upper = upper_[static_cast<size_t>(i)];
                    double* lb = lower_.data() + static_cast<size_t>(i) * k;
                    int32_t a = label;
                    if (full) {
                        const double* v = out.dist + q;
                        a = static_cast<int32_t>(idx[q]);
                        for (size_t c = 0; c < k; ++c) lb[c] = std::sqrt(v[c * kRowBlock]) * kDown;
                        upper = std::sqrt(b1[q]) * kUp;
                    } else {
                        for (size_t c = 0; c < k; ++c) lb[c] -= up_shift_[c];
                        double u = upper + up_shift_[static_cast<size_t>(a)];
                        if (!(u < half_min_[static_cast<size_t>(a)])) {
                            bool stale = true;
                            double da2 = 0.0;
                            for (int32_t c = 0; c < k_; ++c) {
                                if (c == a) continue;
                                const double* half = half_cc_.data() + static_cast<size_t>(a) * k;
                                if (u < lb[c] || u < half[c]) continue;
                                if (stale) {
                                    ++*out.computed;
                                    da2 =
                                        squared_distance(x, centers_.data() + int64_t{a} * d_, d_);
                                    const double e = std::sqrt(da2);
                                    u = e * kUp;
                                    lb[a] = e * kDown;
                                    stale = false;
                                    if (u < lb[c] || u < half[c]) continue;
                                }
                                ++*out.computed;
                                const double dc2 =
                                    squared_distance(x, centers_.data() + int64_t{c} * d_, d_);
                                const double ec = std::sqrt(dc2);
                                lb[c] = ec * kDown;
                                if (dc2 < da2 || (dc2 == da2 && c < a)) {
                                    a = c;
                                    da2 = dc2;
                                    u = ec * kUp;
                                }
                            }
                        }
                        upper = u;
                    }
                    changed |= a != label;
                    label = a;
                    if (update) accumulate(out, x, a);
                }
            }
        }
        return changed;
    }

    // scikit-learn's _relocate_empty_clusters_dense (1.2): the rows farthest from their
    // (pre-update) centres leave their clusters, one for each empty cluster in ascending order;
    // each becomes its new cluster's only member. Farthest first, ties to the lower row index
    // (scikit-learn's argpartition leaves that order unspecified).
    void relocate_empty_clusters() {
        std::vector<int32_t> empty;
        for (int32_t c = 0; c < k_; ++c)
            if (counts_[static_cast<size_t>(c)] == 0) empty.push_back(c);
        const size_t m = empty.size();
        // The m farthest rows, farthest first.
        std::vector<std::pair<double, int64_t>> far;
        far.reserve(m + 1);
        for (int64_t i0 = 0; i0 < n_; i0 += kPollRows) {
            interrupt_.poll();
            const int64_t i1 = std::min(n_, i0 + kPollRows);
            for (int64_t i = i0; i < i1; ++i) {
                const int32_t a = labels_[static_cast<size_t>(i)];
                const double v =
                    squared_distance(x_ + i * d_, centers_.data() + int64_t{a} * d_, d_);
                if (far.size() == m && !(v > far.back().first)) continue;
                size_t pos = far.size();
                while (pos > 0 && v > far[pos - 1].first) --pos;  // later row loses ties
                far.insert(far.begin() + static_cast<std::ptrdiff_t>(pos), {v, i});
                if (far.size() > m) far.pop_back();
            }
        }
        for (size_t e = 0; e < m; ++e) {
            const int32_t to = empty[e];
            const int64_t row = far[e].second;
            const int32_t from = labels_[static_cast<size_t>(row)];
            const double* x = x_ + row * d_;
            double* s_from = sums_.data() + int64_t{from} * d_;
            double* s_to = sums_.data() + int64_t{to} * d_;
            for (int32_t j = 0; j < d_; ++j) {
                s_from[j] -= x[j];
                s_to[j] = x[j];
            }
            counts_[static_cast<size_t>(to)] = 1;
            --counts_[static_cast<size_t>(from)];
        }
    }

    // New centres from the sums (after relocating empty clusters), their shifts, and the
    // centre-dependent bound data. Returns scikit-learn's center_shift_tot (sum of squared
    // shifts). A cluster emptied by the relocation keeps its previous centre (scikit-learn 1.2
    // would leave it at the origin).
    double update_centers() {
        for (int32_t c = 0; c < k_; ++c) {
            if (counts_[static_cast<size_t>(c)] == 0) {
                relocate_empty_clusters();
                break;
            }
        }
        double total = 0.0;
        for (int32_t c = 0; c < k_; ++c) {
            const int64_t count = counts_[static_cast<size_t>(c)];
            const double* old_c = centers_.data() + int64_t{c} * d_;
            double* new_c = centers_new_.data() + int64_t{c} * d_;
            if (count > 0) {
                const double alpha = 1.0 / static_cast<double>(count);  // as _average_centers
                const double* s = sums_.data() + int64_t{c} * d_;
                for (int32_t j = 0; j < d_; ++j) new_c[j] = s[j] * alpha;
            } else {
                std::copy_n(old_c, d_, new_c);
            }
            const double shift = std::sqrt(squared_distance(new_c, old_c, d_));
            shift_[static_cast<size_t>(c)] = shift;
            total += shift * shift;
        }
        centers_.swap(centers_new_);
        transpose_centers(centers_.data(), k_, d_, ct_.data());
        if (variant_ == LloydVariant::Hamerly || variant_ == LloydVariant::Elkan) prepare_bounds();
        return total;
    }

    // Centre shifts (inflated) and half distances between centres (deflated) for the bounds.
    void prepare_bounds() {
        const size_t k = static_cast<size_t>(k_);
        low_max_ = 0.0;
        low_second_ = 0.0;
        low_arg_ = -1;
        for (int32_t c = 0; c < k_; ++c) {
            const double s = shift_[static_cast<size_t>(c)] * kUp;
            up_shift_[static_cast<size_t>(c)] = s;
            if (s > low_max_ || low_arg_ < 0) {
                low_second_ = low_max_;
                low_max_ = s;
                low_arg_ = c;
            } else if (s > low_second_) {
                low_second_ = s;
            }
        }
        std::fill(half_min_.begin(), half_min_.end(), kInf);
        for (int32_t a = 0; a < k_; ++a) {
            const double* ca = centers_.data() + int64_t{a} * d_;
            for (int32_t c = a + 1; c < k_; ++c) {
                const double h =
                    0.5 * std::sqrt(squared_distance(ca, centers_.data() + int64_t{c} * d_, d_)) *
                    kDown;
                if (!half_cc_.empty()) {
                    half_cc_[size_t(a) * k + size_t(c)] = h;
                    half_cc_[size_t(c) * k + size_t(a)] = h;
                }
                half_min_[size_t(a)] = std::min(half_min_[size_t(a)], h);
                half_min_[size_t(c)] = std::min(half_min_[size_t(c)], h);
            }
        }
    }

    // scikit-learn's _inertia_dense: sum over rows of the squared distance to the own centre
    // (block sums added in block order, as assign's).
    double inertia() const {
        const int32_t blocks = task_blocks(n_);
        std::vector<double> block_total(size_t(std::max(blocks, 1)), 0.0);
        const Task block_inertia = [&](int32_t b, const Interrupt& interrupt) {
            const int64_t lo = task_block_begin(b), hi = task_block_end(b, n_);
            double total = 0.0;
            for (int64_t i0 = lo; i0 < hi; i0 += kPollRows) {
                interrupt.poll();
                const int64_t i1 = std::min(hi, i0 + kPollRows);
                for (int64_t i = i0; i < i1; ++i) {
                    const int32_t a = labels_[static_cast<size_t>(i)];
                    total += squared_distance(x_ + i * d_, centers_.data() + int64_t{a} * d_, d_);
                }
            }
            block_total[size_t(b)] = total;
        };
        if (blocks <= 1) {
            block_inertia(0, interrupt_);
            return block_total[0];
        }
        runner_(blocks, block_inertia, interrupt_);
        double total = 0.0;
        for (double t : block_total) total += t;
        return total;
    }

    const double* x_;
    int64_t n_;
    int32_t d_;
    int32_t k_;
    int32_t stride_;
    LloydVariant variant_;
    const Interrupt& interrupt_;
    TaskRunner runner_;
    RowMatrix centers_, centers_new_;  // k x d
    std::vector<double> ct_;           // centres transposed, d x stride_
    std::vector<double> sums_;         // k x d row sums of the current assignment
    std::vector<double> shift_;        // k: distance each centre moved in the last update
    std::vector<double> dist_;         // kRowBlock x stride_: scratch distances of a few rows
    std::vector<int64_t> counts_;      // k
    std::vector<int32_t> labels_;      // n, -1 before the first pass
    int64_t computed_ = 0;             // row-centre distances computed by all passes so far
    // Bounds (Hamerly and Elkan).
    std::vector<double> upper_;     // n: upper bound on the distance to the own centre
    std::vector<double> lower_;     // Hamerly: n; Elkan: n x k lower bounds per centre
    std::vector<double> half_min_;  // k: half the distance to the nearest other centre
    std::vector<double> half_cc_;   // Elkan: k x k half distances between centres
    std::vector<double> up_shift_;  // k: last shift of each centre, inflated
    double low_max_ = 0.0;          // Hamerly: largest inflated shift ...
    double low_second_ = 0.0;       // ... the second largest ...
    int32_t low_arg_ = -1;          // ... and the centre that moved most
};

// Throws unless k and the iteration options are usable on n rows of d features.
void check_run_arguments(int64_t n, int64_t d, int32_t k, const KMeansOptions& opts) {
    if (k < 1)
        throw Error(ErrorKind::InvalidParameter,
                    "k must be at least 1 (got " + std::to_string(k) + ")");
    if (d < 1) throw Error(ErrorKind::ArrayShape, "k-means needs at least one feature");
    if (n < k)
        throw Error(ErrorKind::DataException, "k-means needs at least k rows: got " +
                                                  std::to_string(n) +
                                                  " rows for k = " + std::to_string(k));
    if (opts.n_init < 1) throw Error(ErrorKind::InvalidParameter, "n_init must be at least 1");
    if (opts.max_iter < 1) throw Error(ErrorKind::InvalidParameter, "max_iter must be at least 1");
    if (!(std::isfinite(opts.tol) && opts.tol >= 0.0))
        throw Error(ErrorKind::InvalidParameter, "tol must be a finite number >= 0");
}

// The initial centres of restart `restart`: stream Rng::for_stream(opts.seed, restart),
// seeded by opts.init. (Called before the restart's Lloyd buffers exist, so that k-means++'s
// per-row distances and Lloyd's per-row bounds are never held at the same time.)
RowMatrix restart_centers(ConstRowMap X, int32_t k, const KMeansOptions& opts, int32_t restart,
                          const Interrupt& interrupt, const TaskRunner& runner) {
    Rng rng = Rng::for_stream(opts.seed, static_cast<uint64_t>(restart));
    const std::vector<int64_t> rows = opts.init == InitMethod::Random
                                          ? random_rows(X.rows(), k, rng)
                                          : kmeans_plusplus(X, k, rng, interrupt, runner);
    return gather_rows(X, rows);
}

// The refinement budget (row visits) for `lloyd_visits` of Lloyd work under `tuning`;
// INT64_MAX when unbounded.
int64_t tuned_budget(const KMeansTuning& tuning, int64_t lloyd_visits) {
    if (tuning.refine_share < 0.0) return std::numeric_limits<int64_t>::max();
    return std::max(tuning.refine_floor,
                    static_cast<int64_t>(tuning.refine_share * static_cast<double>(lloyd_visits)));
}

// With opts.refine = hartigan, alternates Hartigan passes and Lloyd on a Lloyd solution until
// no single-point move lowers the inertia (at most kRefineRounds rounds; each ends with Lloyd,
// so labels and centres always agree) or the `budget` of row visits is spent: Hartigan's, and
// n per Lloyd iteration after it plus n for its final assignment. A round is only begun when
// the budget still holds a Hartigan pass with all rows examined (2n) and two Lloyd passes
// (2n), so on many rows and little Lloyd work there is no refinement at all: measured, it
// would cost more than a fifth of the fit for an inertia about 1e-5 lower (docs/performance.md).
// opts.max_iter bounds the Lloyd iterations of all rounds together (run.n_iter already counts
// the first ones), and run.n_iter counts them. Each step lowers the inertia or leaves it.
void refine_run(Lloyd& lloyd, ConstRowMap X, const KMeansOptions& opts, double tol_abs,
                int64_t budget, KMeansRun& run, const Interrupt& interrupt) {
    if (opts.refine == RefineMethod::None) return;
    const int64_t n = X.rows();
    const int64_t round_cost = 4 * n;
    int32_t lloyd_iterations = run.n_iter;
    int64_t spent = 0;
    for (int32_t round = 0; round < kRefineRounds && lloyd_iterations < opts.max_iter &&
                            round_cost <= budget - spent;
         ++round) {
        int64_t work = 0;
        const int64_t moves = hartigan_refine(X, run.centers, run.labels, kHartiganPasses,
                                              interrupt, budget - spent - 2 * n, &work);
        spent += work;
        if (moves == 0) break;
        // At least one Lloyd iteration, so that labels and centres agree again.
        const int64_t affordable = std::max<int64_t>(1, (budget - spent) / n - 1);
        const int32_t iterations =
            static_cast<int32_t>(std::min<int64_t>(opts.max_iter - lloyd_iterations, affordable));
        run = lloyd.run(run.centers, iterations, tol_abs, {});
        lloyd_iterations += run.n_iter;
        spent += (int64_t{run.n_iter} + 1) * n;
    }
    run.n_iter = lloyd_iterations;
}

// What the first phase of kmeans_run keeps of a restart: its Lloyd centres, inertia and
// iterations (labels are rebuilt, by Lloyd::labelled, only for the finalists).
struct LloydResult {
    RowMatrix centers;
    double inertia = 0.0;
    int32_t n_iter = 0;
    int64_t distances = 0;  // row-centre distances computed
};

}  // namespace

// Measured rule. CPU ms of kmeans_run (n_init 1, best of 2-3, one thread, k-means++ included;
// Lloyd part = total - init), build-bench/kmeans_bench --blobs /tmp/blobs_1m_8.f64 on a shared
// 2-vCPU Xeon @ 2.5 GHz (AVX-512), GCC 12 -O3 -march=native:
//
//   data            n      d   k  iters  init   plain  Hamerly  Elkan
//   mall           200     3   5     6      0    0.06     0.06   0.09
//   wholesale      440     6   8    10    0.1    0.25     0.37   0.46
//   marketing     2216    16   8    35    0.4    3.0      3.6    5.2
//   marketing     2216    16  32    19    2.4    6.8      7.7    8.0
//   blobs (sklearn make_blobs) 1M 8 8  2  214    305      299    398
//   blobs32c    200000     8  16     7     87    153      143    199
//   blobs32c    200000     8  64    66    389   2119     1213   2520
//   wide        100000    32  32    50    336   1416     1157   1058
//   high         50000    64  64    46    734   2603     2327   1296
//
// Hamerly is never far behind plain Lloyd (its first pass also writes the bounds) and wins
// clearly once iterations are many; Elkan's k lower bounds per row pay only when a distance
// is expensive (many dims) and there are many centres to skip, and cost O(n k) memory.
//
// Remeasured on 1M-row data shapes (bench/bench_shapes.py, standard-scaled; kmeans_single from
// one k-means++ start, CPU seconds of one thread, best of 3, a loaded 2-core EPYC; identical
// labels and inertia for both variants in every run), plain / Hamerly:
//
//   shape        d   k   iters      plain / Hamerly (s)
//   mall         3   8   6-12       0.08-0.15 / 0.11-0.21
//   wholesale    6   8   17-51      0.27-0.75 / 0.42-0.88
//   overlap      8   8   52-113     0.92-2.01 / 1.52-2.98
//   marketing   16   8   32-47      0.91-1.50 / 1.60-1.87
//   blobs        8   8   3          0.085 / 0.065
//   overlap      8  16   100-131    2.71-3.59 / 3.59-4.25
//   mall         3  20   17-53      0.30-0.93 / 0.45-0.94
//   many         8  20   10-29      0.35-0.92 / 0.30-0.57
//   wide        30  20   84-87      8.69-9.15 / 5.53-7.09
//   overlap      8  32   146-165    6.98-7.57 / 5.57-6.75
//   many         8  50   17-21      1.32-1.59 / 0.61-0.88
//
// On overlapping groups (real customer data) Hamerly's bounds seldom prune a row, and their
// upkeep costs more than the blocked distances they save until k passes ~16; plain Lloyd also
// keeps no per-row bounds (16 bytes a row: two thirds of a 3-feature row).
LloydVariant choose_lloyd_variant(int64_t n, int32_t k, int32_t dims) {
    const bool elkan_fits = n <= kElkanMaxBoundBytes / 8 / (int64_t{k} + 1);
    if (dims >= 32 && k >= 32 && elkan_fits) return LloydVariant::Elkan;
    if (k <= kPlainMaxCenters) return LloydVariant::Plain;
    return LloydVariant::Hamerly;
}

// Mean over columns of the population variance (two passes: column means, then squares).
double kmeans_tolerance(ConstRowMap X, double tol, const TaskRunner& runner) {
    if (tol == 0.0) return 0.0;
    const int64_t n = X.rows(), d = X.cols();
    if (n == 0 || d == 0) return 0.0;
    const int32_t blocks = task_blocks(n);
    std::vector<double> part(size_t(blocks) * size_t(d));
    std::vector<double> mean(static_cast<size_t>(d), 0.0), sq(static_cast<size_t>(d), 0.0);
    // Per block: the column sums of X (squares = false) or of (X - mean)^2, into part.
    const auto column_sums = [&](bool squares) {
        runner(
            blocks,
            [&](int32_t b, const Interrupt&) {
                // Sums in a local array (the compiler keeps them in registers: part may alias
                // nothing, but it cannot know), added in row order as before.
                std::vector<double> s(static_cast<size_t>(d), 0.0);
                const double* x = X.data();
                const int64_t end = task_block_end(b, n);
                if (!squares) {
                    for (int64_t i = task_block_begin(b); i < end; ++i)
                        for (int64_t j = 0; j < d; ++j) s[size_t(j)] += x[i * d + j];
                } else {
                    for (int64_t i = task_block_begin(b); i < end; ++i)
                        for (int64_t j = 0; j < d; ++j) {
                            const double t = x[i * d + j] - mean[size_t(j)];
                            s[size_t(j)] += t * t;
                        }
                }
                std::copy(s.begin(), s.end(), part.data() + int64_t{b} * d);
            },
            Interrupt());
    };
    column_sums(false);
    for (int64_t b = 0; b < blocks; ++b)
        for (int64_t j = 0; j < d; ++j) mean[size_t(j)] += part[size_t(b * d + j)];
    for (double& m : mean) m /= static_cast<double>(n);
    column_sums(true);
    for (int64_t b = 0; b < blocks; ++b)
        for (int64_t j = 0; j < d; ++j) sq[size_t(j)] += part[size_t(b * d + j)];
    double total = 0.0;
    for (double s : sq) total += s / static_cast<double>(n);
    return total / static_cast<double>(d) * tol;
}

// One run on its own buffers.
KMeansRun kmeans_single(ConstRowMap X, const RowMatrix& initial_centers, int32_t max_iter,
                        double tol_abs, LloydVariant variant, const Interrupt& interrupt,
                        const LloydObserver& observer) {
    const int32_t k = static_cast<int32_t>(initial_centers.rows());
    if (k < 1 || initial_centers.cols() != X.cols() || X.rows() < k || max_iter < 1)
        throw Error(ErrorKind::Internal, "kmeans_single: inconsistent arguments");
    if (variant == LloydVariant::Auto)
        variant = choose_lloyd_variant(X.rows(), k, static_cast<int32_t>(X.cols()));
    Lloyd lloyd(X, k, variant, interrupt);
    return lloyd.run(initial_centers, max_iter, tol_abs, observer);
}

// kmeans_run with the automatic variant.
KMeansRun kmeans_run(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                     const Interrupt& interrupt) {
    return kmeans_run(X, k, opts, interrupt, LloydVariant::Auto);
}

// kmeans_run on the calling thread.
KMeansRun kmeans_run(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                     const Interrupt& interrupt, LloydVariant variant) {
    return kmeans_run_tasks(X, k, opts, interrupt, variant, run_tasks_serially);
}

// Restarts whose Lloyd inertia is within kRefineMargin of the lowest, one per local minimum
// (with refinement), or the lowest alone, ties to the earliest (without); ascending.
std::vector<int32_t> kmeans_finalists(const std::vector<double>& lloyd_inertia,
                                      RefineMethod refine) {
    const int32_t n = static_cast<int32_t>(lloyd_inertia.size());
    std::vector<int32_t> out;
    if (n == 0) return out;
    std::vector<int32_t> by_inertia(static_cast<size_t>(n));
    std::iota(by_inertia.begin(), by_inertia.end(), 0);
    std::stable_sort(by_inertia.begin(), by_inertia.end(), [&](int32_t a, int32_t b) {
        return lloyd_inertia[size_t(a)] < lloyd_inertia[size_t(b)];
    });
    const double best = lloyd_inertia[size_t(by_inertia[0])];
    out.push_back(by_inertia[0]);
    if (refine == RefineMethod::None) return out;
    const double limit = best * (1.0 + kRefineMargin);
    double kept = best;  // inertia of the last finalist kept
    for (int32_t i = 1; i < n; ++i) {
        const double v = lloyd_inertia[size_t(by_inertia[size_t(i)])];
        if (v > limit) break;
        if (v <= kept * (1.0 + kSameMinimum)) continue;  // the same minimum as that one
        out.push_back(by_inertia[size_t(i)]);
        kept = v;
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The refinement budget for kmeans_run's default tuning.
int64_t refine_budget(int64_t lloyd_visits) { return tuned_budget(KMeansTuning{}, lloyd_visits); }

// A quarter of the rows at most.
int64_t kmeans_compete_rows(int64_t n, int32_t k, int32_t n_init) {
    if (n_init < 1) return 0;
    const int64_t m = std::max({kCompeteMinRows, kCompeteRowsPerCenter * int64_t{k},
                                n / kCompeteDivisor});
    return 4 * m <= n ? m : 0;
}

// Selection sampling: row i is taken with probability (still needed) / (rows left).
std::vector<int64_t> kmeans_compete_sample(int64_t n, int64_t m, uint64_t seed) {
    Rng rng = Rng::for_stream(seed, kCompeteStream);
    std::vector<int64_t> rows;
    rows.reserve(static_cast<size_t>(std::max<int64_t>(0, std::min(n, m))));
    for (int64_t i = 0; i < n && int64_t(rows.size()) < m; ++i)
        if (rng.bounded(static_cast<uint64_t>(n - i)) < static_cast<uint64_t>(m) - rows.size())
            rows.push_back(i);
    return rows;
}

namespace {

// Phase 1 on a sample: every restart's Lloyd run on the sample rows (task r); the lowest
// sample inertia (ties: the earliest) goes on from its sample centres with Lloyd on all rows
// (its blocks on the runner) and is refined. n_iter counts the iterations on all rows.
KMeansRun compete_on_sample(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                            const Interrupt& interrupt, LloydVariant variant,
                            const KMeansTaskRunner& runner, const KMeansTuning& tuning,
                            int64_t m, double tol_abs) {
    const RowMatrix S = gather_rows(X, kmeans_compete_sample(X.rows(), m, opts.seed));
    const ConstRowMap sample(S.data(), S.rows(), S.cols());
    const LloydVariant sample_variant =
        choose_lloyd_variant(S.rows(), k, static_cast<int32_t>(S.cols()));
    std::vector<LloydResult> first(static_cast<size_t>(opts.n_init));
    runner(
        opts.n_init,
        [&](int32_t r, const Interrupt& task_interrupt) {
            const RowMatrix init =
                restart_centers(sample, k, opts, r, task_interrupt, run_tasks_serially);
            Lloyd lloyd(sample, k, sample_variant, task_interrupt);
            KMeansRun run = lloyd.run(init, opts.max_iter, tol_abs, {});
            first[size_t(r)] =
                LloydResult{std::move(run.centers), run.inertia, run.n_iter, run.distances};
        },
        interrupt);
    // The finalists: the lowest sample inertias, ties to the earliest restart.
    std::vector<int32_t> order(first.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return first[size_t(a)].inertia < first[size_t(b)].inertia;
    });
    order.resize(std::min(order.size(), size_t(std::max(1, tuning.compete_finalists))));
    // Lloyd's work in row visits of all k distances (Hamerly's bounds skip most of them on
    // later iterations; a Hartigan pass computes them all).
    int64_t visits = 0;
    for (const LloydResult& f : first) visits += f.distances / k;
    // Each finalist's Lloyd on all rows, one after the other on one Lloyd whose blocks run on
    // the runner; only the best run so far is kept (lowest inertia, ties: the earlier). Run
    // side by side, two finalists held two sets of bounds and labels: on narrow tables (d = 3)
    // that was more memory than the rows themselves, for no gain in time (the blocks already
    // use every thread).
    Lloyd lloyd(X, k, variant, interrupt, runner);
    KMeansRun run;
    for (size_t i = 0; i < order.size(); ++i) {
        KMeansRun next = lloyd.run(first[size_t(order[i])].centers, opts.max_iter, tol_abs, {});
        visits += next.distances / k;
        if (i == 0 || next.inertia < run.inertia) run = std::move(next);
    }
    if (opts.refine != RefineMethod::None) {
        // No floor on this path: the floor is for the small tables where refining to
        // convergence was measured to pay; here (65,536 rows or more) it could be most of the
        // budget (measured on 100,000 rows: the default up to 1.44x `"refine": "none"`).
        KMeansTuning big = tuning;
        big.refine_floor = 0;
        refine_run(lloyd, X, opts, tol_abs, tuned_budget(big, visits), run, interrupt);
    }
    return run;
}

}  // namespace

// Without a sample: phase 1, every restart's Lloyd run (task r); phase 2, the finalists'
// labels rebuilt and, with refinement, refined (task i of the finalists); the lowest final
// inertia wins, ties to the earliest restart. With n_init = 1 the restart is finished in one
// go (same result: the rebuilt labels are the run's own). Each task writes only its own slot,
// so the result does not depend on the order or the threads the runner uses.
KMeansRun kmeans_run_tasks(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                           const Interrupt& interrupt, LloydVariant variant,
                           const KMeansTaskRunner& runner, const KMeansTuning& tuning) {
    check_run_arguments(X.rows(), X.cols(), k, opts);
    if (variant == LloydVariant::Auto)
        variant = choose_lloyd_variant(X.rows(), k, static_cast<int32_t>(X.cols()));
    const double tol_abs = kmeans_tolerance(X, opts.tol, runner);
    const int64_t m = tuning.compete_rows < 0 ? kmeans_compete_rows(X.rows(), k, opts.n_init)
                                              : std::min(tuning.compete_rows, X.rows());
    if (m > 0 && m >= k && m < X.rows())
        return compete_on_sample(X, k, opts, interrupt, variant, runner, tuning, m, tol_abs);
    // One restart is its own only finalist: refined straight away, its labels still at hand;
    // the runner scores its k-means++ candidates and runs Lloyd's blocks.
    if (opts.n_init == 1)
        return kmeans_restart(X, k, opts, 0, tol_abs, variant, interrupt, runner, tuning);

    std::vector<LloydResult> first(static_cast<size_t>(opts.n_init));
    runner(
        opts.n_init,
        [&](int32_t r, const Interrupt& task_interrupt) {
            const RowMatrix init =
                restart_centers(X, k, opts, r, task_interrupt, run_tasks_serially);
            Lloyd lloyd(X, k, variant, task_interrupt);
            KMeansRun run = lloyd.run(init, opts.max_iter, tol_abs, {});
            first[size_t(r)] = LloydResult{std::move(run.centers), run.inertia, run.n_iter};
        },
        interrupt);

    std::vector<double> inertia;
    inertia.reserve(first.size());
    int64_t visits = 0;
    for (const LloydResult& f : first) {
        inertia.push_back(f.inertia);
        visits += int64_t{f.n_iter} * X.rows();
    }
    const std::vector<int32_t> finalists = kmeans_finalists(inertia, opts.refine);
    // The finalists share the budget.
    const int64_t budget = std::max<int64_t>(
        tuning.refine_floor, tuned_budget(tuning, visits) / int64_t(finalists.size()));
    std::vector<KMeansRun> second(finalists.size());
    runner(
        static_cast<int32_t>(finalists.size()),
        [&](int32_t i, const Interrupt& task_interrupt) {
            const LloydResult& f = first[size_t(finalists[size_t(i)])];
            Lloyd lloyd(X, k, variant, task_interrupt);
            KMeansRun run = lloyd.labelled(f.centers);
            run.n_iter = f.n_iter;
            refine_run(lloyd, X, opts, tol_abs, budget, run, task_interrupt);
            second[size_t(i)] = std::move(run);
        },
        interrupt);

    size_t best = 0;
    for (size_t i = 1; i < second.size(); ++i)
        if (second[i].inertia < second[best].inertia) best = i;
    return std::move(second[best]);
}

// One restart on its own buffers: Lloyd, then the refinement.
KMeansRun kmeans_restart(ConstRowMap X, int32_t k, const KMeansOptions& opts, int32_t restart,
                         double tol_abs, LloydVariant variant, const Interrupt& interrupt,
                         const TaskRunner& runner, const KMeansTuning& tuning) {
    if (variant == LloydVariant::Auto)
        variant = choose_lloyd_variant(X.rows(), k, static_cast<int32_t>(X.cols()));
    const RowMatrix init = restart_centers(X, k, opts, restart, interrupt, runner);
    Lloyd lloyd(X, k, variant, interrupt, runner);
    KMeansRun run = lloyd.run(init, opts.max_iter, tol_abs, {});
    refine_run(lloyd, X, opts, tol_abs, tuned_budget(tuning, run.distances / k), run, interrupt);
    return run;
}

}  // namespace cseg
