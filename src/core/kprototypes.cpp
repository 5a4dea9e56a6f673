// K-prototypes (Huang 1997, 1998) in its batch form, and the kprototypes_fit pipeline (see
// kprototypes.hpp).
#include "kprototypes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "feature_pipeline.hpp"
#include "kmeans_init.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "pca.hpp"
#include "scaler.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls in a pass over the data.
constexpr int64_t kPollRows = 4096;

// Reads one native int32 from p (no alignment needed).
int32_t load_int32(const uint8_t* p) {
    int32_t x;
    std::memcpy(&x, p, sizeof x);
    return x;
}

// Bytewise three-way comparison, shorter first on a common prefix (std::string's order).
int compare_bytes(const char* a, size_t alen, const char* b, size_t blen) {
    const int c = alen == 0 || blen == 0 ? 0 : std::memcmp(a, b, std::min(alen, blen));
    if (c != 0) return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

// Per-attribute offsets into a block of all categories: attribute j's codes start at base[j].
std::vector<int64_t> category_base(const std::vector<int32_t>& n_categories) {
    std::vector<int64_t> base(n_categories.size() + 1, 0);
    for (size_t j = 0; j < n_categories.size(); ++j) base[j + 1] = base[j] + n_categories[j];
    return base;
}

// The most frequent code in counts[0 .. n) (ties: the lowest code) and its count.
int32_t most_frequent(const int64_t* counts, int32_t n, int64_t* count) {
    int32_t best = 0;
    for (int32_t v = 1; v < n; ++v)
        if (counts[v] > counts[best]) best = v;
    if (count != nullptr) *count = counts[best];
    return best;
}

// Batch k-prototypes rounds over one data set, with buffers reused across rounds.
class Rounds {
  public:
    // X is n x p (scaled), codes n x q; centers/modes are the k starting prototypes.
    Rounds(ConstRowMap X, const int32_t* codes, const std::vector<int32_t>& n_categories,
           const RowMatrix& centers, const std::vector<int32_t>& modes, double gamma,
           const Interrupt& interrupt)
        : x_(X.data()),
          codes_(codes),
          n_(X.rows()),
          p_(static_cast<int32_t>(X.cols())),
          q_(static_cast<int32_t>(n_categories.size())),
          k_(static_cast<int32_t>(centers.rows())),
          gamma_(gamma),
          interrupt_(interrupt),
          n_categories_(n_categories),
          base_(category_base(n_categories)),
          centers_(centers),
          modes_(modes),
          labels_(static_cast<size_t>(n_), -1),
          costs_(static_cast<size_t>(n_), 0.0),
          sums_(static_cast<size_t>(k_) * p_),
          counts_(static_cast<size_t>(k_)),
          freq_(static_cast<size_t>(k_) * static_cast<size_t>(base_.back())) {}

    // Runs until no label changes or max_iter rounds; see kprototypes_single.
    KPrototypesRun run(int32_t max_iter) {
        bool converged = false;
        int32_t n_iter = max_iter;
        for (int32_t it = 0; it < max_iter; ++it) {
            interrupt_.poll();
            const bool changed = assign();
            update();
            if (!changed) {
                converged = true;
                n_iter = it + 1;
                break;
            }
        }
        if (!converged) assign();
        KPrototypesRun out;
        out.centers = centers_;
        out.modes = modes_;
        out.labels = labels_;
        out.n_iter = n_iter;
        for (int64_t i = 0; i < n_; ++i) {
            const int32_t a = labels_[size_t(i)];
            const double sq = squared_distance(row(i), center(a), p_);
            out.inertia += sq;
            out.cost += mixed_cost(row(i), codes(i), center(a), mode(a), p_, q_, gamma_);
        }
        return out;
    }

  private:
    // Row i's scaled numbers.
    const double* row(int64_t i) const { return x_ + i * p_; }
    // Row i's category codes.
    const int32_t* codes(int64_t i) const { return codes_ + i * q_; }
    // Cluster c's centroid.
    const double* center(int32_t c) const { return centers_.data() + int64_t{c} * p_; }
    // Cluster c's modes.
    const int32_t* mode(int32_t c) const { return modes_.data() + int64_t{c} * q_; }

    // Every row to its nearest prototype (costs_ keeps the cost); true when a label changed.
    bool assign() {
        bool changed = false;
        for (int64_t i = 0; i < n_; ++i) {
            if ((i % kPollRows) == 0) interrupt_.poll();
            double cost;
            const int32_t a = nearest_prototype(row(i), codes(i), centers_.data(), modes_.data(),
                                                k_, p_, q_, gamma_, &cost);
            changed |= a != labels_[size_t(i)];
            labels_[size_t(i)] = a;
            costs_[size_t(i)] = cost;
        }
        return changed;
    }

    // Adds (sign +1) or removes (-1) row i to/from cluster c's sums and category counts.
    void tally(int64_t i, int32_t c, int32_t sign) {
        double* s = sums_.data() + int64_t{c} * p_;
        const double* x = row(i);
        if (sign > 0) {
            for (int32_t j = 0; j < p_; ++j) s[j] += x[j];
        } else {
            for (int32_t j = 0; j < p_; ++j) s[j] -= x[j];
        }
        counts_[size_t(c)] += sign;
        int64_t* f = freq_.data() + int64_t{c} * base_.back();
        const int32_t* cc = codes(i);
        for (int32_t j = 0; j < q_; ++j) f[base_[size_t(j)] + cc[j]] += sign;
    }

    // scikit-learn's empty-cluster rule: the rows of highest cost move, one per empty cluster.
    void relocate_empty_clusters() {
        std::vector<int32_t> empty;
        for (int32_t c = 0; c < k_; ++c)
            if (counts_[size_t(c)] == 0) empty.push_back(c);
        if (empty.empty()) return;
        std::vector<int64_t> order(static_cast<size_t>(n_));
        std::iota(order.begin(), order.end(), 0);
        const size_t m = std::min(empty.size(), order.size());
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m),
                          order.end(), [&](int64_t a, int64_t b) {
                              if (costs_[size_t(a)] != costs_[size_t(b)])
                                  return costs_[size_t(a)] > costs_[size_t(b)];
                              return a < b;
                          });
        for (size_t e = 0; e < m; ++e) {
            const int64_t i = order[e];
            tally(i, labels_[size_t(i)], -1);
            tally(i, empty[e], +1);
            labels_[size_t(i)] = empty[e];
        }
    }

    // Means and modes of the current labels; an empty cluster keeps its prototype.
    void update() {
        std::fill(sums_.begin(), sums_.end(), 0.0);
        std::fill(counts_.begin(), counts_.end(), 0);
        std::fill(freq_.begin(), freq_.end(), 0);
        for (int64_t i = 0; i < n_; ++i) {
            if ((i % kPollRows) == 0) interrupt_.poll();
            tally(i, labels_[size_t(i)], +1);
        }
        relocate_empty_clusters();
        for (int32_t c = 0; c < k_; ++c) {
            const int64_t count = counts_[size_t(c)];
            if (count <= 0) continue;
            const double* s = sums_.data() + int64_t{c} * p_;
            double* ctr = centers_.data() + int64_t{c} * p_;
            for (int32_t j = 0; j < p_; ++j) ctr[j] = s[j] / static_cast<double>(count);
            const int64_t* f = freq_.data() + int64_t{c} * base_.back();
            int32_t* md = modes_.data() + int64_t{c} * q_;
            for (int32_t j = 0; j < q_; ++j)
                md[j] = most_frequent(f + base_[size_t(j)], n_categories_[size_t(j)], nullptr);
        }
    }

    const double* x_;
    const int32_t* codes_;
    int64_t n_;
    int32_t p_, q_, k_;
    double gamma_;
    Interrupt interrupt_;
    std::vector<int32_t> n_categories_;
    std::vector<int64_t> base_;
    RowMatrix centers_;
    std::vector<int32_t> modes_;
    std::vector<int32_t> labels_;
    std::vector<double> costs_;
    std::vector<double> sums_;
    std::vector<int64_t> counts_;
    std::vector<int64_t> freq_;
};

// For each target (in [0, total of w)), the first row whose running sum of w exceeds it;
// n - 1 when none does (all weights zero). One pass over w with the targets sorted.
std::vector<int64_t> rows_for_targets(const std::vector<double>& w,
                                      const std::vector<double>& targets,
                                      const Interrupt& interrupt) {
    const int64_t n = static_cast<int64_t>(w.size());
    const size_t t = targets.size();
    std::vector<size_t> order(t);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return targets[a] < targets[b] || (targets[a] == targets[b] && a < b);
    });
    std::vector<int64_t> out(t, n - 1);
    double cum = 0.0;
    size_t next = 0;
    for (int64_t i = 0; i < n && next < t; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        cum += w[size_t(i)];
        while (next < t && cum > targets[order[next]]) out[order[next++]] = i;
    }
    return out;
}

// The prototypes at the given rows: their numbers and their codes.
void rows_as_prototypes(ConstRowMap X, const int32_t* codes, int32_t q,
                        const std::vector<int64_t>& rows, RowMatrix* centers,
                        std::vector<int32_t>* modes) {
    *centers = gather_rows(X, rows);
    modes->clear();
    for (int64_t r : rows) modes->insert(modes->end(), codes + r * q, codes + r * q + q);
}

}  // namespace

// Sorts the distinct values of each attribute, then ranks every value by binary search.
CategoryCodes encode_categories(const uint8_t* text, size_t bytes, int64_t n, int32_t q,
                                const Interrupt& interrupt) {
    if (n < 0 || q < 1) throw Error(ErrorKind::Internal, "encode_categories: bad shape");
    CategoryCodes out;
    out.dims = q;
    std::vector<std::string_view> values(static_cast<size_t>(n) * static_cast<size_t>(q));
    std::vector<bool> null(values.size(), false);
    size_t at = 0;
    for (size_t v = 0; v < values.size(); ++v) {
        if (v % kPollRows == 0) interrupt.poll();
        if (bytes - at < 4) throw Error(ErrorKind::Internal, "categorical buffer truncated");
        const int32_t len = load_int32(text + at);
        at += 4;
        if (len < 0) {
            null[v] = true;
            continue;
        }
        if (bytes - at < size_t(len))
            throw Error(ErrorKind::Internal, "categorical buffer truncated");
        values[v] = std::string_view(reinterpret_cast<const char*>(text + at), size_t(len));
        at += size_t(len);
    }
    if (at != bytes) throw Error(ErrorKind::Internal, "categorical buffer has trailing bytes");
    out.categories.resize(size_t(q));
    out.codes.assign(values.size(), -1);
    std::vector<std::string_view> distinct;
    for (int32_t j = 0; j < q; ++j) {
        interrupt.poll();
        distinct.clear();
        for (size_t v = size_t(j); v < values.size(); v += size_t(q))
            if (!null[v]) distinct.push_back(values[v]);
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        if (distinct.size() > size_t(std::numeric_limits<int32_t>::max()))
            throw Error(ErrorKind::ProgramLimit,
                        "more than 2^31 - 1 categories in attribute " + std::to_string(j + 1));
        for (size_t v = size_t(j); v < values.size(); v += size_t(q)) {
            if (null[v]) continue;
            out.codes[v] = static_cast<int32_t>(
                std::lower_bound(distinct.begin(), distinct.end(), values[v]) - distinct.begin());
        }
        out.categories[size_t(j)].assign(distinct.begin(), distinct.end());
    }
    return out;
}

// Least mixed cost over the k prototypes, first on ties.
int32_t nearest_prototype(const double* x, const int32_t* codes, const double* centroids,
                          const int32_t* modes, int32_t k, int32_t p, int32_t q, double gamma,
                          double* best_cost) {
    int32_t best = 0;
    double best_c = mixed_cost(x, codes, centroids, modes, p, q, gamma);
    for (int32_t c = 1; c < k; ++c) {
        const double v =
            mixed_cost(x, codes, centroids + int64_t{c} * p, modes + int64_t{c} * q, p, q, gamma);
        if (v < best_c) {
            best_c = v;
            best = c;
        }
    }
    if (best_cost != nullptr) *best_cost = best_c;
    return best;
}

// 0.5 * mean_j(feature_std[j] / scale[j]) (the kmodes package's default on scaled data).
double default_gamma(const std::vector<double>& feature_std, const Scaler& scaler) {
    double sum = 0.0;
    for (size_t j = 0; j < feature_std.size(); ++j) sum += feature_std[j] / scaler.scale[j];
    return 0.5 * sum / static_cast<double>(feature_std.size());
}

// Runs batch rounds from the given prototypes.
KPrototypesRun kprototypes_single(ConstRowMap X, const int32_t* codes,
                                  const std::vector<int32_t>& n_categories,
                                  const RowMatrix& init_centers,
                                  const std::vector<int32_t>& init_modes, double gamma,
                                  int32_t max_iter, const Interrupt& interrupt) {
    const int32_t k = static_cast<int32_t>(init_centers.rows());
    if (k < 1 || init_centers.cols() != X.cols() ||
        init_modes.size() != size_t(k) * n_categories.size() || max_iter < 1)
        throw Error(ErrorKind::Internal, "kprototypes_single: inconsistent arguments");
    Rounds rounds(X, codes, n_categories, init_centers, init_modes, gamma, interrupt);
    return rounds.run(max_iter);
}

// Greedy k-means++ on the mixed cost: O(n * trials) cost evaluations per prototype.
std::vector<int64_t> kprototypes_plusplus(ConstRowMap X, const int32_t* codes, int32_t q, int32_t k,
                                          double gamma, Rng& rng, const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t p = static_cast<int32_t>(X.cols());
    if (k < 1 || n < k)
        throw Error(ErrorKind::Internal, "kprototypes_plusplus: need 1 <= k <= rows");
    const double* x = X.data();
    auto cost = [&](int64_t i, int64_t r) {
        return mixed_cost(x + i * p, codes + i * q, x + r * p, codes + r * q, p, q, gamma);
    };
    std::vector<int64_t> chosen(static_cast<size_t>(k), -1);
    chosen[0] = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(n)));
    std::vector<double> closest(static_cast<size_t>(n));
    double pot = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        closest[size_t(i)] = cost(i, chosen[0]);
        pot += closest[size_t(i)];
    }
    const int32_t trials = kmeans_plusplus_trials(k);
    std::vector<double> targets(static_cast<size_t>(trials));
    std::vector<double> pots(static_cast<size_t>(trials));
    for (int32_t c = 1; c < k; ++c) {
        for (double& t : targets) t = rng.next_double() * pot;
        const std::vector<int64_t> candidates = rows_for_targets(closest, targets, interrupt);
        std::fill(pots.begin(), pots.end(), 0.0);
        for (int64_t i = 0; i < n; ++i) {
            if ((i % kPollRows) == 0) interrupt.poll();
            for (int32_t t = 0; t < trials; ++t)
                pots[size_t(t)] += std::min(closest[size_t(i)], cost(i, candidates[size_t(t)]));
        }
        int32_t best = 0;  // first minimum, as numpy.argmin
        for (int32_t t = 1; t < trials; ++t)
            if (pots[size_t(t)] < pots[size_t(best)]) best = t;
        chosen[size_t(c)] = candidates[size_t(best)];
        pot = 0.0;
        for (int64_t i = 0; i < n; ++i) {
            double& ci = closest[size_t(i)];
            ci = std::min(ci, cost(i, chosen[size_t(c)]));
            pot += ci;
        }
    }
    return chosen;
}

// n_init seeded restarts; the lowest cost wins.
KPrototypesRun kprototypes_run(ConstRowMap X, const int32_t* codes,
                               const std::vector<int32_t>& n_categories, int32_t k, double gamma,
                               const KMeansOptions& opts, const Interrupt& interrupt) {
    const int32_t q = static_cast<int32_t>(n_categories.size());
    if (k < 1 || X.rows() < k)
        throw Error(ErrorKind::DataException, "kprototypes_run: need 1 <= k <= rows");
    KPrototypesRun best;
    for (int32_t r = 0; r < opts.n_init; ++r) {
        Rng rng = Rng::for_stream(opts.seed, static_cast<uint64_t>(r));
        const std::vector<int64_t> rows =
            opts.init == InitMethod::Random
                ? random_rows(X.rows(), k, rng)
                : kprototypes_plusplus(X, codes, q, k, gamma, rng, interrupt);
        RowMatrix centers;
        std::vector<int32_t> modes;
        rows_as_prototypes(X, codes, q, rows, &centers, &modes);
        KPrototypesRun run = kprototypes_single(X, codes, n_categories, centers, modes, gamma,
                                                opts.max_iter, interrupt);
        if (r == 0 || run.cost < best.cost) best = std::move(run);
    }
    return best;
}

// The shared pipeline (model_fit.hpp) on a copy of the rows, with the k-prototypes kind.
Model fit_kprototypes_model(const double* numeric, int64_t n, int32_t p, CategoryCodes cats,
                            int32_t k, const KMeansOptions& opts, const Interrupt& interrupt) {
    std::vector<double> x(numeric, numeric + n * p);
    FitInput in;
    in.numeric = x.data();
    in.n = n;
    in.dims = p;
    in.categories = &cats;
    return fit_model(model_kind(ModelAlgorithm::KPrototypes), in, k, opts, interrupt);
}

// encode_categories' allocations: values (a 16-byte view each), null (a bit each), codes,
// distinct (at most n views), and the vocabularies: at most n * q strings, each a 32-byte
// std::string plus a heap copy (length + 1, malloc's 16-byte header, rounded to 16) when it
// is longer than the 15 bytes kept inline.
double encode_categories_bytes(int64_t n, int32_t q, double text_bytes) {
    const double values = static_cast<double>(n) * q;
    return values * (16.0 + 0.125 + 4.0) + 16.0 * static_cast<double>(n) +
           values * (32.0 + 32.0) + text_bytes;
}

// fit_kprototypes_model's peak: the row copy, then the larger of the canonical sort (rows of
// p + q doubles) and the fit (kind::fit with Rounds, k-means++ and the runs it keeps, then
// number_clusters' labels and finish_fit's hits), plus the robust scaler's column copy.
double kprototypes_fit_bytes(int64_t rows, int32_t p, int32_t q, int64_t n_category_values,
                             int32_t clusters, const KMeansOptions& opts) {
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    const double k = std::max(clusters, 1);
    const double copy = 8.0 * n * p;
    const double sort = 8.0 * n * (p + q) + 256.0 * 1024;  // row_order's per-thread scratch
    const double rounds = 4.0 * n + 8.0 * n                 // labels_, costs_
                          + 8.0 * k * p * 3 + 4.0 * k * q * 3  // centres and modes: current,
                                                               // new, best
                          + 8.0 * k                              // counts_
                          + 8.0 * k * static_cast<double>(n_category_values);  // freq_
    const double plusplus = 8.0 * n + 8.0 * k + 64.0 * 1024;  // closest, chosen, trials
    const double runs = 2.0 * 4.0 * n;                         // the best run's and this run's labels
    const double finish = 4.0 * n + 8.0 * k * q + 8.0 * k * 4;  // renumbered labels, hits, sizes
    const double robust = opts.scale == ScaleMethod::Robust ? 8.0 * n : 0.0;
    // Before the kind's fit (one thread): the feature pipeline, then the projection.
    const double before = std::max(feature_pipeline_fit_bytes(rows, p, pipeline_spec(opts)),
                                   projection_fit_bytes(rows, p, 1));
    return copy + std::max({sort, before, rounds + plusplus + runs + finish}) + robust +
           64.0 * 1024;
}

// Binary search over the attribute's sorted category texts.
int32_t find_category(const ModelView& v, int32_t j, const char* s, size_t len) noexcept {
    int64_t lo = v.vocab_start[j], hi = v.vocab_start[j + 1];
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        const char* t = v.cat_text + v.vocab_offset[mid];
        const size_t tlen = size_t(v.vocab_offset[mid + 1] - v.vocab_offset[mid]);
        const int c = compare_bytes(t, tlen, s, len);
        if (c == 0) return static_cast<int32_t>(mid - v.vocab_start[j]);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

// Slices the category text by the offsets.
std::string_view category_text(const ModelView& v, int32_t j, int32_t code) noexcept {
    const int64_t at = v.vocab_start[j] + code;
    return std::string_view(v.cat_text + v.vocab_offset[at],
                            size_t(v.vocab_offset[at + 1] - v.vocab_offset[at]));
}

// Walks the length-prefixed name list to entry j.
bool categorical_name(const ModelView& v, int32_t j, std::string_view* name) {
    if (v.cat_names == nullptr) return false;
    const uint8_t* p = v.cat_names;
    for (int32_t i = 0;; ++i) {
        if (v.cat_names_end - p < 4)
            throw Error(ErrorKind::Internal, "categorical names truncated");
        const uint32_t len = static_cast<uint32_t>(load_int32(p));
        p += 4;
        if (size_t(v.cat_names_end - p) < len)
            throw Error(ErrorKind::Internal, "categorical names truncated");
        if (i == j) {
            *name = std::string_view(reinterpret_cast<const char*>(p), len);
            return true;
        }
        p += len;
    }
}

}  // namespace cseg
